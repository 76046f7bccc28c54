"""The home program's chart pages run as many queries for twice the rows (N vs 2N).

A ceiling would let an N+1 grow unnoticed until it crossed the line; the same count at N and
at 2N does not. (The list page's N vs 2N is in ``test_homeprogram_staff_pages.py``.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.homeprogram.factories import GOOD_ANSWERS, issue, make_home_course, make_prescription
from tests.query_counts import counted_get

pytestmark = pytest.mark.usefixtures("fixed_clock")


def _prescriptions(clinic, client, count: int) -> None:
    """``count`` prescriptions, each on its own course with its first dose charted and two
    check-ins sent by the patient."""
    for _ in range(count):
        prescription = make_prescription(clinic, course=make_home_course(clinic))
        for day in (3, 7):
            issued = issue(prescription, planned_on=dt.date(2026, 3, day))
            client.post(reverse("home_check_in:form", args=[issued.token]), GOOD_ANSWERS)


def test_the_patients_program_page_does_not_grow_with_prescriptions(client, clinic):
    url = reverse("homeprogram:patient", args=[clinic.alice.pk])
    _prescriptions(clinic, client, 2)
    client.force_login(clinic.prescriber)
    client.get(url)  # warm the session and permission caches
    small, response = counted_get(client, url)
    assert len(response.context["programs"]) == 2
    assert all(
        sum(d.check_in is not None for d in p["calendar"]) == 2
        for p in response.context["programs"]
    )
    client.logout()
    _prescriptions(clinic, client, 2)
    client.force_login(clinic.prescriber)
    client.get(url)
    large, response = counted_get(client, url)
    assert len(response.context["programs"]) == 4
    assert large == small
