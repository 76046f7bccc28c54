"""A whole IV session through the pages: check-in, a hold, the prescriber's decision, the dose,
vitals that fire the rules, discharge. Each step's record, alert and audit event checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.charting.factories import make_session

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.charting.models import (
    AdverseEvent,
    Discharge,
    DoseOrder,
    HoldDecision,
    MonitoringEvent,
    PreCheck,
)
from ketaclinic.apps.treatment.models import Session

pytestmark = pytest.mark.django_db

GOOD_CHECK = {
    "bp_systolic": "128",
    "bp_diastolic": "78",
    "heart_rate": "72",
    "spo2": "98",
    "last_food_minutes_ago": "240",
    "last_liquid_minutes_ago": "60",
    "questionnaires_done": "on",
    "escort_present": "on",
}


CHART_QUERIES = 18  # the access load is one query (accounts/scoping.py), not three
IV_ORDER = {
    "mg_per_kg": "0.5",
    "concentration_mg_per_ml": "1",
    "duration_min": "40",
    "action": "order",
}


def as_user(client, user):
    client.force_login(user)
    return client


def advance(clock, minutes: float) -> None:
    clock.moment += dt.timedelta(minutes=minutes)


def audited(action: str, object_type: str) -> int:
    return AuditEvent.objects.filter(action=action, object_type=object_type).count()


def checked_in(clinic, client, route="iv"):
    session = make_session(clinic, route=route)
    as_user(client, clinic.front_desk).post(reverse("charting:check-in", args=[session.pk]))
    return session


def url(name, session, *extra):
    return reverse(f"charting:{name}", args=[session.pk, *extra])


def order_and_start(client, clinic, session, clock):
    as_user(client, clinic.prescriber).post(
        url("dose-order", session),
        IV_ORDER,
    )
    as_user(client, clinic.nurse).post(url("pre-check", session), GOOD_CHECK)
    response = client.post(
        url("dose-start", session),
        {
            "product": "Ketamine HCl 1 mg/mL",
            "lot": "KX123",
            "strength_mg": "1",
            "volume_drawn_ml": "35",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def test_front_desk_checks_in_and_the_session_event_is_recorded(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    session.refresh_from_db()
    assert session.status == "checked_in"
    assert session.events.get().by == clinic.front_desk
    assert audited("update", "session") == 1


def test_a_high_bp_holds_the_session_and_alerts_the_prescriber(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    response = as_user(client, clinic.nurse).post(
        url("pre-check", session), {**GOOD_CHECK, "bp_systolic": "186", "bp_diastolic": "96"}
    )
    assert response.status_code == 302
    check = PreCheck.objects.get()
    # 186 > 180 (Swiss label hold line): hold, whatever else is fine.
    assert check.decision == "hold"
    assert [r["code"] for r in check.reasons] == ["bp_above_hold"]
    alert = Alert.objects.get(kind=AlertKind.SESSION_HOLD)
    assert alert.assigned_to == clinic.prescriber
    assert alert.level == AlertLevel.URGENT
    page = client.get(url("chart", session)).content.decode()
    assert "HOLD — do not dose" in page
    assert "Waiting for the prescriber" in page
    assert audited("create", "pre_check") == 1


def test_the_nurse_cannot_start_the_dose_until_the_prescriber_decides(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    as_user(client, clinic.prescriber).post(
        url("dose-order", session), {"mg_per_kg": "0.5", "action": "order"}
    )
    as_user(client, clinic.nurse).post(
        url("pre-check", session), {**GOOD_CHECK, "bp_systolic": "186", "bp_diastolic": "96"}
    )
    refused = client.post(url("dose-start", session), {"product": "Ketamine", "lot": "K1"})
    assert refused.status_code == 409
    assert "prescriber must decide" in refused.content.decode()
    check = PreCheck.objects.get()
    decided = as_user(client, clinic.prescriber).post(
        url("hold-decision", session, check.pk),
        {"outcome": "proceed", "reason": "Re-measured 168/92 after rest; usual for her."},
    )
    assert decided.status_code == 302
    decision = HoldDecision.objects.get()
    assert decision.decided_by == clinic.prescriber
    assert decision.reason.startswith("Re-measured")
    alert = Alert.objects.get(kind=AlertKind.SESSION_HOLD)
    assert alert.acknowledged_by == clinic.prescriber
    assert alert.acknowledgement_note.startswith("Proceed with the dose: Re-measured")
    assert audited("sign", "hold_decision") == 1
    # The order named no concentration: at 10 mg/mL its 35 mg is 3.5 mL.
    started = as_user(client, clinic.nurse).post(
        url("dose-start", session),
        {"product": "Ketamine", "lot": "K1", "strength_mg": "10", "volume_drawn_ml": "3.5"},
    )
    assert started.status_code == 302
    session.refresh_from_db()
    assert session.status == "dosing"


def test_a_hold_decision_needs_a_reason(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    as_user(client, clinic.nurse).post(
        url("pre-check", session), {**GOOD_CHECK, "escort_present": ""}
    )
    check = PreCheck.objects.get()
    response = as_user(client, clinic.prescriber).post(
        url("hold-decision", session, check.pk), {"outcome": "proceed", "reason": "  "}
    )
    assert response.status_code == 422
    assert not HoldDecision.objects.exists()


def test_cancelling_on_a_hold_cancels_the_session(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    as_user(client, clinic.nurse).post(url("pre-check", session), {**GOOD_CHECK, "spo2": "90"})
    check = PreCheck.objects.get()
    as_user(client, clinic.prescriber).post(
        url("hold-decision", session, check.pk),
        {"outcome": "cancel", "reason": "SpO2 90% on room air: assess first."},
    )
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert session.events.last().reason == "SpO2 90% on room air: assess first."


def test_caution_lets_the_dose_go_ahead_with_its_reasons_charted(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    as_user(client, clinic.nurse).post(
        url("pre-check", session), {**GOOD_CHECK, "bp_systolic": "150", "bp_diastolic": "88"}
    )
    # 150 > 140 but not > 180: caution, no alert.
    assert PreCheck.objects.get().decision == "proceed_with_caution"
    assert not Alert.objects.exists()


def test_questionnaires_not_done_holds_by_default(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    as_user(client, clinic.nurse).post(
        url("pre-check", session), {**GOOD_CHECK, "questionnaires_done": ""}
    )
    check = PreCheck.objects.get()
    assert check.decision == "hold"
    assert [r["code"] for r in check.reasons] == ["questionnaires_missing"]


def test_a_pre_check_with_diastolic_above_systolic_names_the_field(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    response = as_user(client, clinic.nurse).post(
        url("pre-check", session), {**GOOD_CHECK, "bp_systolic": "80", "bp_diastolic": "90"}
    )
    assert response.status_code == 422
    assert response.context["pre_check_form"].errors["bp_diastolic"]
    assert not PreCheck.objects.exists()


def test_the_dose_order_comes_from_the_core_and_the_latest_weight(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    response = as_user(client, clinic.prescriber).post(
        url("dose-order", session),
        IV_ORDER,
    )
    assert response.status_code == 302
    order = DoseOrder.objects.get()
    # Alice: 70 kg, 170 cm, BMI 24.2 -> actual weight. 0.5 x 70 = 35 mg; at 1 mg/mL 35 mL;
    # over 40 min 35 / 40 x 60 = 52.5 mL/h.
    assert order.dose_mg == Decimal("35")
    assert order.volume_ml == Decimal("35")
    assert order.rate_ml_per_h == Decimal("52.5")
    assert order.weight_basis == "actual"
    assert order.result["dose_mg"] == "35.0"
    assert audited("sign", "dose_order") == 1


def test_the_dose_preview_saves_nothing(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    response = as_user(client, clinic.prescriber).post(
        url("dose-order", session), {"mg_per_kg": "0.5", "action": "preview"}
    )
    assert "Preview: 35" in response.content.decode()
    assert not DoseOrder.objects.exists()


def test_a_dose_over_the_core_limit_is_refused_on_its_field(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    response = as_user(client, clinic.prescriber).post(
        url("dose-order", session), {"mg_per_kg": "6", "action": "order"}
    )
    assert response.status_code == 422
    assert response.context["order_form"].errors["mg_per_kg"]


def test_a_sustained_high_bp_pauses_the_dose_and_calls_the_prescriber(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    order_and_start(client, clinic, session, fixed_clock)
    advance(fixed_clock, 10)
    first = client.post(
        url("vitals", session),
        {"bp_systolic": "185", "bp_diastolic": "100", "heart_rate": "88", "spo2": "97"},
        HTTP_HX_REQUEST="true",
    )
    body = first.content.decode()
    assert "<html" not in body
    assert "Recheck due" in body
    assert not Alert.objects.filter(kind=AlertKind.VITAL_SIGNS).exists()
    advance(fixed_clock, 5)
    second = client.post(
        url("vitals", session),
        {"bp_systolic": "188", "bp_diastolic": "104", "heart_rate": "90", "spo2": "97"},
        HTTP_HX_REQUEST="true",
    )
    # 185 and 188 > 180, 5 minutes apart: pause and call (monitor.yip-2022-hypertension).
    assert "PAUSE THE DOSE" in second.content.decode()
    alert = Alert.objects.get(kind=AlertKind.VITAL_SIGNS)
    assert alert.level == AlertLevel.URGENT
    assert alert.assigned_to == clinic.prescriber
    advance(fixed_clock, 5)
    client.post(
        url("vitals", session),
        {"bp_systolic": "186", "bp_diastolic": "100", "heart_rate": "90", "spo2": "97"},
    )
    assert Alert.objects.filter(kind=AlertKind.VITAL_SIGNS).count() == 1  # called once
    assert MonitoringEvent.objects.get().code == "bp_urgent_sustained"


def test_a_bp_above_200_stops_the_dose_at_once(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    order_and_start(client, clinic, session, fixed_clock)
    advance(fixed_clock, 5)
    response = client.post(
        url("vitals", session),
        {"bp_systolic": "202", "bp_diastolic": "110", "heart_rate": "88", "spo2": "97"},
        HTTP_HX_REQUEST="true",
    )
    assert "STOP THE DOSE" in response.content.decode()
    assert MonitoringEvent.objects.get().action == "stop"


def test_low_spo2_pauses_and_calls(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    order_and_start(client, clinic, session, fixed_clock)
    advance(fixed_clock, 5)
    client.post(
        url("vitals", session),
        {"bp_systolic": "130", "bp_diastolic": "80", "heart_rate": "80", "spo2": "91"},
    )
    assert MonitoringEvent.objects.get().code == "spo2_low"
    assert Alert.objects.filter(kind=AlertKind.VITAL_SIGNS).count() == 1


def test_moaas_zero_records_an_adverse_event_by_itself(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    order_and_start(client, clinic, session, fixed_clock)
    advance(fixed_clock, 15)
    response = client.post(url("moaas", session), {"item1": "0"}, HTTP_HX_REQUEST="true")
    assert "STOP THE DOSE" in response.content.decode()
    event = AdverseEvent.objects.get()
    assert event.automatic
    assert event.kind == "sedation"
    assert event.severity == "severe"
    kinds = set(Alert.objects.values_list("kind", flat=True))
    assert kinds == {AlertKind.VITAL_SIGNS, AlertKind.ADVERSE_EVENT}


def test_moaas_one_pauses_without_an_adverse_event(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    order_and_start(client, clinic, session, fixed_clock)
    advance(fixed_clock, 15)
    client.post(url("moaas", session), {"item1": "1"})
    assert MonitoringEvent.objects.get().code == "moaas_deep_sedation"
    assert not AdverseEvent.objects.exists()


def test_a_vitals_entry_with_a_bad_value_returns_the_panel_with_the_error(
    client, clinic, fixed_clock
):
    session = checked_in(clinic, client)
    response = as_user(client, clinic.nurse).post(
        url("vitals", session),
        {"bp_systolic": "120", "bp_diastolic": "130", "heart_rate": "80", "spo2": "98"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "must be lower than the systolic" in response.content.decode()
    plain = client.post(
        url("vitals", session),
        {"bp_systolic": "120", "bp_diastolic": "80", "heart_rate": "80", "spo2": "101"},
    )
    assert plain.status_code == 422
    assert plain.context["vital_form"].errors["spo2"]


def _to_observation(client, clinic, session, clock):
    order_and_start(client, clinic, session, clock)
    advance(clock, 40)
    client.post(url("dose-stop", session), {"volume_given_ml": "35"})
    session.refresh_from_db()
    assert session.status == "observing"


def test_discharge_is_refused_to_a_nurse_before_two_hours(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    _to_observation(client, clinic, session, fixed_clock)
    client.post(url("vitals", session), GOOD_CHECK | {"respiratory_rate": ""})
    client.post(url("moaas", session), {"item1": "5"})
    response = client.post(
        url("discharge", session),
        {"dissociation_resolved": "on", "escort_confirmed": "on", "instruction_given": "on"},
    )
    # 40 minutes observed of 120 (label minimum applied to IV, unverified).
    assert response.status_code == 409
    assert "Observed 40 of at least 120 minutes" in response.content.decode()
    assert not Discharge.objects.exists()


def test_a_prescriber_may_override_discharge_with_a_reason(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    _to_observation(client, clinic, session, fixed_clock)
    client.post(url("vitals", session), GOOD_CHECK | {"respiratory_rate": ""})
    client.post(url("moaas", session), {"item1": "5"})
    form = {"dissociation_resolved": "on", "escort_confirmed": "on", "instruction_given": "on"}
    without = as_user(client, clinic.prescriber).post(url("discharge", session), form)
    assert without.status_code == 422
    assert without.context["discharge_form"].errors["override_reason"]
    done = client.post(url("discharge", session), {**form, "override_reason": "Family emergency."})
    assert done.status_code == 302
    record = Discharge.objects.get()
    assert not record.ready
    assert record.override_reason == "Family emergency."
    assert record.reasons[0]["code"] == "observation_too_short"
    assert audited("sign", "discharge") == 1


def test_a_nurse_discharges_a_ready_patient_with_the_no_driving_instruction(
    client, clinic, fixed_clock
):
    session = checked_in(clinic, client)
    _to_observation(client, clinic, session, fixed_clock)
    advance(fixed_clock, 85)  # 125 minutes since the dose started
    client.post(url("vitals", session), GOOD_CHECK | {"respiratory_rate": "14"})
    client.post(url("moaas", session), {"item1": "5"})
    missing = client.post(
        url("discharge", session), {"dissociation_resolved": "on", "escort_confirmed": "on"}
    )
    assert missing.status_code == 422
    assert missing.context["discharge_form"].errors["instruction_given"]
    response = client.post(
        url("discharge", session),
        {
            "dissociation_resolved": "on",
            "escort_confirmed": "on",
            "instruction_given": "on",
            "escort_name": "Sam Rivera",
        },
    )
    assert response.status_code == 302
    record = Discharge.objects.get()
    assert record.ready
    assert record.observed_minutes == 125
    assert record.instruction.startswith("Do not drive")
    assert Session.objects.get(pk=session.pk).status == "discharged"
    page = client.get(url("chart", session)).content.decode()
    assert "Instruction given: Do not drive" in page


def test_an_escort_not_confirmed_keeps_the_patient(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    _to_observation(client, clinic, session, fixed_clock)
    advance(fixed_clock, 85)
    client.post(url("vitals", session), GOOD_CHECK | {"respiratory_rate": ""})
    client.post(url("moaas", session), {"item1": "5"})
    response = client.post(
        url("discharge", session), {"dissociation_resolved": "on", "instruction_given": "on"}
    )
    assert response.status_code == 409
    assert "No escort confirmed" in response.content.decode()


def test_adverse_events_and_rescue_medication_are_charted(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    order_and_start(client, clinic, session, fixed_clock)
    advance(fixed_clock, 20)
    client.post(
        url("adverse-event", session),
        {"kind": "nausea", "severity": "mild", "action_taken": "Ondansetron 4 mg IV"},
    )
    client.post(
        url("rescue", session),
        {"drug": "Ondansetron", "dose_mg": "4", "route": "iv", "reason": "nausea"},
    )
    other = client.post(
        url("adverse-event", session),
        {"kind": "other", "severity": "mild", "action_taken": "Observed"},
    )
    assert other.status_code == 422
    assert other.context["adverse_form"].errors["description"]
    assert AdverseEvent.objects.get().kind == "nausea"
    assert not Alert.objects.filter(kind=AlertKind.ADVERSE_EVENT).exists()  # mild: no alert
    page = client.get(url("chart", session)).content.decode()
    assert "Ondansetron" in page
    assert audited("create", "rescue_medication") == 1


def test_the_chart_view_is_audited_and_its_queries_do_not_grow_with_the_readings(
    client, clinic, fixed_clock, django_assert_num_queries
):
    session = checked_in(clinic, client)
    order_and_start(client, clinic, session, fixed_clock)

    def chart_some_readings():
        for _ in range(4):
            advance(fixed_clock, 5)
            client.post(
                url("vitals", session),
                {"bp_systolic": "140", "bp_diastolic": "85", "heart_rate": "80", "spo2": "97"},
            )
            client.post(url("moaas", session), {"item1": "4"})
            client.post(
                url("rescue", session), {"drug": "Ondansetron", "dose_mg": "4", "route": "iv"}
            )

    # Pinned: login and permissions, the session, one query per kind of record, the
    # ledger containers on offer, and the audit event. The same with twice the readings.
    chart_some_readings()
    with django_assert_num_queries(CHART_QUERIES):
        client.get(url("chart", session))
    chart_some_readings()
    before = audited("view", "session")
    with django_assert_num_queries(CHART_QUERIES):
        response = client.get(url("chart", session))
    assert response.status_code == 200
    assert len(response.context["vitals"]) == 8
    assert audited("view", "session") == before + 1


def test_a_self_report_taken_today_counts_as_questionnaires_done(client, clinic, fixed_clock):
    from ketaclinic.apps.assessments.models import Assessment

    session = checked_in(clinic, client)
    Assessment.objects.create(
        patient=clinic.alice,
        site=clinic.site_a,
        instrument="phq9",
        instrument_version="PHQ-9",
        answers={f"item{n}": 1 for n in range(1, 10)},
        total=9,
        max_total=27,
        source="self_report",
        taken_at=fixed_clock.moment - dt.timedelta(hours=1),
    )
    page = as_user(client, clinic.nurse).get(url("chart", session)).content.decode()
    assert "Today&#x27;s self-reports: PHQ9" in page or "Today's self-reports: PHQ9" in page
    client.post(url("pre-check", session), {**GOOD_CHECK, "questionnaires_done": ""})
    check = PreCheck.objects.get()
    assert check.decision == "proceed"
    assert check.questionnaire_evidence == "assessments"


def test_yesterdays_self_report_does_not_count(client, clinic, fixed_clock):
    from ketaclinic.apps.assessments.models import Assessment

    session = checked_in(clinic, client)
    Assessment.objects.create(
        patient=clinic.alice,
        site=clinic.site_a,
        instrument="phq9",
        instrument_version="PHQ-9",
        answers={f"item{n}": 1 for n in range(1, 10)},
        total=9,
        max_total=27,
        source="self_report",
        # 10:00 at Riverside now; 23:30 yesterday there is 03:30 UTC today.
        taken_at=dt.datetime(2026, 3, 10, 3, 30, tzinfo=dt.UTC),
    )
    as_user(client, clinic.nurse).post(
        url("pre-check", session), {**GOOD_CHECK, "questionnaires_done": ""}
    )
    assert PreCheck.objects.get().decision == "hold"


def test_a_sustained_heart_rate_above_120_pauses_and_calls(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    order_and_start(client, clinic, session, fixed_clock)
    for _ in range(2):
        advance(fixed_clock, 5)
        client.post(
            url("vitals", session),
            {"bp_systolic": "140", "bp_diastolic": "85", "heart_rate": "124", "spo2": "97"},
        )
    # 124 > 120 at minutes 5 and 10, 5 minutes apart: pause, call.
    assert MonitoringEvent.objects.get().code == "heart_rate_sustained"
    assert Alert.objects.filter(kind=AlertKind.VITAL_SIGNS).count() == 1


def test_a_severe_adverse_event_alerts_the_prescriber(client, clinic, fixed_clock):
    session = checked_in(clinic, client)
    order_and_start(client, clinic, session, fixed_clock)
    client.post(
        url("adverse-event", session),
        {
            "kind": "emergence_reaction",
            "severity": "severe",
            "action_taken": "Infusion stopped; midazolam 2 mg IV.",
        },
    )
    alert = Alert.objects.get(kind=AlertKind.ADVERSE_EVENT)
    assert alert.level == AlertLevel.URGENT
    assert alert.assigned_to == clinic.prescriber
    assert "midazolam" in alert.message
