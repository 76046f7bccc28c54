"""Treatment plans: create from a signed screening, view, reschedule, re-dose, pause or stop."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, require_permission
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.dosing_weight import dosing_weight
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.conflicts import PlanConflicts, parse_move
from ketaclinic.apps.treatment.course_changes import (
    change_course_status,
    change_target_dose,
    reschedule_session,
)
from ketaclinic.apps.treatment.forms import (
    CourseStatusForm,
    DoseChangeForm,
    PlanForm,
    RescheduleForm,
)
from ketaclinic.apps.treatment.models import Course, Screening, Session
from ketaclinic.apps.treatment.planning import PlanChoice, PlanRefused, plan_course
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError

# Each record fetched with what its page shows; which site's records: accounts.scoping.
SCREENINGS = Screening.objects.select_related("patient", "screened_by", "signed_by")
COURSES = Course.objects.select_related("patient", "prescriber", "screening")
SESSIONS = Session.objects.select_related("patient", "course")


def _refused(form, error: InputError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_permission("treatment.add_course")
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest, screening_id: int) -> HttpResponse:
    screening = get_for_user_or_404(
        SCREENINGS, request.user, "treatment.add_course", pk=screening_id
    )
    patient = screening.patient
    if not screening.may_plan:
        messages.error(request, "A plan needs a screening signed by a prescriber as proceed.")
        return redirect("treatment:screening", screening_id=screening.pk)
    if request.method == "GET" and screening.courses.exists():
        messages.error(
            request, "This screening already has a plan: screen the patient again to plan another."
        )
        return redirect("treatment:screening", screening_id=screening.pk)
    today = clock.today(patient.site.timezone)
    form = PlanForm(request.POST or None, screening=screening, initial={"starts_on": today})
    conflicts = []
    if request.method == "POST" and form.is_valid():
        protocol_id, variant = form.protocol_and_variant()
        data = form.cleaned_data
        try:
            choice = PlanChoice(
                protocol_id=protocol_id,
                variant=variant,
                starts_on=data["starts_on"],
                start_time=data["start_time"],
                target_dose_mg_per_kg=data["target_dose_mg_per_kg"],
                target_dose_mg=data["target_dose_mg"],
                chair=data["chair"],
                moves=dict(parse_move(token) for token in request.POST.getlist("move")),
                same_day_reason=data["same_day_reason"],
                indication=data["indication"],
            )
            outcome = plan_course(screening, choice, user=request.user, request=request)
        except PlanConflicts as error:
            conflicts = error.conflicts
            _refused(form, error)
            if any(c.same_day_only for c in conflicts) and data["same_day_reason"].strip():
                form.add_error("same_day_reason", "At least 10 characters: say why.")
        except InputError as error:
            _refused(form, error)
        else:
            messages.success(
                request, f"Plan created with {outcome.course.sessions.count()} sessions."
            )
            for note in outcome.notes:
                messages.warning(request, note)
            return redirect("treatment:course", course_id=outcome.course.pk)
    return render(
        request,
        "treatment/course_form.html",
        {
            "form": form,
            "screening": screening,
            "patient": patient,
            "weight": dosing_weight(patient, today),
            "conflicts": conflicts,
            "same_day_conflicts": any(c.same_day_only for c in conflicts),
            "accepted_moves": _kept_moves(request, conflicts),
        },
        status=422 if form.errors else 200,
    )


def _kept_moves(request: HttpRequest, conflicts: list) -> list[str]:
    """Suggestions accepted before, for sessions that no longer conflict: posted again."""
    if not conflicts:
        return []
    open_numbers = {c.number for c in conflicts}
    return [
        token
        for token in request.POST.getlist("move")
        if token.partition("|")[0].isdigit() and int(token.partition("|")[0]) not in open_numbers
    ]


def _course_context(request: HttpRequest, course, **forms) -> dict:
    can_change = request.user.has_perm("treatment.change_course")
    active = course.status in ("planned", "active", "paused")
    return {
        "course": course,
        "patient": course.patient,
        "sessions": list(course.sessions.all()),
        "can_change": can_change and active,
        "can_reschedule": request.user.has_perm("treatment.reschedule_session"),
        "dose_form": forms.get("dose_form") or DoseChangeForm(),
        "status_form": forms.get("status_form") or CourseStatusForm(),
        "planned": SessionStatus.PLANNED,
        "tz": course.site.timezone,
        "weight": dosing_weight(course.patient, clock.today(course.site.timezone)),
    }


@require_permission("treatment.view_course")
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_for_user_or_404(COURSES, request.user, "treatment.view_course", pk=course_id)
    record_event(
        request, Action.VIEW, object_type="course", object_id=course.pk, patient=course.patient
    )
    return render(request, "treatment/course_detail.html", _course_context(request, course))


@require_permission("treatment.change_course")
@require_http_methods(["POST"])
def course_dose(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_for_user_or_404(COURSES, request.user, "treatment.change_course", pk=course_id)
    form = DoseChangeForm(request.POST)
    if form.is_valid():
        try:
            change_target_dose(
                course,
                mg_per_kg=form.cleaned_data["target_dose_mg_per_kg"],
                mg=form.cleaned_data["target_dose_mg"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                request=request,
            )
        except InputError as error:
            _refused(form, error)
        else:
            messages.success(request, "Target dose changed; planned sessions updated.")
            return redirect("treatment:course", course_id=course.pk)
    context = _course_context(request, course, dose_form=form)
    return render(request, "treatment/course_detail.html", context, status=422)


@require_permission("treatment.change_course")
@require_http_methods(["POST"])
def course_status(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_for_user_or_404(COURSES, request.user, "treatment.change_course", pk=course_id)
    form = CourseStatusForm(request.POST)
    if form.is_valid():
        try:
            _course, cancelled = change_course_status(
                course,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                request=request,
            )
        except InputError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                f"Course {course.get_status_display().lower()}; "
                f"{cancelled} upcoming session(s) cancelled.",
            )
            return redirect("treatment:course", course_id=course.pk)
    context = _course_context(request, course, status_form=form)
    return render(request, "treatment/course_detail.html", context, status=422)


@require_permission("treatment.reschedule_session")
@require_http_methods(["GET", "POST"])
def session_reschedule(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_for_user_or_404(
        SESSIONS, request.user, "treatment.reschedule_session", pk=session_id
    )
    local = session.planned_start.astimezone(ZoneInfo(session.site.timezone))
    form = RescheduleForm(
        request.POST or None,
        initial={"day": local.date(), "at": local.time(), "chair": session.chair},
    )
    if request.method == "POST" and form.is_valid():
        try:
            _moved, notes = reschedule_session(
                session,
                day=form.cleaned_data["day"],
                at=form.cleaned_data["at"],
                chair=form.cleaned_data["chair"],
                user=request.user,
                request=request,
                reason=form.cleaned_data["reason"],
                same_day_reason=form.cleaned_data["same_day_reason"],
            )
        except PlanRefused as error:
            _refused(form, error)
        else:
            messages.success(request, f"Session {session.number} moved.")
            for note in notes:
                messages.warning(request, note)
            return redirect("treatment:course", course_id=session.course_id)
    return render(
        request,
        "treatment/session_reschedule.html",
        {"form": form, "session": session, "patient": session.patient, "local": local},
        status=422 if form.errors else 200,
    )
