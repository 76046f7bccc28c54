"""Writing notes: nursing and prescriber notes on a session; integration notes by therapists."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.models import IntegrationNote, SessionNote
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InvalidValue

if TYPE_CHECKING:
    from django.http import HttpRequest

INTEGRATION_FIELDS = ("intentions", "experience", "integration_themes", "plan")


def write_session_note(
    session: Session, *, kind: str, text: str, user: Any, request: HttpRequest | None
) -> SessionNote:
    text = text.strip()
    if not text:
        raise InvalidValue("text", "write the note")
    with transaction.atomic():
        note = SessionNote.objects.create(
            session=session, kind=kind, text=text, author=user, written_at=clock.now()
        )
        record_event(
            request,
            Action.CREATE,
            object_type="session_note",
            object_id=note.pk,
            patient=session.patient,
            detail={"session": session.pk, "kind": kind},
        )
    return note


def write_integration_note(
    patient: Any,
    *,
    session: Session | None,
    met_on: dt.date,
    fields: dict[str, str],
    user: Any,
    request: HttpRequest | None,
) -> IntegrationNote:
    values = {name: fields.get(name, "").strip() for name in INTEGRATION_FIELDS}
    if not any(values.values()):
        raise InvalidValue("intentions", "write at least one part of the note")
    if session is not None and session.patient_id != patient.pk:
        raise InvalidValue("session", "is another patient's session")
    with transaction.atomic():
        note = IntegrationNote.objects.create(
            patient=patient,
            session=session,
            met_on=met_on,
            author=user,
            written_at=clock.now(),
            **values,
        )
        record_event(
            request,
            Action.CREATE,
            object_type="integration_note",
            object_id=note.pk,
            patient=patient,
            detail={"session": session.pk if session else None},
        )
    return note
