"""KAP programs over the REST API (``/api/v1/kap``): the same access table, rules and audit
as the pages (``kap.assignment``).

Listing and reading need ``view_kapprogram`` (a therapist sees the programs they are
assigned to; nurses, prescribers and the director every program at their sites); notes and
goals are returned only to those who read notes (nurses get ``has_note`` and null parts).
Writing a note needs ``add_kapnote`` and being the program's therapist or co-therapist; bad
input is 422 naming every field at fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from ketaclinic.apps.api.edge import Page, Paging, page_body, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.kap.assignment import (
    VIEW,
    WRITE_NOTE,
    can_read_notes,
    program_for,
    programs_for,
)
from ketaclinic.apps.kap.caseload import annotate_caseload
from ketaclinic.apps.kap.notes import MAX_TEXT, write_kap_note
from ketaclinic.apps.kap.refusals import KapRefused
from ketaclinic.apps.kap.timeline import build_timeline, note_parts
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import paginate

router = Router(tags=["Ketamine-assisted psychotherapy"])

ProgramStatusFilter = Literal["active", "completed", "stopped", "all"]
ConsentIn = Literal["not_discussed", "yes", "no"]


class ProgramOut(Schema):
    id: int
    patient_id: int
    patient_mrn: str
    patient_name: str
    site_id: int
    course_id: int
    therapist_id: int
    co_therapist_id: int | None
    prescriber_id: int
    status: str
    starts_on: dt.date
    ended_on: dt.date | None
    notes_due: int
    next_session_at: dt.datetime | None
    goals: str | None = Field(description="Null for those who do not read notes (nurses).")


class NoteOut(Schema):
    id: int
    session_id: int
    kind: str
    author_id: int
    written_at: dt.datetime
    parts: dict[str, str] = Field(description="Filled parts by name, e.g. intentions, plan.")


class KapSessionOut(Schema):
    id: int
    number: int
    kind: str
    status: str
    planned_start: dt.datetime
    has_note: bool
    note_due: bool
    can_write_note: bool
    note: NoteOut | None = Field(description="Null unless you read notes.")


class KapScoreOut(Schema):
    taken_at: dt.datetime
    total: int
    band_label: str


class SeriesOut(Schema):
    instrument: str
    baseline: int
    latest: int
    points: list[KapScoreOut]


class ProgramDetailOut(ProgramOut):
    sessions: list[KapSessionOut]
    scores: list[SeriesOut]


class NoteIn(Schema):
    """One note on one held session of the program; send only the parts its kind has:
    preparation (intentions*, set_and_setting, concerns, touch_consent, music_consent, plan),
    dosing (intentions, experience*, plan), integration (integration_themes*, practices, plan).
    * the part it cannot do without."""

    model_config = {"extra": "forbid"}

    session_id: int
    intentions: str = Field(default="", max_length=MAX_TEXT)
    set_and_setting: str = Field(default="", max_length=MAX_TEXT)
    concerns: str = Field(default="", max_length=MAX_TEXT)
    touch_consent: ConsentIn = "not_discussed"
    music_consent: ConsentIn = "not_discussed"
    experience: str = Field(default="", max_length=MAX_TEXT)
    integration_themes: str = Field(default="", max_length=MAX_TEXT)
    practices: str = Field(default="", max_length=MAX_TEXT)
    plan: str = Field(default="", max_length=MAX_TEXT)


def _program_out(program, readable: bool) -> dict:
    patient = program.patient
    return {
        "id": program.pk,
        "patient_id": patient.pk,
        "patient_mrn": patient.mrn,
        "patient_name": f"{patient.family_name}, {patient.given_name}",
        "site_id": program.site_id,
        "course_id": program.course_id,
        "therapist_id": program.therapist_id,
        "co_therapist_id": program.co_therapist_id,
        "prescriber_id": program.prescriber_id,
        "status": program.status,
        "starts_on": program.starts_on,
        "ended_on": program.ended_on,
        "notes_due": getattr(program, "notes_due", None) or 0,
        "next_session_at": getattr(program, "next_session_at", None),
        "goals": program.goals if readable else None,
    }


def _note_out(note) -> dict:
    shared = note.integration_note
    return {
        "id": note.pk,
        "session_id": note.session_id,
        "kind": note.kind,
        "author_id": shared.author_id,
        "written_at": shared.written_at,
        "parts": {name: text for name, _label, text in note_parts(note)},
    }


@router.get(
    "/programs", response=responses(Page[ProgramOut]), summary="The KAP programs you may see"
)
@requires(VIEW)
def list_programs(
    request: HttpRequest, paging: Query[Paging], status: ProgramStatusFilter = "active"
) -> dict:
    """A therapist's own programs; site-wide readers every program at their sites."""
    programs = programs_for(request.user).select_related("patient")
    if status != "all":
        programs = programs.filter(status=status)
    programs = annotate_caseload(programs, clock.now()).order_by("-starts_on", "-id")
    result = paginate(programs, paging.page, paging.page_size)
    readable = request.user.has_perm("kap.read_kap_note")
    record_listing(
        request,
        "kap_program",
        [p.patient_id for p in result.items],
        page=result.number,
        filters={"status": status, "api": True},
    )
    return page_body(result, lambda p: _program_out(p, readable))


