"""Caseload and program pages: the timeline with notes due, scores alongside, pagination and
empty state, query counts pinned, reads audited; starting and closing a program."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.kap.factories import INTEGRATION_NOTE, NOW, make_kap_course, make_program, session
from tests.personas import make_patient

from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.kap.models import KapProgram
from ketaclinic.apps.kap.notes import write_kap_note
from ketaclinic.apps.web import clock


def phq9(patient, taken_at, total):
    answers = {f"item{i}": 0 for i in range(1, 10)}
    left = total
    for i in range(1, 9):  # item 9 stays 0: no safety alert in these tests
        answers[f"item{i}"] = min(3, left)
        left -= answers[f"item{i}"]
    return Assessment.objects.create(
        patient=patient,
        site=patient.site,
        instrument="phq9",
        instrument_version="PHQ-9",
        answers=answers,
        total=total,
        max_total=27,
        band="x",
        band_label="",
        source="self_report",
        taken_at=taken_at,
    )


def test_the_program_page_shows_the_timeline_notes_due_and_write_buttons(client, clinic, kap):
    client.force_login(clinic.therapist)
    timeline = client.get(reverse("kap:program", args=[kap.pk])).context["timeline"]
    due = [row.session.number for row in timeline.rows if row.note_due]
    writable = [row.session.number for row in timeline.rows if row.can_write]
    # Held therapy sessions in the past: preparation 1, dosing 2 and 7, integration 3 and 8
    # (today 13:00 UTC, an hour ago). Not 4 (cancelled), 5 (no-show), 6 (review), 9 (future).
    assert due == writable == [1, 2, 3, 7, 8]
    client.force_login(clinic.director)
    timeline = client.get(reverse("kap:program", args=[kap.pk])).context["timeline"]
    assert [row.session.number for row in timeline.rows if row.can_write] == []
    assert timeline.notes_due == 5


def test_scores_during_the_program_sit_beside_the_timeline(client, clinic, kap):
    phq9(clinic.alice, dt.datetime(2026, 2, 10, 12, tzinfo=dt.UTC), 19)
    phq9(clinic.alice, dt.datetime(2026, 3, 8, 12, tzinfo=dt.UTC), 9)
    phq9(clinic.alice, dt.datetime(2025, 10, 1, 12, tzinfo=dt.UTC), 25)  # long before: left out
    client.force_login(clinic.therapist)
    response = client.get(reverse("kap:program", args=[kap.pk]))
    (series,) = response.context["timeline"].series
    assert (series.instrument.id, series.baseline, series.latest.total, series.change) == (
        "phq9",
        19,
        9,
        -10,
    )
    assert "baseline 19 → latest 9" in response.content.decode()
    assert "<svg" in response.content.decode()


def test_reading_a_program_is_audited_with_how_many_notes_were_read(client, clinic, kap):
    write_kap_note(
        kap,
        session(kap.course, 3),
        parts=INTEGRATION_NOTE,
        user=clinic.therapist,
        now=clock.now(),
        request=None,
    )
    for user, notes_read in ((clinic.director, 1), (clinic.nurse, 0)):
        client.force_login(user)
        client.get(reverse("kap:program", args=[kap.pk]))
        event = AuditEvent.objects.filter(actor=user, object_type="kap_program").get()
        assert (event.action, event.object_id, event.patient) == (
            Action.VIEW,
            str(kap.pk),
            clinic.alice,
        )
        assert event.detail["notes_read"] == notes_read


def test_the_caseload_read_is_audited(client, clinic, kap):
    client.force_login(clinic.therapist)
    client.get(reverse("kap:caseload") + "?status=all")
    event = AuditEvent.objects.get(actor=clinic.therapist, object_type="kap_program")
    assert event.detail == {
        "patients": [kap.patient_id],
        "page": 1,
        "filters": {"status": "all", "site_wide": False},
    }


def test_my_kap_patients_paginates_and_counts_queries(
    client, clinic, kap, django_assert_max_num_queries
):
    for n in range(30):
        patient = make_patient(clinic.site_a, f"K1{n:05d}", f"Pat{n}", "Kay", dt.date(1990, 1, 1))
        make_program(clinic, make_kap_course(clinic, patient))
    client.force_login(clinic.therapist)
    with django_assert_max_num_queries(15):
        first = client.get(reverse("kap:caseload"))
    assert first.context["page"].has_next
    assert len(first.context["page"].items) == 25
    assert first.context["page"].items[0].notes_due == 5
    body = first.content.decode()
    assert "My KAP patients" in body
    assert "5 due" in body
    second = client.get(reverse("kap:caseload") + "?page=2")
    assert len(second.context["page"].items) == 6
    assert not second.context["page"].has_next


def test_the_program_page_query_count_does_not_grow_with_notes(
    client, clinic, kap, django_assert_max_num_queries
):
    for number, parts in (
        (1, {"intentions": "Less fear."}),
        (2, {"experience": "Floating."}),
        (3, INTEGRATION_NOTE),
        (7, {"experience": "Calm."}),
    ):
        write_kap_note(
            kap,
            session(kap.course, number),
            parts=parts,
            user=clinic.therapist,
            now=clock.now(),
            request=None,
        )
    client.force_login(clinic.therapist)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("kap:program", args=[kap.pk]))
    assert response.context["timeline"].notes_written == 4


def test_empty_states(client, clinic, fixed_clock):
    client.force_login(clinic.therapist)
    assert (
        "You have no KAP patients with a program in progress."
        in client.get(reverse("kap:caseload")).content.decode()
    )
    client.force_login(clinic.director)
    body = client.get(reverse("kap:caseload") + "?status=completed").content.decode()
    assert "No KAP program completed at your sites." in body


def test_the_director_starts_a_program_from_a_kap_course_without_one(client, clinic, fixed_clock):
    course = make_kap_course(clinic)
    client.force_login(clinic.director)
    listed = client.get(reverse("kap:caseload")).context["unplanned"]
    assert listed == [course]
    response = client.post(
        reverse("kap:start", args=[course.pk]),
        {
            "therapist": clinic.therapist.pk,
            "goals": "Sleep through the night; fewer panic attacks at work.",
            "starts_on": "2026-02-16",
        },
    )
    program = KapProgram.objects.get()
    assert response.url == reverse("kap:program", args=[program.pk])
    assert (program.therapist, program.prescriber, program.created_by) == (
        clinic.therapist,
        clinic.prescriber,
        clinic.director,
    )
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="kap_program").exists()
    assert client.get(reverse("kap:caseload")).context["unplanned"] == []


def test_starting_a_program_refuses_by_field(client, clinic, kap):
    course = make_kap_course(clinic)
    client.force_login(clinic.prescriber)
    response = client.post(
        reverse("kap:start", args=[course.pk]),
        {
            "therapist": clinic.therapist.pk,
            "co_therapist": clinic.nurse.pk,
            "goals": "   ",
            "starts_on": "2026-02-16",
        },
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "co_therapist" in errors  # a nurse is not a therapist: not even a choice
    assert "goals" in errors
    from ketaclinic.apps.kap.enrolment import start_program
    from ketaclinic.apps.kap.refusals import KapRefused

    with pytest.raises(KapRefused) as caught:
        start_program(
            kap.course,
            therapist=clinic.therapist_b,
            co_therapist=clinic.therapist_b,
            goals="x",
            starts_on=dt.date(2026, 2, 16),
            user=clinic.prescriber,
            now=NOW,
            request=None,
        )
    assert {e.field: e.message for e in caught.value.errors} == {
        "course": "already has a KAP program",
        "therapist": "is not a therapist at this course's site",
        "co_therapist": "must be someone other than the therapist",
    }


def test_closing_a_program_early_needs_a_reason(client, clinic, kap):
    client.force_login(clinic.director)
    url = reverse("kap:close", args=[kap.pk])
    response = client.post(url, {"status": "stopped", "ended_on": "2026-03-10"})
    assert response.status_code == 422
    assert response.context["form"].errors["end_reason"] == ["say why the program ended early"]
    response = client.post(url, {"status": "completed", "ended_on": "2026-03-10"})
    kap.refresh_from_db()
    assert (kap.status, kap.ended_on) == ("completed", dt.date(2026, 3, 10))
    assert client.get(url).context["form"]  # closed programs show the form, which refuses
    response = client.post(url, {"status": "completed", "ended_on": "2026-03-11"})
    assert response.context["form"].errors["status"] == ["the program is already closed"]
    client.force_login(clinic.therapist)
    assert client.get(reverse("kap:caseload")).context["page"].items == []
    completed = client.get(reverse("kap:caseload") + "?status=completed").context["page"].items
    assert [p.pk for p in completed] == [kap.pk]
