"""The therapist's notes: one per held session, shaped by its kind, linked to the session
(and through IntegrationNote to the dosing session it integrates), refused with the field
named when the session is not the program's, in the future, cancelled or not held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.kap.factories import INTEGRATION_NOTE, make_kap_course, session

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.charting.models import IntegrationNote
from ketaclinic.apps.kap.models import KapNote
from ketaclinic.apps.kap.notes import write_kap_note
from ketaclinic.apps.kap.refusals import KapRefused
from ketaclinic.apps.web import clock


def note_url(program, number):
    return reverse("kap:write-note", args=[program.pk, session(program.course, number).pk])


def write(kap, number, parts, user):
    return write_kap_note(
        kap, session(kap.course, number), parts=parts, user=user, now=clock.now(), request=None
    )


def refusals(kap, number, parts, user) -> dict[str, str]:
    with pytest.raises(KapRefused) as caught:
        write(kap, number, parts, user)
    return {error.field: error.message for error in caught.value.errors}


def test_the_therapist_writes_an_integration_note_for_a_past_integration_session(
    client, clinic, kap
):
    client.force_login(clinic.therapist)
    response = client.post(note_url(kap, 3), INTEGRATION_NOTE)
    assert response.status_code == 302
    note = KapNote.objects.select_related("integration_note").get()
    assert (note.program, note.session.number, note.kind) == (kap, 3, "integration")
    assert note.practices == INTEGRATION_NOTE["practices"]
    shared = note.integration_note
    assert shared.integration_themes == INTEGRATION_NOTE["integration_themes"]
    # IntegrationNote.session is the dosing session it integrates (session 2, the day before).
    assert shared.session == session(kap.course, 2)
    assert shared.met_on == dt.date(2026, 2, 24)
    assert (shared.author, shared.written_at) == (clinic.therapist, clock.now())
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="kap_note")
    assert (event.object_id, event.patient, event.actor) == (
        str(note.pk),
        clinic.alice,
        clinic.therapist,
    )
    assert event.detail == {
        "program": kap.pk,
        "session": session(kap.course, 3).pk,
        "kind": "integration",
    }
    page = client.get(reverse("kap:program", args=[kap.pk])).content.decode()
    assert "Morning journaling" in page


def test_a_preparation_note_records_intentions_setting_and_consents(clinic, kap):
    note = write(
        kap,
        1,
        {
            "intentions": "To understand why I freeze when my manager speaks to me.",
            "set_and_setting": "Calm, slept well. Eyeshades, headphones; therapist present.",
            "concerns": "Worried about feeling out of control.",
            "touch_consent": "yes",
            "music_consent": "no",
            "plan": "Agree a hand signal for 'I need a pause'.",
        },
        clinic.therapist,
    )
    assert (note.kind, note.touch_consent, note.music_consent) == ("preparation", "yes", "no")
    assert note.integration_note.session is None  # no dosing session to integrate yet
    assert note.integration_note.intentions.startswith("To understand")


def test_a_dosing_note_is_linked_to_its_dosing_session(clinic, kap):
    note = write(
        kap, 2, {"experience": "Vivid colours; a sense of floating; tears."}, clinic.therapist
    )
    assert note.integration_note.session == note.session == session(kap.course, 2)


def test_an_empty_note_names_the_part_its_kind_cannot_do_without(clinic, kap):
    assert refusals(kap, 1, {}, clinic.therapist) == {
        "intentions": "write the patient's intentions: preparation starts from them"
    }
    assert list(refusals(kap, 2, {"plan": "Rest."}, clinic.therapist)) == ["experience"]
    assert list(refusals(kap, 3, {"plan": "  "}, clinic.therapist)) == ["integration_themes"]


def test_parts_of_another_kind_of_note_are_refused_by_name(clinic, kap):
    errors = refusals(
        kap,
        3,
        {**INTEGRATION_NOTE, "set_and_setting": "Dim room", "touch_consent": "yes"},
        clinic.therapist,
    )
    assert errors == {
        "set_and_setting": "is not part of a integration note",
        "touch_consent": "is not part of a integration note",
    }


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (4, "was cancelled: there is no session to note"),
        (5, "was a no-show: there is no session to note"),
        (9, "has not happened yet (planned for 2026-03-12 11:00)"),
    ],
)
def test_sessions_not_held_or_in_the_future_are_refused(clinic, kap, number, message):
    errors = refusals(kap, number, {"integration_themes": "x", "experience": "x"}, clinic.therapist)
    assert errors["session_id"] == message


def test_a_review_session_is_not_a_psychotherapy_session(clinic, kap):
    errors = refusals(kap, 6, {"plan": "x"}, clinic.therapist)
    assert errors == {"session_id": "is a prescriber review, not a psychotherapy session"}


def test_a_session_of_another_course_is_refused(clinic, kap):
    other = make_kap_course(clinic)
    with pytest.raises(KapRefused) as caught:
        write_kap_note(
            kap,
            session(other, 3),
            parts=INTEGRATION_NOTE,
            user=clinic.therapist,
            now=clock.now(),
            request=None,
        )
    assert (caught.value.field, caught.value.message) == (
        "session_id",
        "is not a session of this program",
    )


def test_a_session_takes_one_note(clinic, kap):
    write(kap, 3, INTEGRATION_NOTE, clinic.therapist)
    assert refusals(kap, 3, INTEGRATION_NOTE, clinic.co_therapist) == {
        "session_id": "already has a note"
    }
    assert KapNote.objects.count() == IntegrationNote.objects.count() == 1


def test_the_note_page_shows_refusals_on_their_fields_and_writes_nothing(client, clinic, kap):
    client.force_login(clinic.therapist)
    response = client.post(note_url(kap, 3), {"plan": "Rest", "practices": "x" * 5001})
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["integration_themes"] == ["write the themes the patient is integrating"]
    assert form.errors["practices"] == ["is longer than 5000 characters"]
    assert not KapNote.objects.exists()
    assert not IntegrationNote.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_the_note_page_for_a_future_session_says_why_and_offers_no_form(client, clinic, kap):
    client.force_login(clinic.therapist)
    response = client.get(note_url(kap, 9))
    body = response.content.decode()
    assert "This session has not happened yet" in body
    assert "Save note" not in body
    response = client.post(note_url(kap, 9), INTEGRATION_NOTE)
    assert response.status_code == 422
    assert "has not happened yet" in response.content.decode()
    assert not KapNote.objects.exists()


def test_the_preparation_form_asks_only_its_parts(client, clinic, kap):
    client.force_login(clinic.therapist)
    form = client.get(note_url(kap, 1)).context["form"]
    assert list(form.fields) == [
        "intentions",
        "set_and_setting",
        "concerns",
        "touch_consent",
        "music_consent",
        "plan",
    ]


def test_the_co_therapist_may_write_and_is_the_author(client, clinic, kap):
    client.force_login(clinic.co_therapist)
    client.post(note_url(kap, 7), {"experience": "Quiet, then laughter.", "plan": "Rest."})
    assert KapNote.objects.get().integration_note.author == clinic.co_therapist


def test_the_charting_notes_page_shows_a_kap_note_only_to_the_programs_therapists(
    client, clinic, kap
):
    write(kap, 2, {"experience": "Vivid colours; a sense of floating."}, clinic.therapist)
    page = reverse("charting:integration-notes", args=[kap.patient.pk])
    for reader, sees in (
        (clinic.therapist, True),
        (clinic.co_therapist, True),
        (clinic.other_therapist, False),
        (clinic.prescriber, True),
    ):
        client.force_login(reader)
        assert ("Vivid colours" in client.get(page).content.decode()) is sees, reader
