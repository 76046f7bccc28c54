"""The patient's chart points to their IOP page and to their reminders, for those who may see
them; a patient never enrolled shows no IOP card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.personas import make_patient


@pytest.mark.parametrize(
    ("persona", "sees_iop", "sees_reminders"),
    [
        ("front_desk", True, True),
        ("nurse", True, True),
        ("prescriber", True, True),
        ("therapist", True, False),
        ("director", True, True),
    ],
)
def test_the_chart_links_to_iop_and_reminders_by_role(
    client, clinic, enrolment, persona, sees_iop, sees_reminders
):
    client.force_login(clinic.persona(persona))
    body = client.get(reverse("patients:detail", args=[clinic.alice.pk])).content.decode()
    assert (reverse("iop:patient", args=[clinic.alice.pk]) in body) is sees_iop
    assert (reverse("reminders:patient", args=[clinic.alice.pk]) in body) is sees_reminders


def test_no_iop_card_for_a_patient_never_enrolled(client, clinic, enrolment):
    client.force_login(clinic.nurse)
    other = make_patient(clinic.alice.site, "K000777", "Cara", "Novak", dt.date(1990, 1, 1))
    body = client.get(reverse("patients:detail", args=[other.pk])).content.decode()
    assert "Intensive outpatient program" not in body
