"""Who may open /pk/: clinical staff; a patient prefill only for their own sites' patients.

Nurses, prescribers, therapists and the medical director explain routes to patients and hold
``pk.use_simulator``; front desk and the administrator get 403 (clinical teaching, and the
prefill reads the chart); another site's patient is a 404, never a prefilled page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.personas import PERSONAS

ALLOWED = {"nurse", "prescriber", "therapist", "director", "nurse_b"}
LIGHT = "weight_kg=70&hours=2&population=0&r1-route=iv&r1-dose=35&r1-dose_unit=mg"
"""One short typical-patient curve: the access tests need the page, not the default work."""


def expected(persona: str, *, other_site_patient: bool = False) -> int:
    if persona == "anonymous":
        return 302
    if persona not in ALLOWED:
        return 403
    if persona == "nurse_b" and other_site_patient:
        return 404
    return 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_pk_page_is_open_to_clinical_staff_only(as_persona, persona):
    response = as_persona(persona).get(f"{reverse('pk:compare')}?{LIGHT}")
    assert response.status_code == expected(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_patient_prefill_is_scoped_to_the_users_sites(as_persona, clinic, persona):
    url = f"{reverse('pk:compare')}?patient={clinic.alice.pk}&{LIGHT}"
    response = as_persona(persona).get(url)
    assert response.status_code == expected(persona, other_site_patient=True)


def test_another_sites_nurse_gets_404_even_with_her_own_inputs(as_persona, clinic):
    url = f"{reverse('pk:compare')}?patient={clinic.alice.pk}&{LIGHT}"
    assert as_persona("nurse_b").get(url).status_code == 404


def test_a_patient_id_that_is_not_a_number_is_404(as_persona):
    assert as_persona("nurse").get(f"{reverse('pk:compare')}?patient=abc").status_code == 404


@pytest.mark.parametrize("persona", ["nurse", "prescriber", "therapist", "director"])
def test_clinical_staff_see_pk_in_the_menu(as_persona, persona):
    response = as_persona(persona).get(reverse("home"))
    assert f'href="{reverse("pk:compare")}"' in response.content.decode()


@pytest.mark.parametrize("persona", ["front_desk", "admin"])
def test_front_desk_and_admin_do_not_see_pk_in_the_menu(as_persona, persona):
    response = as_persona(persona).get(reverse("home"))
    assert f'href="{reverse("pk:compare")}"' not in response.content.decode()


def test_the_patient_chart_links_to_the_comparison_for_a_nurse(as_persona, clinic, fixed_clock):
    response = as_persona("nurse").get(reverse("patients:detail", args=[clinic.alice.pk]))
    page = response.content.decode()
    assert f'href="{reverse("pk:compare")}?patient={clinic.alice.pk}"' in page
    assert "Compare routes (PK)" in page


def test_the_patient_chart_has_no_pk_link_for_the_front_desk(as_persona, clinic, fixed_clock):
    response = as_persona("front_desk").get(reverse("patients:detail", args=[clinic.alice.pk]))
    assert response.status_code == 200
    assert "Compare routes (PK)" not in response.content.decode()
