"""The dose: the prescriber orders (preview first), the nurse starts and stops it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

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
    moment_today,
)
from ketaclinic.apps.charting.models import DoseOrder
from ketaclinic.apps.charting.views.base import chart_action, chart_with_errors, submit


@chart_action("charting.order_dose")
def dose_order_view(request: HttpRequest, session) -> HttpResponse:
    """``action=preview`` shows the core's working without saving; ``action=order`` saves."""
    form = DoseOrderForm(request.POST)

    def write(data: dict) -> DoseOrder | HttpResponse:
        wanted = DoseRequest(**form.dose_request())
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
        return order_dose(session, wanted, user=request.user, request=request)

    return submit(
        request,
        session,
        form,
        write,
        form_name="order_form",
        anchor="dose",
        success=lambda order: f"Ordered {order.dose_mg.normalize():f} mg.",
    )


DOSE_PERMISSIONS = ("charting.administer_dose", "charting.override_administration")
"""A nurse gives the dose; a prescriber may chart the step too, to record an override."""


@chart_action(*DOSE_PERMISSIONS)
def administration_start_view(request: HttpRequest, session) -> HttpResponse:
    form = StartAdministrationForm(
        request.POST, containers=containers_for(session), order=dose_order_of(session)
    )

    def write(data: dict) -> None:
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

    return submit(
        request,
        session,
        form,
        write,
        form_name="start_form",
        anchor="dose",
        success="Dose started.",
    )


@chart_action(*DOSE_PERMISSIONS)
def administration_finish_view(request: HttpRequest, session) -> HttpResponse:
    def write(data: dict) -> None:
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

    return submit(
        request,
        session,
        FinishAdministrationForm(request.POST),
        write,
        form_name="finish_form",
        anchor="dose",
        success="Dose ended; observation continues.",
    )


def dose_order_of(session) -> DoseOrder | None:
    return DoseOrder.objects.filter(session=session).first()
