"""Changes to a planned course, each audited with its reason: move a session, change the
target dose, pause or stop. A move keeps the planner's rules (open day, free chair, no
overlap, one dosing session a day unless a prescriber records why)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.treatment.chairs import ChairBook
from ketaclinic.apps.treatment.choices import CourseStatus, SessionKind, SessionStatus, Setting
from ketaclinic.apps.treatment.conflicts import valid_same_day_reason
from ketaclinic.apps.treatment.models import Course, Session
from ketaclinic.apps.treatment.planning import (
    PlanRefused,
    check_chair,
    dose_text,
    local_moment,
    session_specs,
    target_spec,
    weight_for_plan,
)
from ketaclinic.apps.treatment.scheduling_advice import advice_for
from ketaclinic.apps.treatment.site_calendar import site_calendar
from ketaclinic.apps.treatment.transitions import transition_session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.protocols import get_protocol

if TYPE_CHECKING:
    from django.http import HttpRequest


def reschedule_session(
    session: Session,
    *,
    day: dt.date,
    at: dt.time,
    chair: int | None,
    user: Any,
    request: HttpRequest | None,
    reason: str = "",
    same_day_reason: str = "",
) -> tuple[Session, tuple[str, ...]]:
    """Move a planned session to another day, time or chair, refusing any conflict.

    The day must be open at the site (not a holiday); another session of the same course may
    not fall on it; with no chair given the current one is kept when free, else the next free.
    """
    with transaction.atomic():
        Site.objects.select_for_update().filter(pk=session.site_id).first()
        locked = (
            Session.objects.select_related("site", "course")
            .select_for_update(of=("self",))
            .get(pk=session.pk)
        )
        site = locked.site
        if locked.status != SessionStatus.PLANNED:
            raise PlanRefused(
                "day", f"only a planned session can move; this one is {locked.get_status_display()}"
            )
        check_chair(site, chair)
        at_home = (
            locked.chair is None
            and get_protocol(locked.course.protocol_id).setting.value == Setting.HOME
        )
        if not at_home and not site_calendar(site, since=day).is_open(day):
            raise PlanRefused("day", f"{site.name} is closed on {day:%a %Y-%m-%d}")
        start = local_moment(site, day, at)
        end = start + dt.timedelta(minutes=locked.planned_minutes)
        same_day = (
            Session.objects.filter(course_id=locked.course_id)
            .exclude(pk=locked.pk)
            .exclude(status__in=(SessionStatus.CANCELLED, SessionStatus.NO_SHOW))
        )
        tz = ZoneInfo(site.timezone)
        if any(s.planned_start.astimezone(tz).date() == day for s in same_day):
            raise PlanRefused("day", "another session of this course is on that day")
        book = ChairBook.load(site, locked.patient_id, start, end, exclude_session_id=locked.pk)
        if book.patient_clash(start, end):
            raise PlanRefused("at", "the patient has another session at that time")
        notes: list[str] = []
        same_day = locked.kind == SessionKind.DOSING and book.patient_dosing_on(day, tz)
        if same_day and not (
            valid_same_day_reason(same_day_reason) and user.has_perm("treatment.add_course")
        ):
            raise PlanRefused(
                "day",
                f"the patient has another dosing session on {day:%a %Y-%m-%d}; only a "
                "prescriber may keep two on one day, with a reason",
            )
        if same_day:
            notes.append("Kept on the same day as another dosing session, with your reason.")
        new_chair = None
        if not at_home:
            wanted = chair or locked.chair or 1
            new_chair = book.free_chair(wanted, start, end)
            if new_chair is None:
                raise PlanRefused("at", f"no chair is free at {at:%H:%M} on {day:%Y-%m-%d}")
            if new_chair != wanted:
                if chair is not None:
                    raise PlanRefused(
                        "chair", f"chair {chair} is taken then; chair {new_chair} is free"
                    )
                notes.append(f"Chair {wanted} is taken then; placed in chair {new_chair}.")
        before = {"start": locked.planned_start.isoformat(), "chair": locked.chair}
        locked.planned_start = start
        locked.chair = new_chair
        locked.save(update_fields=["planned_start", "chair"])
        record_event(
            request,
            Action.UPDATE,
            object_type="session",
            object_id=locked.pk,
            patient=locked.patient,
            detail={
                "change": "reschedule",
                "from": before,
                "to": {"start": start.isoformat(), "chair": new_chair},
                "reason": reason.strip(),
                "same_day_override": same_day_reason.strip() if same_day else None,
            },
            actor=user,
        )
        notes.extend(advice_for(locked))
    return locked, tuple(notes)


def change_target_dose(
    course: Course,
    *,
    mg_per_kg: Decimal | None,
    mg: Decimal | None,
    reason: str,
    user: Any,
    request: HttpRequest | None,
) -> Course:
    """Set a new target dose and re-word the planned dosing sessions; audited with the reason."""
    if not reason.strip():
        raise PlanRefused("reason", "say why the dose changes")
    if mg_per_kg is None and mg is None:
        raise PlanRefused("target_dose_mg_per_kg", "give the new dose")
    protocol = get_protocol(course.protocol_id)
    variant = course.variant or None
    spec, field = target_spec(protocol, variant, mg_per_kg, mg)
    patient = course.patient
    screening = course.screening
    weight = weight_for_plan(patient, screening)
    sex = screening.inputs.get("sex", "") if screening else patient.sex_at_birth
    text, _warnings = dose_text(
        spec, protocol.route, weight.weight_kg, weight.height_cm, sex, field
    )
    specs = session_specs(protocol, variant)
    first_doses = {phase.first_dose for phase, _ in specs} - {None}
    with transaction.atomic():
        before = {
            "mg_per_kg": str(course.target_dose_mg_per_kg or ""),
            "mg": str(course.target_dose_mg or ""),
        }
        course.target_dose_mg_per_kg = spec.amount if spec.per_kg else None
        course.target_dose_mg = None if spec.per_kg else spec.amount
        course.save(update_fields=["target_dose_mg_per_kg", "target_dose_mg"])
        planned = course.sessions.filter(status=SessionStatus.PLANNED, kind=SessionKind.DOSING)
        for session in planned:
            template = specs[session.number - 1][1] if session.number <= len(specs) else None
            if template is not None and template not in first_doses:
                session.planned_dose_text = text
                session.save(update_fields=["planned_dose_text"])
        record_event(
            request,
            Action.UPDATE,
            object_type="course",
            object_id=course.pk,
            patient=patient,
            detail={"change": "target_dose", "from": before, "to": text, "reason": reason.strip()},
            actor=user,
        )
    return course


_STATUS_MOVES: dict[str, tuple[CourseStatus, ...]] = {
    CourseStatus.PLANNED: (CourseStatus.PAUSED, CourseStatus.STOPPED),
    CourseStatus.ACTIVE: (CourseStatus.PAUSED, CourseStatus.STOPPED),
    CourseStatus.PAUSED: (CourseStatus.STOPPED,),
}


def change_course_status(
    course: Course, *, status: str, reason: str, user: Any, request: HttpRequest | None
) -> tuple[Course, int]:
    """Pause or stop a course with a reason; its upcoming planned sessions are cancelled.

    Each cancellation is a recorded session transition (with the same reason), so the
    chairs are free again. Returns the course and how many sessions were cancelled.
    """
    if not reason.strip():
        raise PlanRefused("reason", "say why")
    if status not in _STATUS_MOVES.get(course.status, ()):
        raise PlanRefused(
            "status",
            f"a {course.get_status_display().lower()} course cannot become "
            f"{CourseStatus(status).label.lower()}",
        )
    now = clock.now()
    with transaction.atomic():
        upcoming = list(
            course.sessions.filter(status=SessionStatus.PLANNED, planned_start__gte=now)
        )
        for session in upcoming:
            transition_session(
                session, SessionStatus.CANCELLED, user=user, reason=reason.strip(), request=request
            )
        before = course.status
        course.status = status
        course.status_reason = reason.strip()
        fields = ["status", "status_reason"]
        if status == CourseStatus.STOPPED:
            course.ended_on = max(clock.today(course.site.timezone), course.starts_on)
            fields.append("ended_on")
        course.save(update_fields=fields)
        record_event(
            request,
            Action.UPDATE,
            object_type="course",
            object_id=course.pk,
            patient=course.patient,
            detail={
                "change": "status",
                "from": before,
                "to": status,
                "reason": reason.strip(),
                "cancelled_sessions": len(upcoming),
            },
            actor=user,
        )
    return course, len(upcoming)
