"""The demo's KAP programs: the Riverside therapist's caseload with notes on held sessions,
a few still to write, each note on a session of its own program's course."""

from __future__ import annotations

import pytest

from ketaclinic.apps.charting.models import IntegrationNote
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.kap.models import KapNote, KapProgram
from ketaclinic.apps.kap.notes import check_note
from ketaclinic.apps.kap.timeline import note_parts
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.web import clock

pytestmark = pytest.mark.django_db


def test_the_demo_gives_the_therapist_a_caseload_with_notes():
    seed_demo_clinic(patient_count=200, seed=11)
    programs = list(KapProgram.objects.select_related("therapist", "site", "course"))
    assert programs
    assert {(p.therapist.username, p.site.slug) for p in programs} == {("therapist", "riverside")}
    assert all(p.course.protocol_id == "kap" for p in programs)
    notes = list(KapNote.objects.select_related("session", "program", "integration_note"))
    assert notes
    now = clock.now()
    for note in notes:
        assert note.session.course_id == note.program.course_id
        assert note.session.planned_start <= now
        assert note.session.status not in (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)
        assert note.kind == note.session.kind
        assert note_parts(note), note  # the parts its kind shows are filled
        assert note.integration_note.author == note.program.therapist
    # Every stored note would pass the rules a therapist's note passes (bar "already noted").
    for note in notes[:10]:
        parts = {
            "intentions": note.integration_note.intentions if note.kind != "integration" else "",
            "experience": note.integration_note.experience if note.kind == "dosing" else "",
            "integration_themes": note.integration_note.integration_themes,
            "plan": note.integration_note.plan,
            "set_and_setting": note.set_and_setting,
            "concerns": note.concerns,
            "practices": note.practices,
            "touch_consent": note.touch_consent,
            "music_consent": note.music_consent,
        }
        _cleaned, errors = check_note(note.program, note.session, parts, now)
        assert [(e.field, e.message) for e in errors] == [("session_id", "already has a note")]
    # The chart demo's integration notes are reused, not doubled.
    assert IntegrationNote.objects.filter(kap_note__isnull=False).count() == len(notes)
