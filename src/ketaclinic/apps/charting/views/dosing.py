"""The dose: the prescriber orders (preview first), the nurse starts and stops it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from ketaclinic.apps.charting.administering import (
    containers_for,
    finish_administration,
    start_administration,
)
from ketaclinic.apps.charting.dose_orders import (
    DoseRequest,
    calculate_for,
    capped_alternative,
    order_dose,
)
from ketaclinic.apps.charting.forms import (
    DoseOrderForm,
    FinishAdministrationForm,
    StartAdministrationForm,
    attach_error,
    moment_today,
)
from ketaclinic.apps.charting.models import DoseOrder
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.views.base import (
    back_to_chart,
    chart_session,
    chart_with_errors,
    refused,
    require_any_permission,
)
from ketaclinic.clinical.exceptions import InputError


@require_any_permission("charting.order_dose")
@require_POST
def dose_order_view(request: HttpRequest, session_id: int) -> HttpResponse:
    """``action=preview`` shows the core's working without saving; ``action=order`` saves."""
    session = chart_session(request, session_id, "charting.order_dose")
    form = DoseOrderForm(request.POST)
    if form.is_valid():
        wanted = DoseRequest(**form.dose_request())
        try:
            if request.POST.get("action") == "preview":
                capped = DoseRequest(**{**wanted.__dict__, "cap_choice": None})
                preview, measurement = calculate_for(session, capped)
                return chart_with_errors(
                    request,
                    session,
                    order_form=form,
                    preview=preview,
                    preview_requested=capped_alternative(session, capped),
                    preview_weight=measurement,
                )
            order = order_dose(session, wanted, user=request.user, request=request)
        except InputError as error:
            attach_error(form, error)
        except ChartRefused as error:
            return refused(request, session, error)
        else:
            messages.success(request, f"Ordered {order.dose_mg.normalize():f} mg.")
            return back_to_chart(session, "dose")
    return chart_with_errors(request, session, order_form=form)


DOSE_PERMISSIONS = ("charting.administer_dose", "charting.override_administration")
"""A nurse gives the dose; a prescriber may chart the step too, to record an override."""


@require_any_permission(*DOSE_PERMISSIONS)
@require_POST
def administration_start_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = chart_session(request, session_id, *DOSE_PERMISSIONS)
    form = StartAdministrationForm(
        request.POST, containers=containers_for(session), order=dose_order_of(session)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            start_administration(
                session,
                container=data["container"],
                product=data["product"],
                lot=data["lot"],
                volume_drawn_ml=data["volume_drawn_ml"],
                strength_mg=data["strength_mg"],
                pump_rate_ml_per_h=data["rate_ml_per_h"],
                override_reason=data["override_reason"],
                started_at=moment_today(session.patient.site.timezone, data["started_at"]),
                user=request.user,
                request=request,
            )
        except InputError as error:
            attach_error(form, error)
        except ChartRefused as error:
            return refused(request, session, error)
        else:
            messages.success(request, "Dose started.")
            return back_to_chart(session, "dose")
    return chart_with_errors(request, session, start_form=form)


@require_any_permission(*DOSE_PERMISSIONS)
@require_POST
def administration_finish_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = chart_session(request, session_id, *DOSE_PERMISSIONS)
    form = FinishAdministrationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            finish_administration(
                session,
                volume_given_ml=data["volume_given_ml"],
                units_given=data["units_given"],
                override_reason=data["override_reason"],
                deviation_reason=data["deviation_reason"],
                stopped_at=moment_today(session.patient.site.timezone, data["stopped_at"]),
                user=request.user,
                request=request,
            )
        except InputError as error:
            attach_error(form, error)
        except ChartRefused as error:
            return refused(request, session, error)
        else:
            messages.success(request, "Dose ended; observation continues.")
            return back_to_chart(session, "dose")
    return chart_with_errors(request, session, finish_form=form)


def dose_order_of(session) -> DoseOrder | None:
    return DoseOrder.objects.filter(session=session).first()
