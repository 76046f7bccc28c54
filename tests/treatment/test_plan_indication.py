"""Every planned course records what it treats: the plan form asks, suggests, and refuses none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketaclinic.apps.patients.models import Condition
from ketaclinic.apps.treatment.models import Course

pytestmark = pytest.mark.django_db

PLAN = {
    "protocol": "iv-depression-induction:thrice-weekly",
    "starts_on": "2026-03-11",
    "start_time": "09:00",
}


def test_a_plan_without_an_indication_is_refused_naming_the_field(
    client, clinic, signed_screening, fixed_clock
):
    client.force_login(clinic.prescriber)
    url = reverse("treatment:course-new", args=[signed_screening.pk])
    response = client.post(url, PLAN)
    assert response.status_code == 422
    assert "indication" in response.context["form"].errors
    assert not Course.objects.exists()


def test_the_indication_chosen_is_stored_on_the_course(
    client, clinic, signed_screening, fixed_clock
):
    client.force_login(clinic.prescriber)
    url = reverse("treatment:course-new", args=[signed_screening.pk])
    client.post(url, {**PLAN, "indication": "ptsd"})
    assert Course.objects.get().indication == "ptsd"


def test_an_unknown_indication_is_a_form_error(client, clinic, signed_screening, fixed_clock):
    client.force_login(clinic.prescriber)
    url = reverse("treatment:course-new", args=[signed_screening.pk])
    response = client.post(url, {**PLAN, "indication": "depression"})
    assert response.status_code == 422
    assert "indication" in response.context["form"].errors


def test_the_patients_primary_condition_suggests_the_indication(
    client, clinic, signed_screening, fixed_clock
):
    Condition.objects.create(patient=signed_screening.patient, code="fibromyalgia", primary=True)
    client.force_login(clinic.prescriber)
    page = client.get(reverse("treatment:course-new", args=[signed_screening.pk]))
    assert page.context["form"].initial["indication"] == "chronic_pain"
    assert '<option value="chronic_pain" selected>' in page.content.decode()
