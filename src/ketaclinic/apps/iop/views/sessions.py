"""A session's page: the attendance sheet for the whole roster (editable by the group's
facilitators, read-only for others who see attendance), each patient's hours this week,
and the facilitator's notes. Every read and write of patient lines is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import require_permission
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.iop.choices import AttendanceStatus
from ketaclinic.apps.iop.forms import NoteForm, read_attendance_sheet
from ketaclinic.apps.iop.leading import (
    READ_NOTE,
    SEE_ATTENDANCE,
    VIEW,
    may_read_notes,
    may_take_attendance,
    may_write_notes,
    session_for,
)
from ketaclinic.apps.iop.models import Attendance, IopNote
from ketaclinic.apps.iop.program import (
    check_attendance,
    roster_on,
    save_attendance,
    weekly_hours_for,
    write_note,
)
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.intensive_outpatient import MINIMUM_WEEKLY_HOURS, week_start


@require_permission(VIEW, SEE_ATTENDANCE)
@require_http_methods(["GET", "POST"])
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    """GET: the sheet; POST (facilitators of the group): record the whole roster at once."""
    session = session_for(request.user, session_id)
    group = session.group
    can_take = may_take_attendance(request.user, group, session)
    today = clock.today(group.site.timezone)
    roster = roster_on(session)
    row_errors: dict[int, dict] = {}
    posted = None
    if request.method == "POST":
        if not can_take:
            raise PermissionDenied
        if session.held_on > today:
            messages.error(request, "Attendance is taken on or after the day of the session.")
            return redirect("iop:session", session_id=session.pk)
        posted = request.POST
        rows, row_errors = read_attendance_sheet(request.POST, roster)
        if not row_errors:
            checked, problems = check_attendance(session, rows)
            for problem in problems:
                field = problem["field"]
                pk = rows[problem["index"]]["enrolment_id"]
                row_errors.setdefault(pk, {})[field] = problem["message"]
            if not problems:
                alerts = save_attendance(session, checked, by=request.user, request=request)
                note = f" {len(alerts)} absence alert(s) raised." if alerts else ""
                messages.success(request, f"Attendance saved for {len(checked)} patients.{note}")
                return redirect("iop:session", session_id=session.pk)
    recorded = {
        a.enrolment_id: a
        for a in Attendance.objects.filter(session=session).select_related("recorded_by")
    }
    notes = set()
    if may_read_notes(request.user, group):
        notes = set(IopNote.objects.filter(session=session).values_list("enrolment_id", flat=True))
    weeks_back = max(1, (week_start(today) - week_start(session.held_on)).days // 7 + 1)
    hours = weekly_hours_for(roster, as_of=max(today, session.held_on), weeks=weeks_back)
    session_week = week_start(session.held_on)
    lines = []
    for enrolment in roster:
        week = next((w for w in hours.get(enrolment.pk, []) if w.starts_on == session_week), None)
        record = recorded.get(enrolment.pk)
        lines.append(
            {
                "enrolment": enrolment,
                "record": record,
                "week": week,
                "has_note": enrolment.pk in notes,
                "errors": row_errors.get(enrolment.pk, {}),
                "status": _posted(posted, "status", enrolment.pk, record and record.status),
                "late": _posted(posted, "late", enrolment.pk, record and record.late_minutes),
                "early": _posted(
                    posted, "early", enrolment.pk, record and record.left_early_minutes
                ),
            }
        )
    record_event(
        request,
        Action.VIEW,
        object_type="iop_attendance",
        object_id=session.pk,
        site=group.site_id,
        detail={"patients": [e.patient_id for e in roster]},
    )
    context = {
        "session": session,
        "group": group,
        "lines": lines,
        "statuses": AttendanceStatus.choices,
        "can_take": can_take and session.held_on <= today,
        "is_future": session.held_on > today,
        "can_write_notes": may_write_notes(request.user, group, session),
        "can_read_notes": may_read_notes(request.user, group),
        "minimum": MINIMUM_WEEKLY_HOURS[group.population],
        "has_errors": bool(row_errors),
    }
    return render(request, "iop/attendance.html", context, status=422 if row_errors else 200)


def _posted(data, prefix: str, pk: int, stored) -> str:
    if data is not None:
        return data.get(f"{prefix}-{pk}", "")
    if stored in (None, 0, False):
        return ""
    return str(stored)


@require_permission(VIEW, READ_NOTE)
@require_http_methods(["GET", "POST"])
def session_note(request: HttpRequest, session_id: int, enrolment_id: int) -> HttpResponse:
    """One patient's note for one session: facilitators write it; prescribers and the
    director read it; front desk and nurses have no way in (403)."""
    session = session_for(request.user, session_id)
    group = session.group
    if not may_read_notes(request.user, group):
        raise PermissionDenied
    enrolment = next((e for e in roster_on(session) if e.pk == int(enrolment_id)), None)
    if enrolment is None:
        raise Http404("No such patient in this session")
    note = IopNote.objects.filter(session=session, enrolment=enrolment).first()
    can_write = may_write_notes(request.user, group, session)
    form = NoteForm(request.POST or None, initial={"text": note.text if note else ""})
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                write_note(
                    session=session,
                    enrolment=enrolment,
                    text=form.cleaned_data["text"],
                    by=request.user,
                    request=request,
                )
            except InputError as error:
                form.add_error("text", error.message)
            else:
                messages.success(request, f"Note saved for {enrolment.patient.full_name}.")
                return redirect("iop:session", session_id=session.pk)
    else:
        record_event(
            request,
            Action.VIEW,
            object_type="iop_note",
            object_id=note.pk if note else "",
            patient=enrolment.patient,
            detail={"session": session.pk},
        )
    context = {
        "session": session,
        "group": group,
        "enrolment": enrolment,
        "note": note,
        "form": form,
        "can_write": can_write,
    }
    return render(request, "iop/note.html", context, status=422 if form.errors else 200)
