"""The chart API (422 naming the field, chart data), notes and who sees them, the session
list's pinned queries, the patient chart's recent-sessions section."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.charting.factories import NOW, make_session

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.charting.day import check_in
from ketaclinic.apps.charting.models import IntegrationNote, SessionNote, VitalSign

pytestmark = pytest.mark.django_db

VITALS = {"bp_systolic": 132, "bp_diastolic": 82, "heart_rate": 76, "spo2": 97}


@pytest.fixture
def session(clinic, fixed_clock):
    session = make_session(clinic)
    check_in(session, user=clinic.nurse, request=None)
    session.refresh_from_db()
    return session


def post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_posting_vitals_returns_the_reading_and_is_audited(client, clinic, session):
    client.force_login(clinic.nurse)
    response = post_json(client, f"/api/v1/sessions/{session.pk}/vitals", VITALS)
    assert response.status_code == 201
    body = response.json()
    assert body["vital"]["bp_systolic"] == 132
    assert body["assessment"] is None  # no dose yet: the in-session rules do not apply
    assert AuditEvent.objects.filter(action="create", object_type="vital_sign").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"spo2": 101}, "spo2"),
        ({"bp_systolic": 30}, "bp_systolic"),
        ({"heart_rate": "fast"}, "heart_rate"),
        ({"respiratory_rate": 2}, "respiratory_rate"),
        ({"bp_diastolic": 140}, "bp_diastolic"),
        ({"taken_at": "2026-03-10T09:00:00"}, "taken_at"),
        ({"taken_at": "2026-03-10T15:00:00+00:00"}, "taken_at"),
        ({"pulse": 70}, "pulse"),
    ],
)
def test_bad_vitals_are_422_naming_the_field(client, clinic, session, change, field):
    client.force_login(clinic.nurse)
    response = post_json(client, f"/api/v1/sessions/{session.pk}/vitals", {**VITALS, **change})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not VitalSign.objects.exists()


def test_vitals_on_a_discharged_or_planned_session_are_409(client, clinic, fixed_clock):
    planned = make_session(clinic)
    client.force_login(clinic.nurse)
    response = post_json(client, f"/api/v1/sessions/{planned.pk}/vitals", VITALS)
    assert response.status_code == 409


def test_the_chart_api_gives_status_checks_and_readings(client, clinic, session, fixed_clock):
    client.force_login(clinic.nurse)
    post_json(client, f"/api/v1/sessions/{session.pk}/vitals", VITALS)
    listed = client.get(f"/api/v1/sessions/{session.pk}/vitals").json()["items"]
    assert [v["heart_rate"] for v in listed] == [76]
    chart = client.get(f"/api/v1/sessions/{session.pk}").json()
    assert chart["status"] == "checked_in"
    assert chart["route"] == "iv"
    assert chart["events"][0]["to_status"] == "checked_in"
    assert chart["vitals"][0]["spo2"] == 97
    assert chart["dose_order"] is None


def test_a_nurse_sees_that_an_integration_note_exists_but_not_its_content(client, clinic, session):
    client.force_login(clinic.therapist)
    response = client.post(
        reverse("charting:integration-notes", args=[clinic.alice.pk]),
        {
            "met_on": "2026-03-10",
            "session": str(session.pk),
            "intentions": "Reconnect with music.",
            "experience": "Felt her late father's presence.",
        },
    )
    assert response.status_code == 302
    note = IntegrationNote.objects.get()
    assert note.session == session
    assert note.author == clinic.therapist
    client.force_login(clinic.nurse)
    page = client.get(reverse("charting:chart", args=[session.pk])).content.decode()
    assert "Integration notes for this session: 1" in page
    assert "late father" not in page
    client.force_login(clinic.prescriber)
    notes = client.get(reverse("charting:integration-notes", args=[clinic.alice.pk]))
    assert "late father" in notes.content.decode()
    assert AuditEvent.objects.filter(action="view", object_type="integration_note").exists()


def test_an_empty_integration_note_is_refused(client, clinic, session):
    client.force_login(clinic.therapist)
    response = client.post(
        reverse("charting:integration-notes", args=[clinic.alice.pk]), {"met_on": "2026-03-10"}
    )
    assert response.status_code == 422
    assert not IntegrationNote.objects.exists()


def test_nursing_and_prescriber_notes_need_their_role(client, clinic, session):
    client.force_login(clinic.nurse)
    ok = client.post(reverse("charting:note", args=[session.pk, "nursing"]), {"text": "Calm."})
    refused = client.post(reverse("charting:note", args=[session.pk, "prescriber"]), {"text": "x"})
    client.force_login(clinic.prescriber)
    mine = client.post(
        reverse("charting:note", args=[session.pk, "prescriber"]), {"text": "Continue plan."}
    )
    assert (ok.status_code, refused.status_code, mine.status_code) == (302, 403, 302)
    assert list(SessionNote.objects.values_list("kind", flat=True)) == ["nursing", "prescriber"]


def test_the_session_list_shows_each_sites_today_in_pinned_queries(
    client, clinic, fixed_clock, django_assert_num_queries
):
    for n in range(1, 8):
        make_session(clinic, number=n, planned_start=NOW + dt.timedelta(minutes=30 * n))
    make_session(clinic, number=1, planned_start=NOW + dt.timedelta(days=1))
    make_session(clinic, patient=clinic.bob, planned_start=NOW)
    client.force_login(clinic.front_desk)
    client.get(reverse("charting:list"))
    # Pinned: session, user, access (1 UNION: sites and permissions), sites, the page of
    # sessions (one query, no COUNT), and the audit event (one insert).
    with django_assert_num_queries(6):
        response = client.get(reverse("charting:list"))
    assert len(response.context["page"].items) == 7
    assert b"Check in" in response.content


def test_the_patient_chart_lists_recent_sessions_for_chart_readers(client, clinic, session):
    client.force_login(clinic.nurse)
    page = client.get(reverse("patients:detail", args=[clinic.alice.pk])).content.decode()
    assert "Recent sessions" in page
    assert reverse("charting:chart", args=[session.pk]) in page
    client.force_login(clinic.front_desk)
    page = client.get(reverse("patients:detail", args=[clinic.alice.pk])).content.decode()
    assert "Recent sessions" not in page


def test_a_full_chart_over_the_api_carries_the_dose_and_the_assessment(
    client, clinic, session, fixed_clock
):
    from ketaclinic.apps.charting.administering import start_administration
    from ketaclinic.apps.charting.day import record_pre_check
    from ketaclinic.apps.charting.dose_orders import DoseRequest, order_dose
    from ketaclinic.clinical.monitoring import PreDoseInput

    order_dose(session, DoseRequest(mg_per_kg=Decimal("0.5")), user=clinic.prescriber, request=None)
    record_pre_check(
        session,
        PreDoseInput(150, 85, 70, 98, True, 300, 60, True),
        questionnaire_evidence="nurse_confirmed",
        user=clinic.nurse,
        request=None,
    )
    start_administration(
        session,
        product="Ketamine",
        lot="K1",
        strength_mg=Decimal("10"),
        volume_drawn_ml=Decimal("3.5"),
        started_at=fixed_clock.moment,
        user=clinic.nurse,
        request=None,
    )
    fixed_clock.moment += dt.timedelta(minutes=10)
    client.force_login(clinic.nurse)
    posted = post_json(
        client, f"/api/v1/sessions/{session.pk}/vitals", {**VITALS, "bp_systolic": 185}
    )
    assert posted.json()["assessment"]["action"] == "recheck"
    chart = client.get(f"/api/v1/sessions/{session.pk}").json()
    assert chart["status"] == "dosing"
    assert chart["pre_checks"][0]["decision"] == "proceed_with_caution"
    assert chart["dose_order"]["dose_mg"] == "35.0"  # 0.5 mg/kg x 70 kg
    assert chart["administration"]["lot"] == "K1"
    assert chart["assessment"]["alerts"][0]["code"] == "bp_urgent_recheck"
