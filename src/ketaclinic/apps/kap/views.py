"""KAP pages: the caseload ("My KAP patients", or every program at one's sites), a program's
timeline with notes and scores, writing a note, starting and closing a program.

Who sees what is ``kap.assignment``; every read and write is audited (psychotherapy content is
sensitive: reading a program's notes is an event of its own kind of detail).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, require_permission, restrict
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.kap.assignment import (
    CLOSE,
    READ_NOTES,
    START,
    VIEW,
    VIEW_SITE,
    WRITE_NOTE,
    program_for,
    programs_for,
)
from ketaclinic.apps.kap.caseload import annotate_caseload
from ketaclinic.apps.kap.choices import NoteKind, ProgramStatus
from ketaclinic.apps.kap.enrolment import close_program, start_program, therapists_at
from ketaclinic.apps.kap.forms import CloseProgramForm, KapNoteForm, StartProgramForm, attach_errors
from ketaclinic.apps.kap.notes import SHAPES, session_problems, write_kap_note
from ketaclinic.apps.kap.refusals import KapRefused
from ketaclinic.apps.kap.timeline import build_timeline
from ketaclinic.apps.treatment.choices import CourseStatus
from ketaclinic.apps.treatment.models import Course, Session
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate, query_without_page

STATUS_TABS = (
    ("active", "In progress"),
    ("completed", "Completed"),
    ("stopped", "Ended early"),
    ("all", "All"),
)
EMPTY_LABELS = {
    "active": "in progress",
    "completed": "completed",
    "stopped": "ended early",
    "all": "",
}


@require_permission(VIEW)
def caseload(request: HttpRequest) -> HttpResponse:
    """A therapist's own programs ("My KAP patients"); site-wide readers see every program."""
    user = request.user
    site_wide = user.has_perm(VIEW_SITE)
    status = request.GET.get("status", "active")
    if status not in dict(STATUS_TABS):
        status = "active"
    programs = programs_for(user)
    if status != "all":
        programs = programs.filter(status=status)
    now = clock.now()
    programs = annotate_caseload(
        programs.select_related("patient", "site", "therapist", "co_therapist"), now
    ).order_by("-starts_on", "-id")
    page = paginate(programs, page_number(request.GET))
    unplanned = []
    if user.has_perm(START):
        unplanned = list(
            restrict(Course, user, START)
            .filter(
                protocol_id="kap",
                kap_program__isnull=True,
                status__in=(CourseStatus.PLANNED, CourseStatus.ACTIVE),
            )
            .select_related("patient", "site")
            .order_by("starts_on", "id")[:20]
        )
    record_listing(
        request,
        "kap_program",
        [p.patient_id for p in page.items] + [course.patient_id for course in unplanned],
        page=page.number,
        filters={"status": status, "site_wide": site_wide},
    )
    label = EMPTY_LABELS[status]
    if site_wide:
        empty_message = f"No KAP program {label} at your sites.".replace("  ", " ")
    else:
        empty_message = f"You have no KAP patients{' with a program ' + label if label else ''}."
    context = {
        "empty_message": empty_message,
        "page": page,
        "query": query_without_page(request.GET),
        "site_wide": site_wide,
        "status": status,
        "tabs": STATUS_TABS,
        "unplanned": unplanned,
        "can_read_notes": user.has_perm(READ_NOTES),
    }
    return render(request, "kap/caseload.html", context)


@require_permission(VIEW)
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_for(request.user, program_id)
    timeline = build_timeline(program, request.user, clock.now())
    record_event(
        request,
        Action.VIEW,
        object_type="kap_program",
        object_id=program.pk,
        patient=program.patient,
        detail={
            "notes_read": timeline.notes_written if timeline.can_read_notes else 0,
            "scores": timeline.can_see_scores,
        },
    )
    context = {
        "program": program,
        "patient": program.patient,
        "timeline": timeline,
        "can_close": request.user.has_perm(CLOSE) and program.status == ProgramStatus.ACTIVE,
    }
    return render(request, "kap/program.html", context)


def _session_of(request: HttpRequest, session_id: int) -> Session:
    """A session of a patient the user may see (another site's is a 404)."""
    sessions = Session.objects.select_related("course")
    return get_for_user_or_404(sessions, request.user, VIEW, WRITE_NOTE, pk=session_id)


@require_permission(VIEW, WRITE_NOTE)
@require_http_methods(["GET", "POST"])
def write_note(request: HttpRequest, program_id: int, session_id: int) -> HttpResponse:
    """The assigned therapist's note on one held session of the program."""
    program = program_for(request.user, program_id)
    if not program.is_therapist(request.user):
        raise PermissionDenied
    session = _session_of(request, session_id)
    now = clock.now()
    problems = session_problems(program, session, now)
    form = None
    if session.kind in SHAPES:
        form = KapNoteForm(request.POST if request.method == "POST" else None, kind=session.kind)
    status = 200
    if request.method == "POST":
        status = 422
        if form is not None and form.is_valid():
            try:
                write_kap_note(
                    program,
                    session,
                    parts=form.cleaned_data,
                    user=request.user,
                    now=now,
                    request=request,
                )
            except KapRefused as refused:
                attach_errors(form, refused.errors)
            else:
                messages.success(request, f"{NoteKind(session.kind).label} note saved.")
                return redirect("kap:program", program_id=program.pk)
    else:
        record_event(
            request,
            Action.VIEW,
            object_type="kap_program",
            object_id=program.pk,
            patient=program.patient,
            detail={"note_form": session.pk},
        )
    context = {
        "program": program,
        "patient": program.patient,
        "session": session,
        "problems": problems,
        "form": form,
        "kind_label": NoteKind(session.kind).label if session.kind in SHAPES else "Session",
    }
    return render(request, "kap/note_form.html", context, status=status)


@require_permission(VIEW, START)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, course_id: int) -> HttpResponse:
    """Start a KAP program on a course: therapist, co-therapist, the patient's goals."""
    courses = Course.objects.select_related("patient__site")
    course = get_for_user_or_404(courses, request.user, VIEW, START, pk=course_id)
    therapists = therapists_at(course.site_id)
    form = StartProgramForm(
        request.POST if request.method == "POST" else None,
        therapists=therapists,
        initial={"starts_on": course.starts_on},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            program = start_program(
                course,
                therapist=data["therapist"],
                co_therapist=data["co_therapist"],
                goals=data["goals"],
                starts_on=data["starts_on"],
                user=request.user,
                now=clock.now(),
                request=request,
            )
        except KapRefused as refused:
            attach_errors(form, refused.errors)
        else:
            messages.success(request, "KAP program started.")
            return redirect("kap:program", program_id=program.pk)
    context = {"course": course, "patient": course.patient, "form": form}
    return render(request, "kap/start.html", context, status=422 if form.errors else 200)


@require_permission(VIEW, CLOSE)
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_for(request.user, program_id)
    form = CloseProgramForm(
        request.POST if request.method == "POST" else None,
        initial={"ended_on": clock.today(program.site.timezone)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            close_program(
                program,
                status=data["status"],
                ended_on=data["ended_on"],
                reason=data["end_reason"],
                request=request,
            )
        except KapRefused as refused:
            attach_errors(form, refused.errors)
        else:
            messages.success(request, f"Program marked {program.get_status_display().lower()}.")
            return redirect("kap:program", program_id=program.pk)
    context = {"program": program, "patient": program.patient, "form": form}
    return render(request, "kap/close.html", context, status=422 if form.errors else 200)
