"""The KAP caseload and program pages run as many queries for twice the rows (N vs 2N).

A ceiling would let an N+1 grow unnoticed until it crossed the line; the same count at N and
at 2N does not.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.kap.factories import INTEGRATION_NOTE, make_kap_course, make_program, session
from tests.kap.test_kap_pages import phq9
from tests.personas import make_patient
from tests.query_counts import counted_get

from ketaclinic.apps.kap.notes import write_kap_note
from ketaclinic.apps.web import clock

pytestmark = pytest.mark.usefixtures("fixed_clock")


def _programs(clinic, first: int, count: int) -> None:
    """``count`` patients in a KAP program, each with a note written and a score taken."""
    for n in range(first, first + count):
        patient = make_patient(clinic.site_a, f"K2{n:05d}", f"Pat{n}", "Kay", dt.date(1990, 1, 1))
        program = make_program(clinic, make_kap_course(clinic, patient))
        write_kap_note(
            program,
            session(program.course, 3),
            parts=INTEGRATION_NOTE,
            user=clinic.therapist,
            now=clock.now(),
            request=None,
        )
        phq9(patient, dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), 12)


def test_the_caseload_runs_as_many_queries_for_twice_the_programs(client, clinic):
    client.force_login(clinic.therapist)
    _programs(clinic, 0, 4)
    client.get(reverse("kap:caseload"))  # warm the session and permission caches
    small, response = counted_get(client, reverse("kap:caseload"))
    assert len(response.context["page"].items) == 4
    _programs(clinic, 4, 4)
    large, response = counted_get(client, reverse("kap:caseload"))
    assert len(response.context["page"].items) == 8
    assert large == small


NOTES = (
    (1, {"intentions": "Less fear."}),
    (2, {"experience": "Floating."}),
    (3, INTEGRATION_NOTE),
    (7, {"experience": "Calm."}),
)


def test_the_program_page_does_not_grow_with_notes_and_scores(client, clinic):
    program = make_program(clinic)
    url = reverse("kap:program", args=[program.pk])

    def add(notes, days) -> None:
        for number, parts in notes:
            write_kap_note(
                program,
                session(program.course, number),
                parts=parts,
                user=clinic.therapist,
                now=clock.now(),
                request=None,
            )
        for day in days:
            phq9(clinic.alice, dt.datetime(2026, 2, day, 12, tzinfo=dt.UTC), 10 + day % 5)

    client.force_login(clinic.therapist)
    add(NOTES[:2], (17, 20))
    client.get(url)
    small, response = counted_get(client, url)
    assert response.context["timeline"].notes_written == 2
    add(NOTES[2:], (25, 27))
    large, response = counted_get(client, url)
    assert response.context["timeline"].notes_written == 4
    assert large == small
