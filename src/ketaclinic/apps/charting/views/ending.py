"""Discharge, and the esketamine REMS record."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.discharging import discharge
from ketaclinic.apps.charting.forms import (
    DischargeForm,
    RemsRecordForm,
    RemsSubmittedForm,
)
from ketaclinic.apps.charting.models import RemsRecord
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.rems import (
    SUBMISSION_DAYS,
    dose_deviations,
    mark_submitted,
    prefill,
    save_record,
)
from ketaclinic.apps.charting.views.base import (
    chart_action,
    chart_session,
    require_any_permission,
    submit,
)
from ketaclinic.apps.treatment.choices import Route

DISCHARGERS = ("charting.chart_session", "charting.override_discharge")


@chart_action(*DISCHARGERS)
def discharge_view(request: HttpRequest, session) -> HttpResponse:
    def write(data: dict):
        may_override = request.user.has_perm("charting.override_discharge")
        return discharge(
            session, **data, may_override=may_override, user=request.user, request=request
        )

    return submit(
        request,
        session,
        DischargeForm(request.POST),
        write,
        form_name="discharge_form",
        anchor="discharge",
        success=lambda record: (
            "Discharged." if record.ready else "Discharged on the prescriber's override."
        ),
    )


REMS = "charting.record_rems"


def _esketamine_only(session):
    if session.course.route != Route.ESKETAMINE:
        raise Http404("REMS records are for esketamine sessions")
    return session


@require_any_permission(REMS)
@require_http_methods(["GET", "POST"])
def rems_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _esketamine_only(chart_session(request, session_id, REMS))
    record = RemsRecord.objects.filter(session=session).first()
    if request.method == "POST":
        form = RemsRecordForm(request.POST, instance=record)
        if form.is_valid():
            try:
                save_record(session, form.cleaned_data, user=request.user, request=request)
            except ChartRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "REMS record saved.")
                return redirect("charting:rems", session_id=session.pk)
        status = 422
    else:
        form = RemsRecordForm(instance=record, initial=None if record else prefill(session))
        status = 200
        record_event(
            request,
            Action.VIEW,
            object_type="rems_record",
            object_id=record.pk if record else "",
            patient=session.patient,
            detail={"session": session.pk},
        )
    return render(
        request,
        "charting/rems_record.html",
        {
            "session": session,
            "patient": session.patient,
            "record": record,
            "form": form,
            "submitted_form": RemsSubmittedForm(),
            "submission_days": SUBMISSION_DAYS,
            "site_tz": session.patient.site.timezone,
            "deviations": dose_deviations(session),
        },
        status=status,
    )


@chart_action(REMS)
def rems_submitted_view(request: HttpRequest, session) -> HttpResponse:
    _esketamine_only(session)
    record = RemsRecord.objects.filter(session=session).select_related("session__patient").first()
    if record is None:
        messages.error(request, "Save the REMS record before marking it submitted.")
        return redirect("charting:rems", session_id=session.pk)
    form = RemsSubmittedForm(request.POST)
    form.is_valid()
    try:
        mark_submitted(
            record,
            reference=form.cleaned_data.get("reference", ""),
            user=request.user,
            request=request,
        )
    except ChartRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "REMS record marked submitted.")
    return redirect("charting:rems", session_id=session.pk)
