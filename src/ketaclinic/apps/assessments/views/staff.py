"""Staff pages: a patient's assessments, entering one, its detail, correcting it, and
sending a self-report link. Every read and write is audited; access goes through
``accounts.scoping`` (another site's patient is a 404).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, require_permission, restrict
from ketaclinic.apps.assessments.forms import (
    CorrectionForm,
    EntryDetailsForm,
    InstrumentForm,
    ScheduleForm,
    SendLinkForm,
)
from ketaclinic.apps.assessments.links import deliver_link, issue_link, link_url
from ketaclinic.apps.assessments.models import (
    Assessment,
    QuestionnaireSchedule,
    SelfReportLink,
)
from ketaclinic.apps.assessments.naming import short_title
from ketaclinic.apps.assessments.recording import (
    AlreadyCorrected,
    correct_assessment,
    record_assessment,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate
from ketaclinic.apps.web.rendering import render_page_or_fragment
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.scales import INSTRUMENTS, get_scale, list_scales

VIEW = "assessments.view_assessment"
ADD = "assessments.add_assessment"
SEND = "assessments.add_selfreportlink"
SCHEDULE = "assessments.add_questionnaireschedule"
STOP_SCHEDULE = "assessments.change_questionnaireschedule"


def _assessment_for(user, assessment_id: int, permission: str = VIEW) -> Assessment:
    """One assessment of a patient the user may see, else 404. Scoped through the patient's
    site by a join (the row by key, then its patient), not ``patient IN (every patient at the
    user's sites)``, which SQLite builds in full on every read."""
    try:
        return (
            restrict(Assessment, user, permission, site_path="patient__site")
            .select_related("patient__site", "entered_by", "session", "corrects")
            .get(pk=assessment_id)
        )
    except Assessment.DoesNotExist:
        raise Http404("No such assessment") from None


@require_permission(VIEW)
def assessment_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, VIEW, pk=patient_id)
    assessments = patient.assessments.select_related("entered_by", "superseded_by").order_by(
        "-taken_at", "-id"
    )
    instrument = request.GET.get("instrument", "")
    if instrument in INSTRUMENTS:
        assessments = assessments.filter(instrument=instrument)
    page = paginate(assessments, page_number(request.GET))
    record_event(
        request,
        Action.VIEW,
        object_type="assessment",
        patient=patient,
        detail={"list": True, "page": page.number},
    )
    context = {
        "patient": patient,
        "page": page,
        "instrument": instrument,
        "instruments": [(i.id, short_title(i)) for i in list_scales()],
        "query": f"instrument={instrument}" if instrument in INSTRUMENTS else "",
        "can_add": request.user.has_perm(ADD),
        "can_send": request.user.has_perm(SEND),
    }
    return render_page_or_fragment(
        request, "assessments/assessment_list.html", "assessments/_assessment_rows.html", context
    )


@require_permission(ADD)
def choose_instrument(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, ADD, pk=patient_id)
    return render(
        request,
        "assessments/choose_instrument.html",
        {"patient": patient, "instruments": list_scales()},
    )


def _entry_details(request: HttpRequest, patient, data=None) -> EntryDetailsForm:
    now = clock.now()
    sessions = Session.objects.filter(patient=patient).order_by("-planned_start")[:30]
    local_now = timezone.localtime(now, ZoneInfo(patient.site.timezone))
    return EntryDetailsForm(
        data,
        sessions=Session.objects.filter(pk__in=[s.pk for s in sessions]).order_by("-planned_start"),
        now=now,
        initial={"taken_at": local_now.strftime("%Y-%m-%dT%H:%M")},
    )


@require_permission(ADD)
@require_http_methods(["GET", "POST"])
def assessment_enter(request: HttpRequest, patient_id: int, instrument: str) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, ADD, pk=patient_id)
    if instrument not in INSTRUMENTS:
        raise Http404("No such instrument")
    data = request.POST if request.method == "POST" else None
    form = InstrumentForm(instrument, data)
    with timezone.override(ZoneInfo(patient.site.timezone)):
        details = _entry_details(request, patient, data)
        valid = [details.is_valid(), form.is_valid()]
    if all(valid):
        try:
            assessment = record_assessment(
                patient=patient,
                instrument=instrument,
                answers=form.answers(),
                taken_at=details.cleaned_data["taken_at"],
                entered_by=request.user,
                session=details.cleaned_data["session"],
                request=request,
            )
        except InputError as error:  # pragma: no cover - the form ran the same checks
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            _announce(request, assessment)
            return redirect("assessments:detail", assessment_id=assessment.pk)
    context = {"patient": patient, "form": form, "details": details, "correcting": None}
    status = 422 if data is not None else 200
    return render(request, "assessments/assessment_form.html", context, status=status)


def _announce(request: HttpRequest, assessment: Assessment) -> None:
    name = short_title(assessment.instrument)
    score = assessment.total if assessment.total is not None else assessment.band_label
    if assessment.has_alert:
        messages.error(
            request,
            f"{name} saved ({score}). Safety alert raised for the prescriber: assess risk now.",
        )
    else:
        messages.success(request, f"{name} saved ({score}).")


