"""Discharge, and the esketamine REMS record."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import RemsStatus
from ketaclinic.apps.charting.discharging import discharge
from ketaclinic.apps.charting.forms import (
    DischargeForm,
    RemsEnrolmentForm,
    RemsRecordForm,
    RemsSubmittedForm,
    attach_error,
)
from ketaclinic.apps.charting.models import RemsEnrolment, RemsRecord
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.rems import (
    SUBMISSION_DAYS,
    RemsIncomplete,
    dose_deviations,
    mark_submitted,
    prefill,
    record_enrolment,
    save_record,
)
from ketaclinic.apps.charting.rems_pdf import document_reference, render_form_pdf
from ketaclinic.apps.charting.rems_sending import resend
from ketaclinic.apps.charting.views.base import (
    back_to_chart,
    chart_session,
    chart_with_errors,
    refused,
    require_any_permission,
)
from ketaclinic.apps.treatment.choices import Route
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.rems_form import FIELDS, FORM_VERSION, SECTIONS

FORM_FIELDS = {f.name: f for f in FIELDS}
DISCHARGERS = ("charting.chart_session", "charting.override_discharge")


@require_any_permission(*DISCHARGERS)
@require_POST
def discharge_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = chart_session(request, session_id, *DISCHARGERS)
    form = DischargeForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in DischargeForm.REMS_FIELDS}
        may_override = request.user.has_perm("charting.override_discharge")
        try:
            record = discharge(
                session,
                **data,
                may_override=may_override,
                user=request.user,
                request=request,
                rems_answers=form.rems_answers(),
            )
        except InputError as error:
            attach_error(form, error)
        except RemsIncomplete as error:
            for problem in error.problems:
                attach_error(form, problem)
        except ChartRefused as error:
            return refused(request, session, error)
        else:
            messages.success(
                request,
                "Discharged." if record.ready else "Discharged on the prescriber's override.",
            )
            return back_to_chart(session, "discharge")
    return chart_with_errors(request, session, discharge_form=form)


def _esketamine_session(request: HttpRequest, session_id: int, *permissions: str):
    session = chart_session(request, session_id, *(permissions or ("charting.record_rems",)))
    if session.course.route != Route.ESKETAMINE:
        raise Http404("REMS records are for esketamine sessions")
    return session


def _sections(form: RemsRecordForm) -> list[tuple[str, list]]:
    """The page's fieldsets follow the printed form's sections."""
    titles = dict(SECTIONS)
    grouped: dict[str, list] = {code: [] for code in titles}
    for name in form.fields:
        spec = FORM_FIELDS.get(name)
        grouped[spec.section if spec else "session"].append(form[name])
    return [(titles[code], fields) for code, fields in grouped.items()]


def _rems_page(request, session, record, form, status: int) -> HttpResponse:
    due_at = (session.discharged_at or session.planned_start) + dt.timedelta(days=SUBMISSION_DAYS)
    return render(
        request,
        "charting/rems_record.html",
        {
            "session": session,
            "patient": session.patient,
            "record": record,
            "form": form,
            "sections": _sections(form),
            "locked": record is not None and record.status in (RemsStatus.SENT, RemsStatus.MARKED),
            "attempts": list(record.attempt_log.all()) if record else [],
            "due_at": due_at,
            "overdue": due_at <= clock.now()
            and (record is None or record.status not in (RemsStatus.SENT, RemsStatus.MARKED)),
            "enrolment": RemsEnrolment.objects.filter(patient=session.patient).first(),
            "enrolment_form": RemsEnrolmentForm(),
            "submitted_form": RemsSubmittedForm(),
            "submission_days": SUBMISSION_DAYS,
            "form_version": FORM_VERSION,
            "site_tz": session.patient.site.timezone,
            "deviations": dose_deviations(session),
            "can_record": request.user.has_perm("charting.record_rems"),
            "can_dashboard": request.user.has_perm("charting.view_rems_dashboard"),
        },
        status=status,
    )


@require_any_permission("charting.record_rems", "charting.view_rems_dashboard")
@require_http_methods(["GET", "POST"])
def rems_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _esketamine_session(
        request, session_id, "charting.record_rems", "charting.view_rems_dashboard"
    )
    record = RemsRecord.objects.filter(session=session).first()
    if request.method == "POST":
        if not request.user.has_perm("charting.record_rems"):
            raise PermissionDenied
        form = RemsRecordForm(request.POST, instance=record)
        if form.is_valid():
            try:
                save_record(session, form.cleaned_data, user=request.user, request=request)
            except ChartRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "REMS form saved.")
                return redirect("charting:rems", session_id=session.pk)
        return _rems_page(request, session, record, form, 422)
    form = RemsRecordForm(instance=record, initial=None if record else prefill(session))
    record_event(
        request,
        Action.VIEW,
        object_type="rems_record",
        object_id=record.pk if record else "",
        patient=session.patient,
        detail={"session": session.pk},
    )
    return _rems_page(request, session, record, form, 200)


@require_any_permission("charting.record_rems", "charting.view_rems_dashboard")
@require_GET
def rems_pdf_view(request: HttpRequest, session_id: int) -> HttpResponse:
    """The document that was sent, or the form as it stands now."""
    session = _esketamine_session(
        request, session_id, "charting.record_rems", "charting.view_rems_dashboard"
    )
    record = RemsRecord.objects.filter(session=session).select_related("prepared_by").first()
    if record is None:
        raise Http404("No REMS form yet")
    pdf = bytes(record.document_pdf) if record.document_pdf else render_form_pdf(record)
    record_event(
        request,
        Action.EXPORT,
        object_type="rems_record",
        object_id=record.pk,
        patient=session.patient,
        detail={"session": session.pk, "format": "pdf"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document_reference(record)}.pdf"'
    return response


@require_any_permission("charting.record_rems")
@require_POST
def rems_resend_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _esketamine_session(request, session_id)
    record = get_object_or_404(RemsRecord, session=session)
    resend(record, user=request.user, now=clock.now(), request=request)
    messages.success(request, "The REMS form is queued to send again.")
    return redirect("charting:rems", session_id=session.pk)


@require_any_permission("charting.record_rems")
@require_POST
def rems_enrolment_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _esketamine_session(request, session_id)
    form = RemsEnrolmentForm(request.POST)
    if form.is_valid():
        record_enrolment(
            session.patient,
            enrolled_on=form.cleaned_data["enrolled_on"],
            rems_patient_id=form.cleaned_data["rems_patient_id"],
            user=request.user,
            request=request,
        )
        messages.success(request, "REMS enrolment recorded.")
    else:
        messages.error(request, "Give the enrolment date.")
    return redirect("charting:rems", session_id=session.pk)


@require_any_permission("charting.record_rems")
@require_POST
def rems_submitted_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _esketamine_session(request, session_id)
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
