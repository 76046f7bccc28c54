"""Readings during the session. Vitals and MOAA/S re-render the vitals panel for htmx.

For htmx a form with errors comes back as the panel with status 200 (htmx does not swap
error responses); without htmx the whole chart comes back with 422.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ketaclinic.apps.charting.choices import ScaleCode
from ketaclinic.apps.charting.context import chart_context, gather, vitals_panel
from ketaclinic.apps.charting.forms import (
    AdverseEventForm,
    CadssForm,
    MoaasForm,
    RescueMedicationForm,
    VitalSignForm,
    attach_error,
    moment_today,
)
from ketaclinic.apps.charting.observing import (
    record_adverse_event,
    record_rescue_medication,
    record_scale,
    record_vital_sign,
)
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.views.base import (
    CHART,
    back_to_chart,
    chart_session,
    chart_with_errors,
    refused,
    require_any_permission,
)
from ketaclinic.apps.web.rendering import is_htmx
from ketaclinic.clinical.exceptions import InputError

PANEL = "charting/_vitals_panel.html"


def _panel_or_chart(request: HttpRequest, session, ok: bool, **forms) -> HttpResponse:
    if is_htmx(request):
        context = {
            "session": session,
            "site_tz": session.patient.site.timezone,
            "vital_form": VitalSignForm(),
            "moaas_form": MoaasForm(),
            **vitals_panel(session, gather(session), request.user),
            **forms,
        }
        return render(request, PANEL, context)
    if ok:
        return back_to_chart(session, "vitals")
    return render(request, CHART, chart_context(request, session, **forms), status=422)


@require_any_permission("charting.chart_session")
@require_POST
def vital_sign_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = chart_session(request, session_id, "charting.chart_session")
    form = VitalSignForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        taken_at = moment_today(session.patient.site.timezone, data.pop("taken_at"))
        try:
            record_vital_sign(
                session, taken_at=taken_at, **data, user=request.user, request=request
            )
        except InputError as error:
            attach_error(form, error)
        except ChartRefused as error:
            return refused(request, session, error)
        else:
            return _panel_or_chart(request, session, True)
    return _panel_or_chart(request, session, False, vital_form=form)


def _scale_view(request: HttpRequest, session_id: int, scale: str, form_class, form_name: str):
    session = chart_session(request, session_id, "charting.chart_session")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            record_scale(
                session,
                scale=scale,
                answers=form.answers(),
                taken_at=moment_today(session.patient.site.timezone, form.cleaned_data["taken_at"]),
                user=request.user,
                request=request,
            )
        except InputError as error:
            attach_error(form, error)
        except ChartRefused as error:
            return refused(request, session, error)
        else:
            if scale == ScaleCode.CADSS:
                messages.success(request, "CADSS recorded.")
                return back_to_chart(session, "scales")
            return _panel_or_chart(request, session, True)
    if scale == ScaleCode.CADSS:
        return chart_with_errors(request, session, **{form_name: form})
    return _panel_or_chart(request, session, False, **{form_name: form})


@require_any_permission("charting.chart_session")
@require_POST
def moaas_view(request: HttpRequest, session_id: int) -> HttpResponse:
    return _scale_view(request, session_id, ScaleCode.MOAAS, MoaasForm, "moaas_form")


@require_any_permission("charting.chart_session")
@require_POST
def cadss_view(request: HttpRequest, session_id: int) -> HttpResponse:
    return _scale_view(request, session_id, ScaleCode.CADSS, CadssForm, "cadss_form")


@require_any_permission("charting.chart_session")
@require_POST
def adverse_event_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = chart_session(request, session_id, "charting.chart_session")
    form = AdverseEventForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        onset_at = moment_today(session.patient.site.timezone, data.pop("onset_at"))
        try:
            record_adverse_event(
                session, onset_at=onset_at, **data, user=request.user, request=request
            )
        except InputError as error:
            attach_error(form, error)
        except ChartRefused as error:
            return refused(request, session, error)
        else:
            messages.success(request, "Adverse event recorded.")
            return back_to_chart(session, "events")
    return chart_with_errors(request, session, adverse_form=form)


@require_any_permission("charting.chart_session")
@require_POST
def rescue_medication_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = chart_session(request, session_id, "charting.chart_session")
    form = RescueMedicationForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        given_at = moment_today(session.patient.site.timezone, data.pop("given_at"))
        try:
            record_rescue_medication(
                session, given_at=given_at, **data, user=request.user, request=request
            )
        except InputError as error:
            attach_error(form, error)
        except ChartRefused as error:
            return refused(request, session, error)
        else:
            messages.success(request, "Rescue medication recorded.")
            return back_to_chart(session, "events")
    return chart_with_errors(request, session, rescue_form=form)
