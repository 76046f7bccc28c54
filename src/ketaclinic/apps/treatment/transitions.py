"""Changing a session's status: allowed moves only, each one recorded and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session, SessionEvent
from ketaclinic.apps.web import clock

if TYPE_CHECKING:
    from django.http import HttpRequest

_TIMESTAMP_FIELD = {
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
        record_event(
            request,
            Action.UPDATE,
            object_type="session",
            object_id=locked.pk,
            patient=locked.patient,
            detail={"status": to_status},
        )
    return locked
