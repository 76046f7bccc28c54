"""Monitoring details the case files do not show: messages, time, parameters."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from ketaclinic.clinical.eligibility import Route
from ketaclinic.clinical.exceptions import ConfigurationError, InputError
from ketaclinic.clinical.monitoring import (
    BaselineVitals,
    DischargeInput,
    InSessionAction,
    LatestVitals,
    MonitoringParameters,
    PreDoseDecision,
    PreDoseInput,
    VitalReading,
    assess_vitals,
    discharge_readiness,
    minutes_between,
    pre_dose_check,
)

CHECK = PreDoseInput(
    bp_systolic=120,
    bp_diastolic=80,
    heart_rate=72,
    spo2=98,
    questionnaires_done=True,
    last_food_minutes_ago=180,
    last_liquid_minutes_ago=60,
    escort_present=True,
)
UTC = dt.UTC
CET = dt.timezone(dt.timedelta(hours=1))


def _session(**change: Any) -> DischargeInput:
    values: dict[str, Any] = {
        "route": Route.ESKETAMINE,
        "minutes_since_dose": Decimal(120),
        "baseline": BaselineVitals(130, 80, 70),
        "latest": LatestVitals(140, 85, 80, 97, 5),
        "dissociation_resolved": True,
        "escort_confirmed": True,
    }
    values.update(change)
    return DischargeInput(**values)


def test_a_clinic_may_let_missing_questionnaires_proceed_with_caution() -> None:
    relaxed = MonitoringParameters(questionnaires_missing_holds=False)
    without = dataclasses.replace(CHECK, questionnaires_done=False)
    assert pre_dose_check(without).decision is PreDoseDecision.HOLD
    assert pre_dose_check(without, relaxed).decision is PreDoseDecision.PROCEED_WITH_CAUTION


def test_a_hold_message_quotes_the_reading_and_the_line() -> None:
    check = dataclasses.replace(CHECK, bp_systolic=185, bp_diastolic=95)
    (reason,) = pre_dose_check(check).reasons
    assert "185/95 mmHg" in reason.message
    assert "180/100" in reason.message


def test_a_reading_may_be_timed_by_an_aware_clock_time() -> None:
    started = dt.datetime(2026, 11, 20, 9, 0, tzinfo=CET)
    reading = VitalReading.from_dict(
        {"taken_at": "2026-11-20T08:40:30+00:00", "bp_systolic": 150, "bp_diastolic": 90},
        field="readings[0]",
        dose_started_at=started,
    )
    # 08:40:30Z = 09:40:30+01:00 -> 40.5 minutes after 09:00+01:00
    assert reading.minute == Decimal("40.5")


def test_minutes_between_is_exact_to_the_microsecond() -> None:
    start = dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    end = start + dt.timedelta(minutes=2, seconds=3)
    # 2 min 3 s = 123 s = 2.05 min
    assert minutes_between(start, end, field="as_of") == Decimal("2.05")


def test_a_time_before_the_dose_started_is_refused() -> None:
    start = dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="before the dose started") as caught:
        minutes_between(start, start - dt.timedelta(seconds=1), field="as_of")
    assert caught.value.field == "as_of"  # type: ignore[attr-defined]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        minutes_between(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2), field="as_of")


def test_discharge_input_can_be_built_from_times_passed_in() -> None:
    session = DischargeInput.at(
        dose_started_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=CET),
        as_of=dt.datetime(2026, 11, 20, 11, 0, tzinfo=CET),
        route=Route.IV,
        baseline=BaselineVitals(130, 80, 70),
        latest=LatestVitals(135, 82, 75, 98, 5),
        dissociation_resolved=True,
        escort_confirmed=True,
    )
    assert session.minutes_since_dose == Decimal(120)
    assert discharge_readiness(session).ready is True


def test_the_observation_reason_says_how_long_remains_rounded_up() -> None:
    # 120 - 100.2 = 19.8 minutes -> "20 more"; observed rounds down to 100
    result = discharge_readiness(_session(minutes_since_dose=Decimal("100.2")))
    (reason,) = result.reasons
    assert "Observed 100 of at least 120 minutes" in reason.message
    assert "20 more" in reason.message


def test_a_clinic_may_shorten_observation_for_other_routes_but_not_esketamine_by_that() -> None:
    parameters = MonitoringParameters(other_min_observation_minutes=60)
    iv = _session(route=Route.IV, minutes_since_dose=Decimal(60))
    esketamine = _session(minutes_since_dose=Decimal(60))
    assert discharge_readiness(iv, parameters).ready is True
    assert discharge_readiness(esketamine, parameters).ready is False


def test_a_clinic_may_tighten_the_bp_band() -> None:
    # 10 %: 130 x 1.10 = 143 -> 145 is out and above 140
    parameters = MonitoringParameters(discharge_bp_rise_fraction=Decimal("0.10"))
    session = _session(latest=LatestVitals(145, 85, 80, 97, 5))
    assert discharge_readiness(session).ready is True  # 145 <= 156 with the default 20 %
    assert [r.code for r in discharge_readiness(session, parameters).reasons] == [
        "bp_not_near_baseline"
    ]


def test_in_session_lines_follow_clinic_parameters() -> None:
    parameters = MonitoringParameters(bp_urgent_systolic=160, confirm_minutes=10)
    readings = [
        VitalReading(Decimal(10), 165, 90),
        VitalReading(Decimal(15), 166, 90),
        VitalReading(Decimal(20), 168, 92),
    ]
    # 165 > 160 at 10 and 168 > 160 at 20: 20 - 10 = 10 >= 10
    result = assess_vitals(readings, parameters)
    assert result.action is InSessionAction.PAUSE
    assert result.alerts[0].minute == Decimal(20)
    assert assess_vitals(readings).action is InSessionAction.CONTINUE


def test_no_readings_means_continue() -> None:
    result = assess_vitals([])
    assert result.action is InSessionAction.CONTINUE
    assert result.alerts == ()


def test_a_sustained_alert_names_both_readings() -> None:
    readings = [VitalReading(Decimal(10), 185, 100), VitalReading(Decimal(15), 190, 104)]
    (alert,) = assess_vitals(readings).alerts
    assert "minute 10 (185/100 mmHg)" in alert.message
    assert "minute 15 (190/104 mmHg)" in alert.message


@pytest.mark.parametrize(
    "kwargs",
    [
        {"discharge_bp_rise_fraction": 0.2},
        {"discharge_bp_rise_fraction": Decimal("1.5")},
        {"discharge_bp_rise_fraction": Decimal("-0.1")},
        {"predose_caution_systolic": 190},
        {"predose_caution_diastolic": 110},
        {"bp_urgent_systolic": 210},
        {"bp_urgent_diastolic": 130},
        {"confirm_minutes": 0},
        {"moaas_adverse_event_max": 2, "moaas_pause_max": 1},
        {"moaas_pause_max": 6},
    ],
)
def test_a_bad_monitoring_configuration_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        MonitoringParameters(**kwargs)


def test_alert_messages_show_minutes_to_one_decimal() -> None:
    started = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    reading = VitalReading.from_dict(
        {"taken_at": "2026-11-20T09:12:20+00:00", "spo2": 90},
        field="readings[0]",
        dose_started_at=started,
    )
    # 12 min 20 s = 12.333... minutes -> "12.3"
    (alert,) = assess_vitals([reading]).alerts
    assert "at minute 12.3 " in alert.message
    assert alert.minute == reading.minute


def test_monitoring_parameters_load_from_settings_json() -> None:
    parameters = MonitoringParameters.from_dict(
        {
            "other_min_observation_minutes": 60,
            "discharge_bp_rise_fraction": 0.25,
            "questionnaires_missing_holds": False,
        }
    )
    assert parameters.other_min_observation_minutes == 60
    assert parameters.discharge_bp_rise_fraction == Decimal("0.25")
    assert parameters.questionnaires_missing_holds is False
    assert MonitoringParameters.from_dict({"spo2_min": None}) == MonitoringParameters()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"spo2_min": "92"}, "spo2_min"),
        ({"discharge_bp_rise_fraction": 2}, "discharge_bp_rise_fraction"),
        ({"questionnaires_missing_holds": "no"}, "questionnaires_missing_holds"),
        ({"confirm_minutes": 0}, "parameters"),
        ({"spo2_floor": 90}, "spo2_floor"),
    ],
)
def test_bad_monitoring_settings_json_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        MonitoringParameters.from_dict(data)
    assert caught.value.field == field


def test_monitoring_parameters_round_trip_through_their_stored_form() -> None:
    parameters = MonitoringParameters(
        discharge_bp_rise_fraction=Decimal("0.15"), questionnaires_missing_holds=False
    )
    stored = parameters.to_dict()
    assert stored["discharge_bp_rise_fraction"] == Decimal("0.15")
    assert stored["spo2_min"] == 92
    assert MonitoringParameters.from_dict(stored) == parameters
