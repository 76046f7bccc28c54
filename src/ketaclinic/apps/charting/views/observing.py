"""Readings during the session. Vitals and MOAA/S re-render the vitals panel for htmx.

For htmx a form with errors comes back as the panel with status 200 (htmx does not swap
error responses); without htmx the whole chart comes back with 422.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketaclinic.apps.charting.choices import ScaleCode
from ketaclinic.apps.charting.context import chart_context, gather, vitals_panel
from ketaclinic.apps.charting.forms import (
    AdverseEventForm,
    CadssForm,
    MoaasForm,
    RescueMedicationForm,
    VitalSignForm,
    moment_today,
)
from ketaclinic.apps.charting.observing import (
    record_adverse_event,
    record_rescue_medication,
    record_scale,
    record_vital_sign,
)
from ketaclinic.apps.charting.views.base import CHART, back_to_chart, chart_action, submit
from ketaclinic.apps.web.rendering import is_htmx

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


CHART_SESSION = "charting.chart_session"


@chart_action(CHART_SESSION)
def vital_sign_view(request: HttpRequest, session) -> HttpResponse:
    form = VitalSignForm(request.POST)

    def write(data: dict) -> None:
        taken_at = moment_today(session.patient.site.timezone, data.pop("taken_at"))
        record_vital_sign(session, taken_at=taken_at, **data, user=request.user, request=request)

    return submit(
        request,
        session,
        form,
        write,
        form_name="vital_form",
        anchor="vitals",
        done=lambda _: _panel_or_chart(request, session, True),
        failed=lambda: _panel_or_chart(request, session, False, vital_form=form),
    )


def _scale(request: HttpRequest, session, scale: str, form) -> HttpResponse:
    def write(data: dict) -> None:
        record_scale(
            session,
            scale=scale,
            answers=form.answers(),
            taken_at=moment_today(session.patient.site.timezone, data["taken_at"]),
            user=request.user,
            request=request,
        )

    if scale == ScaleCode.CADSS:
        return submit(
            request,
            session,
            form,
            write,
            form_name="cadss_form",
            anchor="scales",
            success="CADSS recorded.",
        )
    return submit(
        request,
        session,
        form,
        write,
        form_name="moaas_form",
        anchor="vitals",
        done=lambda _: _panel_or_chart(request, session, True),
        failed=lambda: _panel_or_chart(request, session, False, moaas_form=form),
    )


@chart_action(CHART_SESSION)
def moaas_view(request: HttpRequest, session) -> HttpResponse:
    return _scale(request, session, ScaleCode.MOAAS, MoaasForm(request.POST))


@chart_action(CHART_SESSION)
def cadss_view(request: HttpRequest, session) -> HttpResponse:
    return _scale(request, session, ScaleCode.CADSS, CadssForm(request.POST))


@chart_action(CHART_SESSION)
def adverse_event_view(request: HttpRequest, session) -> HttpResponse:
    def write(data: dict) -> None:
        onset_at = moment_today(session.patient.site.timezone, data.pop("onset_at"))
        record_adverse_event(session, onset_at=onset_at, **data, user=request.user, request=request)

    return submit(
        request,
        session,
        AdverseEventForm(request.POST),
        write,
        form_name="adverse_form",
        anchor="events",
        success="Adverse event recorded.",
    )


@chart_action(CHART_SESSION)
def rescue_medication_view(request: HttpRequest, session) -> HttpResponse:
    def write(data: dict) -> None:
        given_at = moment_today(session.patient.site.timezone, data.pop("given_at"))
        record_rescue_medication(
            session, given_at=given_at, **data, user=request.user, request=request
        )

    return submit(
        request,
        session,
        RescueMedicationForm(request.POST),
        write,
        form_name="rescue_form",
        anchor="events",
        success="Rescue medication recorded.",
    )
