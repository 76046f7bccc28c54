"""The IOP's workings: enrolling and discharging, scheduling sessions, recording attendance
(with the alert for a run of unexcused absences), writing notes and counting hours a week.

The counting rules come from ``clinical.intensive_outpatient``; this module stores, audits
and raises alerts, each write in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.iop.choices import GroupStatus, SessionStatus
from ketaclinic.apps.iop.models import Attendance, GroupSession, IopEnrolment, IopGroup, IopNote
from ketaclinic.apps.treatment.choices import CourseStatus
from ketaclinic.apps.treatment.models import Course
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.intensive_outpatient import (
    ABSENCE_RUN_FOR_ALERT,
    AttendanceStatus,
    WeekHours,
    attended_minutes,
    sessions_between,
    unexcused_run,
    week_start,
    weekly_hours,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "ABSENCE_SOURCE",
    "AttendanceRow",
    "alert_if_absence_run",
    "check_attendance",
    "current_courses",
    "discharge",
    "enrol",
    "plan_sessions",
    "roster_on",
    "save_attendance",
    "schedule_session",
    "weekly_hours_for",
    "write_note",
]

ABSENCE_SOURCE = "iop_absences"
CURRENT_COURSE_STATUSES = (CourseStatus.ACTIVE, CourseStatus.PAUSED, CourseStatus.PLANNED)
WEEKS_SHOWN = 6


def current_courses(patient_ids: list[int]) -> dict[int, Course]:
    """Each patient's current ketamine course (active, paused or planned; newest first), in
    one query, to show beside their IOP enrolment."""
    courses: dict[int, Course] = {}
    rows = Course.objects.filter(
        patient_id__in=patient_ids, status__in=CURRENT_COURSE_STATUSES
    ).order_by("patient_id", "-starts_on", "-id")
    for course in rows:
        courses.setdefault(course.patient_id, course)
    return courses


def enrol(
    *,
    group: IopGroup,
    patient: Any,
    starts_on: dt.date,
    planned_hours_per_week: Decimal,
    by: Any,
    request: HttpRequest | None = None,
) -> IopEnrolment:
    """Put a patient on the roster; refuses a full group, a closed one, another site's
    patient and a second open enrolment in the same group (InputError naming the field)."""
    if patient.site_id != group.site_id:
        raise InputError("patient", "the patient is registered at another site")
    if group.status == GroupStatus.CLOSED:
        raise InputError("group", "the group is closed")
    if starts_on < group.starts_on or (group.ends_on and starts_on > group.ends_on):
        raise InputError("starts_on", "must fall within the group's dates")
    with transaction.atomic():
        IopGroup.objects.select_for_update().get(pk=group.pk)
        open_enrolments = IopEnrolment.objects.filter(group=group, ended_on__isnull=True)
        if open_enrolments.filter(patient=patient).exists():
            raise InputError("patient", "is already on this group's roster")
        if open_enrolments.count() >= group.capacity:
            raise InputError("group", f"the group is full ({group.capacity} places)")
        enrolment = IopEnrolment.objects.create(
            group=group,
            patient=patient,
            starts_on=starts_on,
            planned_hours_per_week=planned_hours_per_week,
            enrolled_by=by,
            created_at=clock.now(),
        )
        record_event(
            request,
            Action.CREATE,
            object_type="iop_enrolment",
            object_id=enrolment.pk,
            patient=patient,
            detail={"group": group.pk, "planned_hours_per_week": str(planned_hours_per_week)},
        )
    return enrolment


def discharge(
    *,
    enrolment: IopEnrolment,
    ended_on: dt.date,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> IopEnrolment:
    """Take a patient off the roster with the date and the reason."""
    if enrolment.ended_on is not None:
        raise InputError("ended_on", "the patient has left this group already")
    if ended_on < enrolment.starts_on:
        raise InputError("ended_on", "cannot be before the enrolment started")
    with transaction.atomic():
        enrolment.ended_on = ended_on
        enrolment.end_reason = reason
        enrolment.end_note = note
        enrolment.save(update_fields=["ended_on", "end_reason", "end_note"])
        record_event(
            request,
            Action.UPDATE,
            object_type="iop_enrolment",
            object_id=enrolment.pk,
            patient=enrolment.patient,
            detail={"ended_on": ended_on.isoformat(), "reason": reason},
        )
    return enrolment


def schedule_session(
    *,
    group: IopGroup,
    held_on: dt.date,
    starts_at: dt.time,
    duration_minutes: int,
    topic: str,
    facilitator: Any,
    request: HttpRequest | None = None,
) -> GroupSession:
    """Add one session to the group's calendar (led by one of its facilitators)."""
    if not group.facilitators.filter(pk=facilitator.pk).exists():
        raise InputError("facilitator", "is not one of this group's facilitators")
    if held_on < group.starts_on or (group.ends_on and held_on > group.ends_on):
        raise InputError("held_on", "must fall within the group's dates")
    try:
        with transaction.atomic():
            session = GroupSession.objects.create(
                group=group,
                held_on=held_on,
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                topic=topic,
                facilitator=facilitator,
            )
            record_event(
                request,
                Action.CREATE,
                object_type="iop_session",
                object_id=session.pk,
                site=group.site_id,
                detail={"group": group.pk, "held_on": held_on.isoformat()},
            )
    except IntegrityError:
        raise InputError("held_on", "the group already meets at that date and time") from None
    return session


