"""Every page and endpoint, every persona: exactly what role and site allow (STYLE habit 9).

Expected codes: 200 allowed, 302 to login for anonymous, 403 for a role without the
permission, 404 for a patient at a site the user does not work at.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.personas import PERSONAS

ALLOWED_TO_VIEW = {"front_desk", "nurse", "prescriber", "therapist", "director"}
ALLOWED_TO_ADD = {"front_desk", "prescriber", "director"}
ALLOWED_TO_EDIT = {"front_desk", "nurse", "prescriber", "director"}
ALLOWED_TO_MEASURE = {"nurse", "prescriber", "director"}
ALLOWED_AUDIT = {"director", "admin"}
ALLOWED_AUDIT_EXPORT = {"director"}


def expected(persona: str, allowed: set[str], *, other_site_patient: bool = False) -> int:
    if persona == "anonymous":
        return 302
    if persona not in allowed and not (persona == "nurse_b" and "nurse" in allowed):
        return 403
    if persona == "nurse_b" and other_site_patient:
        return 404
    return 200


@pytest.fixture
def as_persona(client, clinic):
    def login(persona: str):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("persona", PERSONAS)
def test_patient_list_is_open_to_clinical_roles_only(as_persona, persona):
    response = as_persona(persona).get(reverse("patients:list"))
    want = expected(persona, ALLOWED_TO_VIEW)
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_patient_chart_is_scoped_to_the_users_sites(as_persona, clinic, persona):
    response = as_persona(persona).get(reverse("patients:detail", args=[clinic.alice.pk]))
    assert response.status_code == expected(persona, ALLOWED_TO_VIEW, other_site_patient=True)


@pytest.mark.parametrize("persona", PERSONAS)
def test_patient_edit_page_needs_change_permission(as_persona, clinic, persona):
    response = as_persona(persona).get(reverse("patients:edit", args=[clinic.alice.pk]))
    assert response.status_code == expected(persona, ALLOWED_TO_EDIT, other_site_patient=True)


@pytest.mark.parametrize("persona", PERSONAS)
def test_new_patient_page_needs_add_permission(as_persona, persona):
    response = as_persona(persona).get(reverse("patients:create"))
    assert response.status_code == expected(persona, ALLOWED_TO_ADD)


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_a_weight_needs_measure_permission(as_persona, clinic, persona):
    response = as_persona(persona).post(
        reverse("patients:measurement-add", args=[clinic.alice.pk]),
        {"measured_on": "2026-01-20", "weight_kg": "71.5"},
    )
    want = expected(persona, ALLOWED_TO_MEASURE, other_site_patient=True)
    assert response.status_code == (302 if want == 200 else want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_audit_page_is_for_the_director_and_admin(as_persona, persona):
    response = as_persona(persona).get(reverse("audit:list"))
    want = 302 if persona == "anonymous" else (200 if persona in ALLOWED_AUDIT else 403)
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_audit_export_is_for_the_director_only(as_persona, persona):
    response = as_persona(persona).get(reverse("audit:export"))
    want = 302 if persona == "anonymous" else (200 if persona in ALLOWED_AUDIT_EXPORT else 403)
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_page_needs_a_login_only(as_persona, persona):
    response = as_persona(persona).get(reverse("home"))
    assert response.status_code == (302 if persona == "anonymous" else 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_patient_list_follows_the_same_rules(as_persona, persona):
    response = as_persona(persona).get("/api/v1/patients")
    want = {302: 401}.get(expected(persona, ALLOWED_TO_VIEW), expected(persona, ALLOWED_TO_VIEW))
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_patient_detail_hides_other_sites(as_persona, clinic, persona):
    response = as_persona(persona).get(f"/api/v1/patients/{clinic.alice.pk}")
    want = expected(persona, ALLOWED_TO_VIEW, other_site_patient=True)
    assert response.status_code == {302: 401}.get(want, want)


def test_site_b_nurse_sees_only_site_b_patients_in_lists(as_persona, clinic):
    response = as_persona("nurse_b").get(reverse("patients:list"))
    assert [p.pk for p in response.context["page"].items] == [clinic.bob.pk]
    api = as_persona("nurse_b").get("/api/v1/patients").json()
    assert [p["id"] for p in api["items"]] == [clinic.bob.pk]


def test_admin_site_is_for_the_administrator(as_persona):
    assert as_persona("admin").get("/admin/").status_code == 200
    assert as_persona("director").get("/admin/").status_code == 302