@require_permission(VIEW)
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment_for(request.user, assessment_id)
    record_event(
        request,
        Action.VIEW,
        object_type="assessment",
        object_id=assessment.pk,
        patient=assessment.patient,
    )
    instrument = get_scale(assessment.instrument)
    rows = []
    for item in instrument.items:
        value = assessment.answers.get(item.key)
        option = next((o for o in item.options if o.value == value), None)
        rows.append(
            {
                "number": item.number,
                "label": item.label,
                "text": item.text,
                "value": value,
                "option_label": option.label if option else "",
                "flagged": any(f.get("item") == item.key for f in assessment.flags),
            }
        )
    superseded_by = Assessment.objects.filter(corrects=assessment).first()
    context = {
        "assessment": assessment,
        "patient": assessment.patient,
        "instrument": instrument,
        "short_title": short_title(instrument),
        "rows": rows,
        "superseded_by": superseded_by,
        "can_correct": request.user.has_perm(ADD) and superseded_by is None,
    }
    return render(request, "assessments/assessment_detail.html", context)


@require_permission(VIEW, ADD)
@require_http_methods(["GET", "POST"])
def assessment_correct(request: HttpRequest, assessment_id: int) -> HttpResponse:
    original = _assessment_for(request.user, assessment_id, ADD)
    if Assessment.objects.filter(corrects=original).exists():
        messages.warning(request, "This version was corrected already; correct the latest one.")
        return redirect("assessments:detail", assessment_id=original.pk)
    data = request.POST if request.method == "POST" else None
    form = InstrumentForm(original.instrument, data, initial_answers=original.answers)
    reason = CorrectionForm(data)
    valid = [reason.is_valid(), form.is_valid()]
    if all(valid):
        try:
            correction = correct_assessment(
                original,
                answers=form.answers(),
                reason=reason.cleaned_data["reason"],
                entered_by=request.user,
                request=request,
            )
        except AlreadyCorrected:
            messages.warning(request, "Someone corrected this a moment ago; check the latest.")
            return redirect("assessments:detail", assessment_id=original.pk)
        _announce(request, correction)
        return redirect("assessments:detail", assessment_id=correction.pk)
    context = {
        "patient": original.patient,
        "form": form,
        "reason_form": reason,
        "correcting": original,
    }
    status = 422 if data is not None else 200
    return render(request, "assessments/assessment_form.html", context, status=status)


@require_permission(SEND)
@require_http_methods(["GET", "POST"])
def send_link(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, SEND, pk=patient_id)
    form = SendLinkForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        issued = issue_link(
            patient=patient,
            instruments=form.cleaned_data["instruments"],
            created_by=request.user,
            sent_via=form.cleaned_data["sent_via"],
            lifetime=dt.timedelta(hours=form.cleaned_data["lifetime_hours"]),
            request=request,
        )
        problem = deliver_link(issued, base_url=request.build_absolute_uri("/"), request=request)
        context = {
            "patient": patient,
            "link": issued.link,
            "url": link_url(issued.token, request.build_absolute_uri("/")),
            "problem": problem,
            "titles": [short_title(key) for key in issued.link.instruments],
        }
        response = render(request, "assessments/link_created.html", context)
        response["Cache-Control"] = "no-store"
        return response
    return _send_page(request, patient, form)


def _send_page(request: HttpRequest, patient, form=None, schedule_form=None) -> HttpResponse:
    links = list(SelfReportLink.objects.filter(patient=patient).select_related("created_by")[:10])
    schedules = list(
        QuestionnaireSchedule.objects.filter(patient=patient, active=True).order_by("id")
    )
    now = clock.now()
    record_event(
        request, Action.VIEW, object_type="self_report_link", patient=patient, detail={"list": True}
    )
    can_schedule = request.user.has_perm(SCHEDULE)
    context = {
        "patient": patient,
        "form": form if form is not None else SendLinkForm(patient=patient),
        "links": [(link, link.state(now)) for link in links],
        "schedules": schedules,
        "can_schedule": can_schedule,
        "can_stop": request.user.has_perm(STOP_SCHEDULE),
        "schedule_form": schedule_form or (ScheduleForm(patient=patient) if can_schedule else None),
    }
    failed = (form is not None and form.errors) or (schedule_form is not None)
    return render(request, "assessments/send_link.html", context, status=422 if failed else 200)


@require_permission(SEND, SCHEDULE)
@require_POST
def schedule_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, SCHEDULE, pk=patient_id)
    form = ScheduleForm(request.POST, patient=patient)
    if not form.is_valid():
        return _send_page(request, patient, schedule_form=form)
    with transaction.atomic():
        schedule = form.save(commit=False)
        schedule.patient = patient
        schedule.created_by = request.user
        schedule.save()
        record_event(
            request,
            Action.CREATE,
            object_type="questionnaire_schedule",
            object_id=schedule.pk,
            patient=patient,
            detail={"instruments": schedule.instruments, "rule": schedule.rule},
        )
    messages.success(request, f"Scheduled: {schedule}.")
    return redirect("assessments:send-link", patient_id=patient.pk)


@require_permission(SEND, STOP_SCHEDULE)
@require_POST
def schedule_stop(request: HttpRequest, schedule_id: int) -> HttpResponse:
    try:
        schedule = QuestionnaireSchedule.objects.select_related("patient").get(
            pk=schedule_id, patient__in=restrict(Patient, request.user, STOP_SCHEDULE)
        )
    except QuestionnaireSchedule.DoesNotExist:
        raise Http404("No such schedule") from None
    with transaction.atomic():
        QuestionnaireSchedule.objects.filter(pk=schedule.pk).update(active=False)
        record_event(
            request,
            Action.UPDATE,
            object_type="questionnaire_schedule",
            object_id=schedule.pk,
            patient=schedule.patient,
            detail={"active": False},
        )
    messages.success(request, f"Stopped: {schedule}.")
    return redirect("assessments:send-link", patient_id=schedule.patient_id)