def plan_sessions(
    *,
    group: IopGroup,
    first_day: dt.date,
    weeks: int,
    request: HttpRequest | None = None,
) -> list[GroupSession]:
    """Put the group's regular sessions on the calendar for ``weeks`` weeks from
    ``first_day`` (its meeting days, start time and length, led by its first facilitator),
    skipping slots already taken and days outside the group's dates. Returns those created."""
    if not 1 <= weeks <= 12:
        raise InputError("weeks", "plan between 1 and 12 weeks at a time")
    facilitator = group.facilitators.order_by("last_name", "pk").first()
    if facilitator is None:
        raise InputError("group", "give the group a facilitator first")
    if not group.meeting_weekdays:
        raise InputError("group", "give the group its meeting days first")
    last_day = first_day + dt.timedelta(weeks=weeks, days=-1)
    if group.ends_on:
        last_day = min(last_day, group.ends_on)
    first_day = max(first_day, group.starts_on)
    if last_day < first_day:
        return []
    taken = set(
        GroupSession.objects.filter(
            group=group, held_on__gte=first_day, held_on__lte=last_day
        ).values_list("held_on", "starts_at")
    )
    days = sessions_between(first_day, last_day, group.meeting_weekdays)
    with transaction.atomic():
        created = GroupSession.objects.bulk_create(
            [
                GroupSession(
                    group=group,
                    held_on=day,
                    starts_at=group.session_starts_at,
                    duration_minutes=group.session_minutes,
                    facilitator=facilitator,
                )
                for day in days
                if (day, group.session_starts_at) not in taken
            ]
        )
        record_event(
            request,
            Action.CREATE,
            object_type="iop_session",
            site=group.site_id,
            detail={"group": group.pk, "planned": [s.held_on.isoformat() for s in created]},
        )
    return created


def roster_on(session: GroupSession) -> list[IopEnrolment]:
    """The patients on the group's roster on the session's date."""
    return list(
        IopEnrolment.objects.filter(group_id=session.group_id, starts_on__lte=session.held_on)
        .exclude(ended_on__lt=session.held_on)
        .select_related("patient", "group")
    )


@dataclass(frozen=True)
class AttendanceRow:
    """One checked line of an attendance sheet."""

    enrolment: IopEnrolment
    status: str
    late_minutes: int
    left_early_minutes: int
    attended_minutes: int


