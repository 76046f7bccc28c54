"""Query counts on the list pages and the API list do not grow with groups and rosters.

Each test measures a page at N and again at 2N and asserts the same count: a ceiling would let
an N+1 grow unnoticed until it crossed the line.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.iop.factories import enrol, make_group, make_session
from tests.personas import make_patient
from tests.query_counts import counted_get

from ketaclinic.apps.iop.models import Attendance

pytestmark = pytest.mark.usefixtures("fixed_clock")


def _groups(clinic, first: int, count: int) -> None:
    for n in range(first, first + count):
        group = make_group(clinic, name=f"Group {n}")
        for m in range(3):
            patient = make_patient(
                clinic.site_a, f"G{n}{m:04d}", "Pat", f"Num{n}{m}", dt.date(1980, 1, 1)
            )
            enrol(group, patient, clinic.front_desk)


def _roster(clinic, group, sessions, first: int, count: int) -> None:
    for m in range(first, first + count):
        patient = make_patient(clinic.site_a, f"R{m:05d}", "Pat", f"R{m}", dt.date(1980, 1, 1))
        enrolment = enrol(group, patient, clinic.front_desk)
        for session in sessions:
            Attendance.objects.create(
                session=session,
                enrolment=enrolment,
                status="present",
                attended_minutes=180,
                recorded_by=clinic.therapist,
                recorded_at=dt.datetime(2026, 3, 9, 23, tzinfo=dt.UTC),
            )


def test_the_group_list_runs_as_many_queries_for_twice_the_groups(client, clinic):
    client.force_login(clinic.nurse)
    _groups(clinic, 0, 3)
    client.get(reverse("iop:list"))  # warm the session and permission caches
    small, response = counted_get(client, reverse("iop:list"))
    assert len(response.context["page"].items) == 3
    _groups(clinic, 3, 3)
    large, response = counted_get(client, reverse("iop:list"))
    assert len(response.context["page"].items) == 6
    assert large == small


def test_the_group_page_and_session_sheet_do_not_grow_with_the_roster(client, clinic):
    group = make_group(clinic, capacity=20)
    sessions = [make_session(group, dt.date(2026, 3, d)) for d in (2, 3, 5, 9)]
    client.force_login(clinic.director)
    group_url = reverse("iop:group", args=[group.pk])
    sheet_url = reverse("iop:session", args=[sessions[-1].pk])
    _roster(clinic, group, sessions, 0, 5)
    client.get(group_url)
    small_group, response = counted_get(client, group_url)
    assert len(response.context["roster"]) == 5
    small_sheet, sheet = counted_get(client, sheet_url)
    assert len(sheet.context["lines"]) == 5
    _roster(clinic, group, sessions, 5, 5)
    large_group, response = counted_get(client, group_url)
    assert len(response.context["roster"]) == 10
    large_sheet, sheet = counted_get(client, sheet_url)
    assert len(sheet.context["lines"]) == 10
    assert (large_group, large_sheet) == (small_group, small_sheet)


def test_the_api_group_list_runs_as_many_queries_for_twice_the_groups(client, clinic):
    client.force_login(clinic.prescriber)
    _groups(clinic, 0, 3)
    client.get("/api/v1/iop/groups")
    small, response = counted_get(client, "/api/v1/iop/groups")
    assert len(response.json()["items"]) == 3
    _groups(clinic, 3, 3)
    large, response = counted_get(client, "/api/v1/iop/groups")
    assert len(response.json()["items"]) == 6
    assert large == small
