"""Writing a therapist's note on one session of a KAP program: what each kind of note holds,
the rules it must pass (all reported at once, each naming its field) and the audited write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.models import IntegrationNote
from ketaclinic.apps.kap.choices import Consent, NoteKind
from ketaclinic.apps.kap.models import KapNote, KapProgram
from ketaclinic.apps.kap.refusals import KapRefused
from ketaclinic.apps.treatment.choices import SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.clinical.exceptions import InputError, InvalidValue

if TYPE_CHECKING:
    from django.http import HttpRequest

MAX_TEXT = 5000
TEXT_PARTS = (
    "intentions",
    "set_and_setting",
    "concerns",
    "experience",
    "integration_themes",
    "practices",
    "plan",
)
CONSENT_PARTS = ("touch_consent", "music_consent")
SHARED_PARTS = ("intentions", "experience", "integration_themes", "plan")


@dataclass(frozen=True)
class NoteShape:
    """The parts a kind of note holds; ``principal`` is the one it cannot do without."""

    principal: str
    principal_message: str
    parts: tuple[str, ...]


SHAPES: dict[str, NoteShape] = {
    NoteKind.PREPARATION: NoteShape(
        "intentions",
        "write the patient's intentions: preparation starts from them",
        ("intentions", "set_and_setting", "concerns", "touch_consent", "music_consent", "plan"),
    ),
    NoteKind.DOSING: NoteShape(
        "experience",
        "write what the patient experienced in the session",
        ("intentions", "experience", "plan"),
    ),
    NoteKind.INTEGRATION: NoteShape(
        "integration_themes",
        "write the themes the patient is integrating",
        ("integration_themes", "practices", "plan"),
    ),
}
THERAPY_KINDS = (SessionKind.PREPARATION, SessionKind.DOSING, SessionKind.INTEGRATION)
NOT_HELD: dict[str, str] = {
    SessionStatus.CANCELLED: "was cancelled: there is no session to note",
    SessionStatus.NO_SHOW: "was a no-show: there is no session to note",
}


def session_problems(program: KapProgram, session: Session, now: dt.datetime) -> list[str]:
    """Why ``session`` cannot take a note in ``program`` (empty when it can)."""
    if session.course_id != program.course_id or session.patient_id != program.patient_id:
        return ["is not a session of this program"]
    problems = []
    if session.kind not in THERAPY_KINDS:
        problems.append("is a prescriber review, not a psychotherapy session")
    if session.status in NOT_HELD:
        problems.append(NOT_HELD[session.status])
    elif session.planned_start > now:
        local = session.planned_start.astimezone(ZoneInfo(program.site.timezone))
        problems.append(f"has not happened yet (planned for {local:%Y-%m-%d %H:%M})")
    if hasattr(session, "kap_note") and session.kap_note is not None:
        problems.append("already has a note")
    return problems


def check_note(
    program: KapProgram, session: Session, parts: Mapping[str, str], now: dt.datetime
) -> tuple[dict[str, str], list[InputError]]:
    """The cleaned parts and every problem, each naming its field (``session_id`` for the
    session, the part's name otherwise)."""
    errors: list[InputError] = [
        InvalidValue("session_id", message) for message in session_problems(program, session, now)
    ]
    if session.kind not in SHAPES:
        return {}, errors
    shape = SHAPES[session.kind]
    cleaned: dict[str, str] = {}
    for name in TEXT_PARTS:
        value = (parts.get(name) or "").strip()
        if value and name not in shape.parts:
            errors.append(InvalidValue(name, f"is not part of a {session.kind} note"))
        elif len(value) > MAX_TEXT:
            errors.append(InvalidValue(name, f"is longer than {MAX_TEXT} characters"))
        cleaned[name] = value
    for name in CONSENT_PARTS:
        value = parts.get(name) or Consent.NOT_DISCUSSED
        if value not in Consent.values:
            errors.append(InvalidValue(name, f"must be one of {', '.join(Consent.values)}"))
        elif value != Consent.NOT_DISCUSSED and name not in shape.parts:
            errors.append(InvalidValue(name, f"is not part of a {session.kind} note"))
        cleaned[name] = value
    if not cleaned[shape.principal]:
        errors.append(InvalidValue(shape.principal, shape.principal_message))
    return cleaned, errors


def integrated_dosing_session(session: Session) -> Session | None:
    """The dosing session a note is about: itself, or for an integration session the last
    dosing session before it in the course (``IntegrationNote.session``'s meaning)."""
    if session.kind == SessionKind.DOSING:
        return session
    if session.kind != SessionKind.INTEGRATION:
        return None
    return (
        Session.objects.filter(
            course_id=session.course_id, kind=SessionKind.DOSING, number__lt=session.number
        )
        .order_by("-number")
        .first()
    )


def write_kap_note(
    program: KapProgram,
    session: Session,
    *,
    parts: Mapping[str, Any],
    user: Any,
    now: dt.datetime,
    request: HttpRequest | None,
) -> KapNote:
    """Check, then write the note and its audit event in one transaction."""
    cleaned, errors = check_note(program, session, parts, now)
    if errors:
        raise KapRefused(errors)
    met_on = session.planned_start.astimezone(ZoneInfo(program.site.timezone)).date()
    try:
        with transaction.atomic():
            return _store(program, session, cleaned, met_on, user, now, request)
    except IntegrityError:
        # Another note for this session committed between the check and the write.
        raise KapRefused([InvalidValue("session_id", "already has a note")]) from None


def _store(program, session, cleaned, met_on, user, now, request) -> KapNote:
    """The note's shared part, its KAP part and the audit event (inside the caller's
    transaction, so all three commit or none)."""
    shared = IntegrationNote.objects.create(
        patient_id=program.patient_id,
        session=integrated_dosing_session(session),
        met_on=met_on,
        author=user,
        written_at=now,
        **{name: cleaned[name] for name in SHARED_PARTS},
    )
    note = KapNote.objects.create(
        program=program,
        session=session,
        kind=session.kind,
        integration_note=shared,
        **{
            name: cleaned[name]
            for name in (*TEXT_PARTS, *CONSENT_PARTS)
            if name not in SHARED_PARTS
        },
    )
    record_event(
        request,
        Action.CREATE,
        object_type="kap_note",
        object_id=note.pk,
        patient=program.patient,
        detail={"program": program.pk, "session": session.pk, "kind": session.kind},
    )
    return note