def check_attendance(
    session: GroupSession, rows: list[dict]
) -> tuple[list[AttendanceRow], list[dict]]:
    """Check every line of an attendance sheet; return the good lines and every problem.

    Each row is ``{"enrolment_id", "status", "late_minutes", "left_early_minutes"}``; each
    problem ``{"index", "field", "message", "code"}`` so a page marks the line and an API
    names ``records.<index>.<field>``. Nothing is saved unless there are no problems.
    """
    roster = {e.pk: e for e in roster_on(session)}
    checked: list[AttendanceRow] = []
    problems: list[dict] = []
    seen: set[int] = set()
    for index, row in enumerate(rows):
        enrolment = roster.get(row.get("enrolment_id"))
        if enrolment is None:
            problems.append(
                {
                    "index": index,
                    "field": "enrolment_id",
                    "message": "not on this group's roster on the session's date",
                    "code": "not_on_roster",
                }
            )
            continue
        if enrolment.pk in seen:
            problems.append(
                {
                    "index": index,
                    "field": "enrolment_id",
                    "message": "this patient appears twice on the sheet",
                    "code": "duplicate",
                }
            )
            continue
        seen.add(enrolment.pk)
        late = row.get("late_minutes") or 0
        early = row.get("left_early_minutes") or 0
        try:
            minutes = attended_minutes(session.duration_minutes, row.get("status", ""), late, early)
        except InputError as error:
            problems.append(
                {
                    "index": index,
                    "field": error.field,
                    "message": error.message,
                    "code": type(error).__name__,
                }
            )
            continue
        checked.append(AttendanceRow(enrolment, row["status"], late, early, minutes))
    return checked, problems


def save_attendance(
    session: GroupSession,
    rows: list[AttendanceRow],
    *,
    by: Any,
    request: HttpRequest | None = None,
) -> list[Alert]:
    """Store checked lines (replacing earlier ones for the same patients), mark the session
    held, audit each patient's line, and alert the care team when a line completes a run of
    unexcused absences. Returns the alerts raised."""
    now = clock.now()
    alerts = []
    with transaction.atomic():
        existing = {
            a.enrolment_id: a
            for a in Attendance.objects.select_for_update().filter(
                session=session, enrolment__in=[r.enrolment for r in rows]
            )
        }
        for row in rows:
            record = existing.get(row.enrolment.pk) or Attendance(
                session=session, enrolment=row.enrolment
            )
            action = Action.UPDATE if record.pk else Action.CREATE
            record.status = row.status
            record.late_minutes = row.late_minutes
            record.left_early_minutes = row.left_early_minutes
            record.attended_minutes = row.attended_minutes
            record.recorded_by = by
            record.recorded_at = now
            record.save()
            record_event(
                request,
                action,
                object_type="iop_attendance",
                object_id=record.pk,
                patient=row.enrolment.patient,
                detail={"session": session.pk, "status": row.status},
            )
            if row.status == AttendanceStatus.ABSENT_UNEXCUSED:
                alert = alert_if_absence_run(session, row.enrolment, request)
                if alert is not None:
                    alerts.append(alert)
        if session.status != SessionStatus.HELD:
            session.status = SessionStatus.HELD
            session.save(update_fields=["status"])
    return alerts


