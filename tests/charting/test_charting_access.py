"""Every chart page and endpoint, every persona (STYLE habit 9): 302 to log in, 403 without
the permission, 404 for another site's session (nurse_b), else the allowed result."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from tests.charting.factories import make_session
from tests.personas import PERSONAS

from ketaclinic.apps.charting.models import PreCheck

pytestmark = pytest.mark.django_db

READERS = {"nurse", "prescriber", "therapist", "director"}
CHECK_IN = {"front_desk", "nurse"}
NURSE = {"nurse"}
PRESCRIBER = {"prescriber"}
REMS = {"nurse", "prescriber"}
# The director reads the REMS forms (and the REMS dashboard) but does not prepare them.
REMS_READ = {*REMS, "director"}
INTEGRATION_READ = {"therapist", "prescriber", "director"}


def expected(persona: str, allowed: set[str], ok: int = 200) -> int:
    if persona == "anonymous":
        return 302
    if persona == "nurse_b":
        return 404 if "nurse" in allowed else 403
    return ok if persona in allowed else 403


@pytest.fixture
def login(client, clinic):
    def as_persona(persona: str):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return as_persona


@pytest.fixture
def session(clinic, fixed_clock):
    return make_session(clinic)


def checked_in(clinic, session, client):
    from ketaclinic.apps.charting.day import check_in

    check_in(session, user=clinic.nurse, request=None)
    session.refresh_from_db()
    return session


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_chart_is_for_clinical_readers_at_the_patients_site(login, session, persona):
    response = login(persona).get(reverse("charting:chart", args=[session.pk]))
    assert response.status_code == expected(persona, READERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_session_list_is_for_readers_and_front_desk(login, session, persona):
    response = login(persona).get(reverse("charting:list"))
    want = 302 if persona == "anonymous" else 200
    if persona not in READERS | CHECK_IN | {"nurse_b", "anonymous"}:
        want = 403
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_front_desk_and_nurses_check_in(login, session, persona):
    response = login(persona).post(reverse("charting:check-in", args=[session.pk]))
    assert response.status_code == expected(persona, CHECK_IN, ok=302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_nurse_runs_the_pre_dose_check(login, clinic, session, client, persona):
    checked_in(clinic, session, client)
    response = login(persona).post(
        reverse("charting:pre-check", args=[session.pk]),
        {
            "bp_systolic": "120",
            "bp_diastolic": "80",
            "heart_rate": "70",
            "spo2": "98",
            "last_food_minutes_ago": "300",
            "last_liquid_minutes_ago": "60",
            "questionnaires_done": "on",
            "escort_present": "on",
        },
    )
    assert response.status_code == expected(persona, NURSE, ok=302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_prescriber_orders_the_dose(login, session, persona):
    response = login(persona).post(
        reverse("charting:dose-order", args=[session.pk]), {"mg_per_kg": "0.5", "action": "order"}
    )
    assert response.status_code == expected(persona, PRESCRIBER, ok=302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_prescriber_decides_a_hold(login, clinic, session, client, persona):
    from ketaclinic.apps.charting.day import record_pre_check
    from ketaclinic.clinical.monitoring import PreDoseInput

    checked_in(clinic, session, client)
    check = record_pre_check(
        session,
        PreDoseInput(190, 100, 70, 98, True, 300, 60, True),
        questionnaire_evidence="nurse_confirmed",
        user=clinic.nurse,
        request=None,
    )
    response = login(persona).post(
        reverse("charting:hold-decision", args=[session.pk, check.pk]),
        {"outcome": "proceed", "reason": "Re-measured lower."},
    )
    assert response.status_code == expected(persona, PRESCRIBER, ok=302)
    assert PreCheck.objects.get().is_hold


@pytest.mark.parametrize("name", ["vitals", "moaas", "cadss", "adverse-event", "rescue"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_nurse_charts_readings(login, session, persona, name):
    response = login(persona).post(reverse(f"charting:{name}", args=[session.pk]), {})
    # Empty forms: 422 naming the fields.
    assert response.status_code == expected(persona, NURSE, ok=422)


@pytest.mark.parametrize("name", ["dose-start", "dose-stop"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_nurses_give_the_dose_and_prescribers_may_chart_it_to_override(
    login, session, persona, name
):
    response = login(persona).post(reverse(f"charting:{name}", args=[session.pk]), {})
    # Empty forms: 422 naming the fields; stopping a dose that is not running: 409.
    want = expected(persona, NURSE | PRESCRIBER, ok=409 if name == "dose-stop" else 422)
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_nurses_and_prescribers_discharge(login, session, persona):
    response = login(persona).post(reverse("charting:discharge", args=[session.pk]), {})
    # The session is only planned: the discharge refuses (409) for those allowed to try.
    assert response.status_code == expected(persona, {"nurse", "prescriber"}, ok=422)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_rems_record_is_for_nurses_and_prescribers_and_the_director_reads_it(
    login, clinic, fixed_clock, persona
):
    session = make_session(clinic, route="esketamine")
    response = login(persona).get(reverse("charting:rems", args=[session.pk]))
    assert response.status_code == expected(persona, REMS_READ)
    saved = login(persona).post(reverse("charting:rems", args=[session.pk]), {})
    if persona == "director":
        assert saved.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_rems_dashboard_is_for_nurses_prescribers_and_the_director(login, persona):
    response = login(persona).get(reverse("charting:rems-dashboard"))
    # Site B's nurse opens her own site's dashboard (site A's forms are not on it).
    want = 200 if persona == "nurse_b" else expected(persona, REMS_READ)
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_integration_notes_are_read_by_therapists_prescribers_and_the_director(
    login, clinic, persona
):
    response = login(persona).get(reverse("charting:integration-notes", args=[clinic.alice.pk]))
    want = 302 if persona == "anonymous" else (200 if persona in INTEGRATION_READ else 403)
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_therapist_writes_integration_notes(login, clinic, fixed_clock, persona):
    response = login(persona).post(
        reverse("charting:integration-notes", args=[clinic.alice.pk]),
        {"met_on": "2026-03-10", "intentions": "Reconnect with music."},
    )
    want = 302 if persona in ("anonymous", "therapist") else 403
    assert response.status_code == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_chart_api_follows_the_same_rules(login, session, persona):
    response = login(persona).get(f"/api/v1/sessions/{session.pk}")
    want = expected(persona, READERS)
    assert response.status_code == (401 if want == 302 else want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_posting_vitals_over_the_api_is_for_nurses(login, clinic, session, client, persona):
    checked_in(clinic, session, client)
    response = login(persona).post(
        f"/api/v1/sessions/{session.pk}/vitals",
        json.dumps({"bp_systolic": 120, "bp_diastolic": 80, "heart_rate": 70, "spo2": 98}),
        content_type="application/json",
    )
    want = expected(persona, NURSE, ok=201)
    assert response.status_code == (401 if want == 302 else want)


@pytest.mark.parametrize(
    ("step", "allowed", "ok"),
    [
        # A planned session: check-in succeeds; the empty order, start and stop are 422 or
        # 409 (nothing to stop) for those allowed to try.
        ("check-in", CHECK_IN, 200),
        ("dose-order", PRESCRIBER, 422),
        ("dose/start", NURSE | PRESCRIBER, 422),
        ("dose/stop", NURSE | PRESCRIBER, 409),
    ],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_bedside_steps_over_the_api_follow_the_same_rules(
    login, session, persona, step, allowed, ok
):
    response = login(persona).post(
        f"/api/v1/sessions/{session.pk}/{step}", "{}", content_type="application/json"
    )
    want = expected(persona, allowed, ok=ok)
    assert response.status_code == (401 if want == 302 else want)


@pytest.mark.parametrize("persona", PERSONAS)
def test_charting_a_scale_over_the_api_is_for_nurses(login, session, persona):
    response = login(persona).post(
        f"/api/v1/sessions/{session.pk}/scales/moaas",
        json.dumps({"answers": {"item1": 5}}),
        content_type="application/json",
    )
    # A planned session cannot take readings: 409 for a nurse.
    want = expected(persona, NURSE, ok=409)
    assert response.status_code == (401 if want == 302 else want)
