"""Every treatment page and endpoint for every persona (STYLE habit 9).

200/302 allowed, 302 to login (pages) or 401 (API) for anonymous, 403 for a role without the
permission, 404 for nurse Bea at site B asking for site A's records.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from tests.personas import PERSONAS
from tests.treatment.conftest import CLEAN_IV, FORM_IV

VIEW = {"front_desk", "nurse", "prescriber", "therapist", "director"}
SCREEN = {"nurse", "prescriber", "director"}
SIGN = {"prescriber", "director"}
PLAN = {"prescriber", "director"}
RESCHEDULE = {"front_desk", "prescriber", "director"}
RULES = {"director"}


def expected(persona: str, allowed: set[str], ok: int = 200, *, scoped: bool = True) -> int:
    """``scoped``: the record is site A's, so Bea (a nurse at B) gets 404 where nurses may."""
    if persona == "anonymous":
        return 302
    if persona == "nurse_b" and "nurse" in allowed:
        return 404 if scoped else ok
    if persona not in allowed:
        return 403
    return ok


def api_expected(persona: str, allowed: set[str], ok: int = 200, *, scoped: bool = True) -> int:
    want = expected(persona, allowed, ok, scoped=scoped)
    return 401 if want == 302 else want


@pytest.fixture
def as_persona(client, clinic, fixed_clock):
    def login(persona: str):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("persona", PERSONAS)
def test_new_screening_page_is_for_staff_who_screen(as_persona, clinic, persona):
    url = reverse("treatment:screening-new", args=[clinic.alice.pk])
    assert as_persona(persona).get(url).status_code == expected(persona, SCREEN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_running_a_screening_is_for_staff_who_screen(as_persona, clinic, persona):
    url = reverse("treatment:screening-new", args=[clinic.alice.pk])
    response = as_persona(persona).post(url, FORM_IV)
    assert response.status_code == expected(persona, SCREEN, 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_screening_page_is_for_clinical_roles_at_the_site(as_persona, signed_screening, persona):
    url = reverse("treatment:screening", args=[signed_screening.pk])
    assert as_persona(persona).get(url).status_code == expected(persona, VIEW)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_prescribers_sign_a_screening(as_persona, clinic, persona):
    from tests.treatment.conftest import screened

    screening = screened(clinic)
    url = reverse("treatment:screening-sign", args=[screening.pk])
    response = as_persona(persona).post(url, {"decision": "proceed"})
    assert response.status_code == expected(persona, SIGN, 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_new_plan_page_is_for_prescribers(as_persona, signed_screening, persona):
    url = reverse("treatment:course-new", args=[signed_screening.pk])
    assert as_persona(persona).get(url).status_code == expected(persona, PLAN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_plan_page_is_for_clinical_roles_at_the_site(as_persona, course, persona):
    url = reverse("treatment:course", args=[course.pk])
    assert as_persona(persona).get(url).status_code == expected(persona, VIEW)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_prescribers_change_the_target_dose(as_persona, course, persona):
    url = reverse("treatment:course-dose", args=[course.pk])
    data = {"target_dose_mg_per_kg": "0.6", "reason": "Under 50% improvement after 3."}
    response = as_persona(persona).post(url, data)
    assert response.status_code == expected(persona, PLAN, 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_prescribers_pause_or_stop_a_course(as_persona, course, persona):
    url = reverse("treatment:course-status", args=[course.pk])
    response = as_persona(persona).post(url, {"status": "paused", "reason": "Patient unwell."})
    assert response.status_code == expected(persona, PLAN, 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_front_desk_and_prescribers_move_sessions(as_persona, course, persona):
    session = course.sessions.get(number=2)
    url = reverse("treatment:session-reschedule", args=[session.pk])
    assert as_persona(persona).get(url).status_code == expected(persona, RESCHEDULE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_schedule_shows_each_user_their_own_sites(as_persona, persona):
    response = as_persona(persona).get(reverse("treatment:schedule"))
    assert response.status_code == expected(persona, VIEW, scoped=False)


@pytest.mark.parametrize("persona", PERSONAS)
def test_screening_settings_are_for_the_medical_director(as_persona, persona):
    response = as_persona(persona).get(reverse("treatment:rule-settings"))
    assert response.status_code == expected(persona, RULES)


# --- API --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_screening_run_follows_the_same_rules(as_persona, clinic, persona):
    body = {**CLEAN_IV, "patient_id": clinic.alice.pk}
    response = as_persona(persona).post(
        "/api/v1/screenings", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == api_expected(persona, SCREEN, 201)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_screening_list_is_scoped(as_persona, clinic, signed_screening, persona):
    response = as_persona(persona).get("/api/v1/screenings", {"patient_id": clinic.alice.pk})
    assert response.status_code == api_expected(persona, VIEW)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_one_screening_is_scoped(as_persona, signed_screening, persona):
    response = as_persona(persona).get(f"/api/v1/screenings/{signed_screening.pk}")
    assert response.status_code == api_expected(persona, VIEW)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_course_list_shows_only_the_users_sites(as_persona, course, persona):
    response = as_persona(persona).get("/api/v1/courses")
    assert response.status_code == api_expected(persona, VIEW, scoped=False)
    if response.status_code == 200:
        ids = [c["id"] for c in response.json()["items"]]
        assert ids == ([] if persona == "nurse_b" else [course.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_course_creation_is_for_prescribers(as_persona, signed_screening, persona):
    body = {
        "screening_id": signed_screening.pk,
        "indication": "trd",
        "protocol_id": "iv-depression-induction",
        "starts_on": "2026-03-11",
    }
    response = as_persona(persona).post(
        "/api/v1/courses", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == api_expected(persona, PLAN, 201)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_course_sessions_are_scoped(as_persona, course, persona):
    response = as_persona(persona).get(f"/api/v1/courses/{course.pk}/sessions")
    assert response.status_code == api_expected(persona, VIEW)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_schedule_is_for_the_users_sites(as_persona, clinic, course, persona):
    response = as_persona(persona).get(
        "/api/v1/schedule", {"site": clinic.site_a.pk, "date": "2026-03-11"}
    )
    assert response.status_code == api_expected(persona, VIEW)


@pytest.mark.parametrize("persona", ["admin", "director"])
def test_administrators_keep_the_holidays_in_the_admin_site(client, clinic, persona):
    user = clinic.persona(persona)
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("admin:treatment_holiday_add"),
        {"site": clinic.site_a.pk, "date": "2026-12-25", "name": "Christmas Day"},
    )
    assert response.status_code == 302
    assert clinic.site_a.holidays.get().name == "Christmas Day"


def test_a_nurse_sees_the_findings_but_no_sign_off_form(client, clinic, fixed_clock):
    from tests.treatment.conftest import screened

    screening = screened(clinic, bp_systolic=146, bp_diastolic=88)
    client.force_login(clinic.nurse)
    response = client.get(reverse("treatment:screening", args=[screening.pk]))
    body = response.content.decode()
    assert "bp_elevated" in body
    assert "Only a prescriber signs off" in body
    assert response.context["signoff_form"] is None