def alert_if_absence_run(
    session: GroupSession, enrolment: IopEnrolment, request: HttpRequest | None = None
) -> Alert | None:
    """One alert when the patient's run of unexcused absences reaches the threshold at this
    session (``ABSENCE_RUN_FOR_ALERT``); assigned to the prescriber of their current course."""
    statuses = list(
        Attendance.objects.filter(enrolment=enrolment, session__held_on__lte=session.held_on)
        .order_by("session__held_on", "session__starts_at")
        .values_list("status", flat=True)
    )
    if unexcused_run(statuses) != ABSENCE_RUN_FOR_ALERT:
        return None
    key = f"{enrolment.pk}:{session.pk}"
    if Alert.objects.filter(source_type=ABSENCE_SOURCE, source_id=key).exists():
        return None
    patient = enrolment.patient
    course = current_courses([patient.pk]).get(patient.pk)
    return raise_alert(
        site=session.group.site_id,
        kind=AlertKind.IOP_ABSENCES,
        level=AlertLevel.WARNING,
        title=f"{ABSENCE_RUN_FOR_ALERT} unexcused IOP absences in a row ({session.group.name})",
        message=(
            f"Last missed: {session.held_on:%d %b %Y}. Call the patient: disengagement from "
            "group is a reason to review the treatment plan and safety."
        ),
        patient=patient,
        source_type=ABSENCE_SOURCE,
        source_id=key,
        assigned_to=course.prescriber if course else None,
        request=request,
    )


def write_note(
    *,
    session: GroupSession,
    enrolment: IopEnrolment,
    text: str,
    by: Any,
    request: HttpRequest | None = None,
) -> IopNote:
    """Write (or rewrite) the facilitator's note about one patient at one session."""
    text = text.strip()
    if not text:
        raise InputError("text", "write the note")
    if not enrolment.covers(session.held_on) or enrolment.group_id != session.group_id:
        raise InputError("enrolment", "the patient was not on the roster for this session")
    now = clock.now()
    with transaction.atomic():
        note = (
            IopNote.objects.select_for_update().filter(session=session, enrolment=enrolment).first()
        )
        if note is None:
            note = IopNote.objects.create(
                session=session, enrolment=enrolment, author=by, text=text, written_at=now
            )
            action = Action.CREATE
        else:
            note.text = text
            note.author = by
            note.updated_at = now
            note.save(update_fields=["text", "author", "updated_at"])
            action = Action.UPDATE
        record_event(
            request,
            action,
            object_type="iop_note",
            object_id=note.pk,
            patient=enrolment.patient,
            detail={"session": session.pk},
        )
    return note


def weekly_hours_for(
    enrolments: list[IopEnrolment], *, as_of: dt.date, weeks: int = WEEKS_SHOWN
) -> dict[int, list[WeekHours]]:
    """Hours per calendar week for each enrolment over the last ``weeks`` weeks up to
    ``as_of`` (two queries whatever the roster's size).

    Offered minutes are the group's sessions not cancelled, held on or before ``as_of``,
    while the patient was on the roster; attended minutes come from the attendance taken.
    """
    if not enrolments:
        return {}
    window_start = week_start(as_of) - dt.timedelta(weeks=weeks - 1)
    group_ids = {e.group_id for e in enrolments}
    sessions = list(
        GroupSession.objects.filter(
            group_id__in=group_ids, held_on__gte=window_start, held_on__lte=as_of
        )
        .exclude(status=SessionStatus.CANCELLED)
        .values_list("pk", "group_id", "held_on", "duration_minutes")
    )
    attended: dict[tuple[int, int], int] = {}
    for enrolment_id, session_id, minutes in Attendance.objects.filter(
        enrolment__in=enrolments, session__held_on__gte=window_start
    ).values_list("enrolment_id", "session_id", "attended_minutes"):
        attended[(enrolment_id, session_id)] = minutes
    by_group: dict[int, list] = defaultdict(list)
    for row in sessions:
        by_group[row[1]].append(row)
    result: dict[int, list[WeekHours]] = {}
    for enrolment in enrolments:
        first = max(enrolment.starts_on, window_start)
        last = min(enrolment.ended_on or as_of, as_of)
        if last < first:
            result[enrolment.pk] = []
            continue
        lines = [
            (held_on, duration, attended.get((enrolment.pk, pk), 0))
            for pk, _group, held_on, duration in by_group[enrolment.group_id]
        ]
        result[enrolment.pk] = weekly_hours(
            lines,
            first_day=first,
            last_day=last,
            planned_hours=enrolment.planned_hours_per_week,
            population=enrolment.group.population,
            as_of=as_of,
        )
    return result
