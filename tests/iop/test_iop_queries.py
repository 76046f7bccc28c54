"""Query counts on the list pages and the API list stay flat as groups and rosters grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.iop.factories import enrol, make_group, make_session
from tests.personas import make_patient

from ketaclinic.apps.iop.models import Attendance

pytestmark = pytest.mark.usefixtures("fixed_clock")


def _groups(clinic, count):
    for n in range(count):
        group = make_group(clinic, name=f"Group {n}")
        for m in range(3):
            patient = make_patient(
                clinic.site_a, f"G{n}{m:04d}", "Pat", f"Num{n}{m}", dt.date(1980, 1, 1)
            )
            enrol(group, patient, clinic.front_desk)


@pytest.mark.parametrize("count", [1, 6])
def test_the_group_list_runs_a_fixed_number_of_queries(
    client, clinic, count, django_assert_max_num_queries
):
    _groups(clinic, count)
    client.force_login(clinic.nurse)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("iop:list"))
    assert len(response.context["page"].items) == count


@pytest.mark.parametrize("roster", [2, 10])
def test_the_group_page_does_not_grow_with_the_roster(
    client, clinic, roster, django_assert_max_num_queries
):
    group = make_group(clinic, capacity=20)
    sessions = [make_session(group, dt.date(2026, 3, d)) for d in (2, 3, 5, 9)]
    for m in range(roster):
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
    client.force_login(clinic.director)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("iop:group", args=[group.pk]))
    assert len(response.context["roster"]) == roster
    with django_assert_max_num_queries(22):
        sheet = client.get(reverse("iop:session", args=[sessions[-1].pk]))
    assert len(sheet.context["lines"]) == roster


@pytest.mark.parametrize("count", [1, 6])
def test_the_api_group_list_runs_a_fixed_number_of_queries(
    client, clinic, count, django_assert_max_num_queries
):
    _groups(clinic, count)
    client.force_login(clinic.prescriber)
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/iop/groups")
    assert len(response.json()["items"]) == count
