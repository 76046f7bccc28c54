"""Discharge, and the esketamine REMS record: every view a ``chart_action``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

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
from ketaclinic.apps.charting.models import Discharge, RemsEnrolment, RemsRecord
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
from ketaclinic.apps.charting.views.base import chart_action, chart_with_errors, submit
from ketaclinic.apps.treatment.choices import Route
from ketaclinic.apps.web import clock
from ketaclinic.clinical.rems_form import FIELDS, FORM_VERSION, SECTIONS

FORM_FIELDS = {f.name: f for f in FIELDS}
DISCHARGERS = ("charting.chart_session", "charting.override_discharge")


@chart_action(*DISCHARGERS)
def discharge_view(request: HttpRequest, session) -> HttpResponse:
    form = DischargeForm(request.POST)

    def write(data: dict) -> Discharge | HttpResponse:
        try:
            return discharge(
                session,
                **{k: v for k, v in data.items() if k not in DischargeForm.REMS_FIELDS},
                may_override=request.user.has_perm("charting.override_discharge"),
                user=request.user,
                request=request,
                rems_answers=form.rems_answers(),
            )
        except RemsIncomplete as error:
            for problem in error.problems:
                attach_error(form, problem)
            return chart_with_errors(request, session, discharge_form=form)

    return submit(
        request,
        session,
        form,
        write,
        form_name="discharge_form",
        anchor="discharge",
        success=lambda record: (
            "Discharged." if record.ready else "Discharged on the prescriber's override."
        ),
    )


RECORD = "charting.record_rems"
READ = (RECORD, "charting.view_rems_dashboard")
"""Who may read a session's REMS form (and its PDF); only ``RECORD`` may change it."""


def rems_action(*permissions: str, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """A ``chart_action`` on an esketamine session's REMS form: any other session is a 404."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @chart_action(*permissions, methods=methods)
        @wraps(view)
        def wrapped(request: HttpRequest, session, **kwargs: Any) -> HttpResponse:
            if session.course.route != Route.ESKETAMINE:
                raise Http404("REMS records are for esketamine sessions")
            return view(request, session, **kwargs)

        return wrapped

    return decorator


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


@rems_action(*READ, methods=("GET", "POST"))
def rems_view(request: HttpRequest, session) -> HttpResponse:
    record = RemsRecord.objects.filter(session=session).first()
    if request.method == "POST":
        if not request.user.has_perm(RECORD):
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


@rems_action(*READ, methods=("GET",))
def rems_pdf_view(request: HttpRequest, session) -> HttpResponse:
    """The document that was sent, or the form as it stands now."""
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


@rems_action(RECORD)
def rems_resend_view(request: HttpRequest, session) -> HttpResponse:
    record = get_object_or_404(RemsRecord, session=session)
    resend(record, user=request.user, now=clock.now(), request=request)
    messages.success(request, "The REMS form is queued to send again.")
    return redirect("charting:rems", session_id=session.pk)


@rems_action(RECORD)
def rems_enrolment_view(request: HttpRequest, session) -> HttpResponse:
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


@rems_action(RECORD)
def rems_submitted_view(request: HttpRequest, session) -> HttpResponse:
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
