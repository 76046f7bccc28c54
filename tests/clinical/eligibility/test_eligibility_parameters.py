"""Clinic parameters move thresholds and the level split; the decision follows the levels."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ketaclinic.clinical.eligibility import (
    DEFAULT_CRITERIA,
    DEFAULT_LEVELS,
    RULES_VERSION,
    Decision,
    Finding,
    Level,
    ScreeningInput,
    ScreeningParameters,
    ScreeningResult,
    screen,
)
from ketaclinic.clinical.exceptions import ConfigurationError, InputError

BASE: dict[str, Any] = {
    "age": 40,
    "sex": "male",
    "pregnant": False,
    "breastfeeding": False,
    "weight_kg": 70,
    "height_cm": 170,
    "bp_systolic": 120,
    "bp_diastolic": 80,
    "heart_rate": 72,
    "route": "esketamine",
    "setting": "clinic",
}


def _patient(**change: Any) -> ScreeningInput:
    return ScreeningInput.from_dict({**BASE, **change})


def _finding(level: Level) -> Finding:
    return Finding(code=f"x_{level.value}", level=level, message="m", source="s")


@pytest.mark.parametrize(
    ("levels", "decision"),
    [
        ([], Decision.ELIGIBLE),
        ([Level.CAUTION, Level.CAUTION], Decision.ELIGIBLE),
        ([Level.CAUTION, Level.REVIEW], Decision.REVIEW),
        ([Level.REVIEW, Level.CONTRAINDICATED, Level.CAUTION], Decision.INELIGIBLE),
        ([Level.CONTRAINDICATED], Decision.INELIGIBLE),
    ],
)
def test_the_decision_is_the_worst_level_present(levels: list[Level], decision: Decision) -> None:
    result = ScreeningResult.from_findings([_finding(level) for level in levels], "v")
    assert result.decision is decision


def test_findings_are_ordered_most_severe_first_keeping_rule_order_within_a_level() -> None:
    result = screen(_patient(heart_rate=101, conditions=["psychosis_history", "mania_current"]))
    assert [f.code for f in result.findings] == [
        "mania_current",
        "psychosis_history",
        "resting_tachycardia",
    ]


def test_the_result_carries_the_rule_set_version() -> None:
    assert screen(_patient()).rules_version == RULES_VERSION
    assert RULES_VERSION.startswith("eligibility-")


def test_a_clinic_can_make_psychosis_history_an_absolute_exclusion() -> None:
    strict = ScreeningParameters(levels={"psychosis_history": "contraindicated"})
    patient = _patient(conditions=["psychosis_history"])
    assert screen(patient).decision is Decision.REVIEW
    result = screen(patient, strict)
    assert result.decision is Decision.INELIGIBLE
    assert result.findings[0].level is Level.CONTRAINDICATED


def test_a_clinic_can_soften_a_level_but_the_finding_stays_in_view() -> None:
    milder = ScreeningParameters(levels={"high_acute_suicide_risk": Level.REVIEW})
    result = screen(_patient(conditions=["high_acute_suicide_risk"]), milder)
    assert result.decision is Decision.REVIEW
    assert [f.code for f in result.findings] == ["high_acute_suicide_risk"]


def test_a_clinic_can_raise_the_minimum_age() -> None:
    # age 20 < 21 -> contraindicated; 21 >= 21 -> nothing
    parameters = ScreeningParameters(min_age_years=21)
    assert screen(_patient(age=20), parameters).decision is Decision.INELIGIBLE
    assert screen(_patient(age=21), parameters).decision is Decision.ELIGIBLE


def test_a_clinic_can_lower_the_uncontrolled_bp_line() -> None:
    # 161 > 160 -> uncontrolled under the clinic's line; the default line (180) only reviews it
    parameters = ScreeningParameters(bp_uncontrolled_systolic=160)
    assert [f.code for f in screen(_patient(bp_systolic=161), parameters).findings] == [
        "bp_uncontrolled"
    ]
    assert [f.code for f in screen(_patient(bp_systolic=161)).findings] == ["bp_elevated"]


def test_a_clinic_can_move_the_bmi_and_heart_rate_lines() -> None:
    # 70 / 2.89 = 24.2 >= 24 -> caution; heart rate 72 > 70 -> caution
    parameters = ScreeningParameters(bmi_caution_kg_m2=Decimal("24"), resting_heart_rate_max=70)
    codes = {f.code for f in screen(_patient(), parameters).findings}
    assert codes == {"bmi_high", "resting_tachycardia"}


def test_a_clinic_can_move_the_home_bp_line() -> None:
    # 145 <= 150 -> home allowed under the clinic's line; still above 140 -> review
    parameters = ScreeningParameters(home_bp_max_systolic=150)
    patient = _patient(
        route="sublingual", setting="home", responsible_adult_at_home=True, bp_systolic=145
    )
    assert [f.code for f in screen(patient, parameters).findings] == ["bp_elevated"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"levels": {"no_such_finding": "review"}},
        {"levels": {"psychosis_history": "forbidden"}},
        {"bp_elevated_systolic": 190},
        {"bp_elevated_diastolic": 101},
        {"bmi_caution_kg_m2": 30.0},
    ],
)
def test_a_bad_clinic_configuration_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        ScreeningParameters(**kwargs)


def test_clinic_levels_cannot_be_changed_after_configuration() -> None:
    parameters = ScreeningParameters(levels={"psychosis_history": "contraindicated"})
    with pytest.raises(TypeError):
        parameters.levels["psychosis_history"] = Level.CAUTION  # type: ignore[index]


def test_every_default_level_belongs_to_a_criterion_that_can_emit_it() -> None:
    codes = {criterion.code for criterion in DEFAULT_CRITERIA}
    emitted_by_blood_pressure = {"bp_uncontrolled", "bp_elevated"}
    assert set(DEFAULT_LEVELS) == (codes - {"blood_pressure"}) | emitted_by_blood_pressure


def test_criterion_codes_are_unique() -> None:
    codes = [criterion.code for criterion in DEFAULT_CRITERIA]
    assert len(codes) == len(set(codes))


def test_clinic_parameters_load_from_settings_json() -> None:
    parameters = ScreeningParameters.from_dict(
        {
            "min_age_years": 21,
            "bmi_caution_kg_m2": 35,
            "levels": {"psychosis_history": "contraindicated", "breastfeeding": "caution"},
        }
    )
    assert parameters.min_age_years == 21
    assert parameters.bmi_caution_kg_m2 == Decimal("35")
    assert parameters.level_for("psychosis_history") is Level.CONTRAINDICATED
    assert parameters.level_for("breastfeeding") is Level.CAUTION
    assert parameters.level_for("mania_current") is Level.CONTRAINDICATED
    assert ScreeningParameters.from_dict({}) == ScreeningParameters()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"levels": {"no_such_finding": "review"}}, "levels.no_such_finding"),
        ({"levels": {"psychosis_history": "none"}}, "levels.psychosis_history"),
        ({"levels": ["psychosis_history"]}, "levels"),
        ({"min_age_years": "18"}, "min_age_years"),
        ({"bp_uncontrolled_systolic": 400}, "bp_uncontrolled_systolic"),
        ({"bmi_caution_kg_m2": 90}, "bmi_caution_kg_m2"),
        ({"bp_elevated_systolic": 200}, "parameters"),
        ({"bp_limit": 150}, "bp_limit"),
    ],
)
def test_bad_clinic_settings_json_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        ScreeningParameters.from_dict(data)
    assert caught.value.field == field


def test_parameters_round_trip_through_their_stored_form() -> None:
    parameters = ScreeningParameters(
        bmi_caution_kg_m2=Decimal("32.5"),
        levels={"psychosis_history": "contraindicated", "bmi_high": "review"},
    )
    stored = parameters.to_dict()
    assert stored["levels"] == {"bmi_high": "review", "psychosis_history": "contraindicated"}
    assert stored["bmi_caution_kg_m2"] == Decimal("32.5")
    assert ScreeningParameters.from_dict(stored) == parameters
