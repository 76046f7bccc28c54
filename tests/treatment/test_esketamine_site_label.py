"""The site's esketamine label (its jurisdiction) sets the starting dose at 65 and over.

EU/UK SmPC: adults of 65 and over start at 28 mg, then 28, 56 or 84 mg; the US label starts
every adult at 56 mg (``dose.spravato-eu-smpc``, ``protocol.spravato-label-dosing``). Alice
is born 1984-06-02 (41 on 2026-03-11); the older patient is born 1955-01-01 (71).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.charting.factories import make_session
from tests.personas import make_patient
from tests.treatment.test_plans_and_schedule import plan_page, prescriber, signed_for

from ketaclinic.apps.charting.dose_orders import DoseRequest, calculate_for
from ketaclinic.apps.patients.models import Measurement
from ketaclinic.apps.treatment.models import Course

pytestmark = pytest.mark.django_db
__all__ = ["prescriber"]  # the fixture, imported for these tests


def older(clinic):
    return make_patient(clinic.site_a, "K000071", "Olive", "Older", dt.date(1955, 1, 1))


def first_doses(client, clinic, patient) -> list[str]:
    screening = signed_for(clinic, patient, route="esketamine", age=71)
    response = plan_page(client, screening, protocol="esketamine-trd:every-2-weeks")
    assert response.status_code == 302
    course = Course.objects.get(patient=patient)
    return list(course.sessions.order_by("number").values_list("planned_dose_text", flat=True))


def test_an_eu_site_plans_28_mg_first_for_a_patient_of_65_or_more(prescriber, clinic):
    clinic.site_a.esketamine_label = "eu"
    clinic.site_a.save()
    texts = first_doses(prescriber, clinic, older(clinic))
    assert texts[:2] == ["28 mg", "56 mg"]


def test_a_us_site_plans_56_mg_first_at_every_adult_age(prescriber, clinic):
    assert clinic.site_a.esketamine_label == "us"
    texts = first_doses(prescriber, clinic, older(clinic))
    assert texts[:2] == ["56 mg", "56 mg"]


def test_an_eu_site_plans_56_mg_first_under_65(prescriber, clinic):
    clinic.site_a.esketamine_label = "eu"
    clinic.site_a.save()
    screening = signed_for(clinic, clinic.alice, route="esketamine")
    plan_page(prescriber, screening, protocol="esketamine-trd:every-2-weeks")
    course = Course.objects.get(patient=clinic.alice)
    assert course.sessions.get(number=1).planned_dose_text == "56 mg"


@pytest.mark.parametrize(("label", "warned"), [("eu", False), ("us", True)])
def test_a_28_mg_order_for_a_patient_of_71_is_a_label_dose_only_under_the_eu_smpc(
    clinic, fixed_clock, label, warned
):
    clinic.site_a.esketamine_label = label
    clinic.site_a.save()
    patient = older(clinic)
    session = make_session(clinic, route="esketamine", patient=patient)
    Measurement.objects.create(
        patient=patient, measured_on=dt.date(2026, 3, 10), weight_kg=Decimal("70")
    )
    result, _ = calculate_for(session, DoseRequest(dose_mg=Decimal("28")))
    assert result.dose_mg == Decimal("28")
    not_label = [w for w in result.warnings if "not a label dose" in w]
    assert bool(not_label) is warned
    if warned:
        assert not_label == ["28 mg is not a label dose (56 or 84 mg)"]


@pytest.mark.parametrize(
    ("label", "age", "note"),
    [
        ("eu", 71, "starts at 28 mg on day 1 under the EU/UK SmPC, which Riverside follows (65"),
        ("eu", 41, "starts at 56 mg on day 1 under the EU/UK SmPC, which Riverside follows."),
        ("us", 71, "starts at 56 mg on day 1 under the US label, which Riverside follows."),
    ],
)
def test_the_esketamine_screening_shows_the_sites_starting_dose(
    prescriber, clinic, label, age, note
):
    clinic.site_a.esketamine_label = label
    clinic.site_a.save()
    screening = signed_for(clinic, older(clinic), route="esketamine", age=age)
    page = prescriber.get(reverse("treatment:screening", args=[screening.pk])).content.decode()
    assert note in page
