"""Changing a session's status: allowed moves only, each one recorded and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.treatment.choices import CourseStatus, SessionStatus
from ketaclinic.apps.treatment.models import Course, Session, SessionEvent
from ketaclinic.apps.web import clock

if TYPE_CHECKING:
    from django.http import HttpRequest

_TIMESTAMP_FIELD: dict[str, str] = {
    SessionStatus.CHECKED_IN: "checked_in_at",
    SessionStatus.DOSING: "dose_started_at",
    SessionStatus.OBSERVING: "dose_ended_at",
    SessionStatus.DISCHARGED: "discharged_at",
}


class TransitionRefused(Exception):
    """The move is not allowed from the session's current status."""


def transition_session(
    session: Session, to_status: str, *, user: Any, reason: str = "", request: HttpRequest | None
) -> Session:
    """Move ``session`` to ``to_status`` under a row lock, with a SessionEvent and audit."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if not locked.can_transition_to(to_status):
            raise TransitionRefused(
                f"a {locked.get_status_display().lower()} session cannot become "
                f"{SessionStatus(to_status).label.lower()}"
            )
        now = clock.now()
        SessionEvent.objects.create(
            session=locked,
            from_status=locked.status,
            to_status=to_status,
            at=now,
            by=user,
            reason=reason,
        )
        locked.status = to_status
        fields = ["status"]
        if to_status in _TIMESTAMP_FIELD:
            setattr(locked, _TIMESTAMP_FIELD[to_status], now)
            fields.append(_TIMESTAMP_FIELD[to_status])
        locked.save(update_fields=fields)
        _follow_course(locked, to_status)
        record_event(
            request,
            Action.UPDATE,
            object_type="session",
            object_id=locked.pk,
            patient=locked.patient,
            detail={"status": to_status},
        )
    return locked


_OPEN_STATUSES = (
    SessionStatus.PLANNED,
    SessionStatus.CHECKED_IN,
    SessionStatus.DOSING,
    SessionStatus.OBSERVING,
)


def _follow_course(session: Session, to_status: str) -> None:
    """A planned course becomes active at its first check-in, and completed when its last
    open session ends (discharged, cancelled or no-show). Paused or stopped courses stay so."""
    if to_status == SessionStatus.CHECKED_IN:
        Course.objects.filter(pk=session.course_id, status=CourseStatus.PLANNED).update(
            status=CourseStatus.ACTIVE
        )
        return
    if to_status in _OPEN_STATUSES:
        return
    if Session.objects.filter(course_id=session.course_id, status__in=_OPEN_STATUSES).exists():
        return
    course = Course.objects.filter(
        pk=session.course_id, status__in=(CourseStatus.PLANNED, CourseStatus.ACTIVE)
    ).first()
    if course is not None and course.sessions.filter(status=SessionStatus.DISCHARGED).exists():
        course.status = CourseStatus.COMPLETED
        course.ended_on = max(clock.today(session.site.timezone), course.starts_on)
        course.save(update_fields=["status", "ended_on"])