@router.get(
    "/programs/{program_id}",
    response=responses(ProgramDetailOut),
    summary="One program: sessions, notes",
)
@requires(VIEW)
def get_program(request: HttpRequest, program_id: int) -> dict[str, Any]:
    program = program_for(request.user, program_id)
    timeline = build_timeline(program, request.user, clock.now())
    readable = can_read_notes(request.user, program)
    record_event(
        request,
        Action.VIEW,
        object_type="kap_program",
        object_id=program.pk,
        patient=program.patient,
        detail={"notes_read": timeline.notes_written if readable else 0, "api": True},
    )
    out = _program_out(program, readable)
    out["notes_due"] = timeline.notes_due
    out["sessions"] = [
        {
            "id": row.session.pk,
            "number": row.session.number,
            "kind": row.session.kind,
            "status": row.session.status,
            "planned_start": row.session.planned_start,
            "has_note": row.note is not None,
            "note_due": row.note_due,
            "can_write_note": row.can_write,
            "note": _note_out(row.note) if row.note and readable else None,
        }
        for row in timeline.rows
    ]
    out["scores"] = [
        {
            "instrument": s.instrument.id,
            "baseline": s.baseline,
            "latest": s.latest.total,
            "points": [
                {"taken_at": p.taken_at, "total": p.total, "band_label": p.band_label}
                for p in s.points
            ],
        }
        for s in timeline.series
    ]
    return out


@router.post(
    "/programs/{program_id}/notes",
    response=responses({201: NoteOut}),
    summary="Write the note of one held session (the program's therapist)",
)
@requires(VIEW, WRITE_NOTE)
def create_note(request: HttpRequest, program_id: int, payload: NoteIn) -> Status[dict[str, Any]]:
    program = program_for(request.user, program_id)
    if not program.is_therapist(request.user):
        raise HttpError(403, "Only the program's therapist or co-therapist writes its notes.")
    session = (
        Session.objects.filter(pk=payload.session_id, patient_id=program.patient_id)
        .select_related("course")
        .first()
    )
    if session is None:
        errors = [
            {
                "field": "session_id",
                "message": "is not a session of this program",
                "code": "InvalidValue",
            }
        ]
        return Status(422, {"errors": errors})
    parts = payload.model_dump(exclude={"session_id"})
    try:
        note = write_kap_note(
            program, session, parts=parts, user=request.user, now=clock.now(), request=request
        )
    except KapRefused as refused:
        return Status(422, refused.as_json())
    return Status(201, _note_out(note))
