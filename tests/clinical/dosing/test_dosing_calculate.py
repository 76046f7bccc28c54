"""Dose arithmetic against hand-worked cases (tests/clinical/cases/dosing/doses.json)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

import pytest

from ketaclinic.clinical.body_weight import Sex, WeightBasis
from ketaclinic.clinical.dosing import (
    DEFAULT_DOSING_PARAMETERS,
    DosingParameters,
    HardCapAction,
    RouteLimits,
    calculate_dose,
)
from ketaclinic.clinical.exceptions import ConfigurationError, InputError, OutOfRange
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.sources import SOURCES

CASES = json.loads((Path(__file__).parents[1] / "cases" / "dosing" / "doses.json").read_text())


def _call(given: dict, parameters: DosingParameters = DEFAULT_DOSING_PARAMETERS):
    kwargs = {}
    for key in ("weight_kg", "mg_per_kg", "dose_mg", "height_cm", "concentration_mg_per_ml"):
        if key in given:
            kwargs[key] = Decimal(given[key])
    if "duration_min" in given:
        kwargs["duration_min"] = int(given["duration_min"])
    if "sex" in given:
        kwargs["sex"] = Sex(given["sex"])
    if "weight_basis" in given:
        kwargs["weight_basis"] = WeightBasis(given["weight_basis"])
    return calculate_dose(Route(given["route"]), parameters=parameters, **kwargs)


def _plain(value):
    if isinstance(value, Decimal):
        return value
    if hasattr(value, "value"):
        return value.value
    return value


def test_the_case_file_cites_its_sources() -> None:
    assert "dose.devine-1974" in CASES["source"]
    assert "protocol.spravato-label-dosing" in CASES["source"]


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_dose_matches_the_hand_calculation(case: dict) -> None:
    result = _call(case["input"])
    for key, expected in case["expected"].items():
        got = _plain(getattr(result, key))
        if isinstance(got, Decimal):
            assert got == Decimal(expected), (key, got, expected)
        else:
            assert got == expected, (key, got, expected)
    assert len(result.rounding) == case["rounding"], result.rounding
    for fragment in case["warnings_contain"]:
        assert any(fragment in w for w in result.warnings), (fragment, result.warnings)
    if not case["warnings_contain"]:
        assert result.warnings == ()


@pytest.mark.parametrize("case", CASES["errors"], ids=[c["name"] for c in CASES["errors"]])
def test_bad_input_names_the_field(case: dict) -> None:
    with pytest.raises(InputError) as caught:
        _call(case["input"])
    assert caught.value.field == case["field"]


def test_a_given_dose_never_exceeds_the_request_or_the_hard_cap() -> None:
    # Sweep 40-130 kg and 0.2-1.5 mg/kg at 50 mg/mL: rounding only ever goes down.
    for weight in range(40, 131, 3):
        for tenth in range(2, 16):
            mg_per_kg = Decimal(tenth) / 10
            result = calculate_dose(
                Route.IV,
                weight_kg=Decimal(weight),
                mg_per_kg=mg_per_kg,
                concentration_mg_per_ml=Decimal("50"),
                sex=Sex.MALE,
                height_cm=Decimal("180"),
                weight_basis=WeightBasis.ACTUAL,
            )
            assert result.dose_mg <= mg_per_kg * weight
            assert result.dose_mg <= Decimal(weight)  # hard cap 1.0 mg/kg
            assert result.volume_ml * 50 == result.dose_mg


def test_refuse_mode_turns_a_hard_cap_into_an_error_naming_the_amount_field() -> None:
    refuse = DosingParameters(hard_cap_action=HardCapAction.REFUSE)
    with pytest.raises(OutOfRange) as caught:
        _call({"route": "iv", "weight_kg": "70", "mg_per_kg": "1.2"}, refuse)
    assert caught.value.field == "mg_per_kg"
    assert "84 mg is above the hard cap of 70 mg" in caught.value.message
    with pytest.raises(OutOfRange) as caught:
        _call({"route": "esketamine", "weight_kg": "70", "dose_mg": "112"}, refuse)
    assert caught.value.field == "dose_mg"


def test_a_clinic_running_pain_infusions_sets_its_own_iv_limits() -> None:
    # 0.35 mg/kg/h x 4 h = 1.4 mg/kg: above the depression hard cap (1.0 mg/kg), so a
    # pain service configures IV limits of its own. 70 kg: 1.4 x 70 = 98 mg at 1 mg/mL =
    # 98 mL over 240 min = 98 x 60 / 240 = 24.5 mL/h.
    limits = dict(DEFAULT_DOSING_PARAMETERS.limits)
    limits[Route.IV] = RouteLimits(dose_step_mg=Decimal("0.5"), hard_cap_mg_per_kg=Decimal("2"))
    pain = DosingParameters(limits=MappingProxyType(limits))
    result = _call(
        {
            "route": "iv",
            "weight_kg": "70",
            "mg_per_kg": "1.4",
            "concentration_mg_per_ml": "1",
            "duration_min": "240",
            "sex": "male",
            "height_cm": "175",
        },
        pain,
    )
    assert (result.dose_mg, result.volume_ml, result.rate_ml_per_h) == (
        Decimal("98"),
        Decimal("98"),
        Decimal("24.5"),
    )
    assert result.capped is False
    assert result.warnings == ()


def test_no_clinic_bmi_rule_means_actual_weight_without_a_warning() -> None:
    result = calculate_dose(
        Route.IV,
        weight_kg=Decimal("70"),
        mg_per_kg=Decimal("0.5"),
        parameters=DosingParameters(adjusted_weight_above_bmi=None),
    )
    assert result.weight_basis is WeightBasis.ACTUAL
    assert result.warnings == ()


def test_every_default_names_a_registered_source() -> None:
    for name, key in DosingParameters.FIELD_SOURCES.items():
        if name != "limits":
            assert key in SOURCES, name
    for route, limits in DEFAULT_DOSING_PARAMETERS.limits.items():
        assert limits.source_keys, route
        for key in limits.source_keys:
            assert key in SOURCES, (route, key)
    assert set(DEFAULT_DOSING_PARAMETERS.limits) == set(Route)


@pytest.mark.parametrize(
    "build",
    [
        lambda: RouteLimits(dose_step_mg=Decimal("0")),
        lambda: RouteLimits(dose_step_mg=Decimal("0.5"), hard_cap_mg=Decimal("-1")),
        lambda: RouteLimits(
            dose_step_mg=Decimal("0.5"), soft_cap_mg=Decimal("300"), hard_cap_mg=Decimal("200")
        ),
        lambda: RouteLimits(
            dose_step_mg=Decimal("0.5"),
            soft_cap_mg_per_kg=Decimal("1.1"),
            hard_cap_mg_per_kg=Decimal("1.0"),
        ),
        lambda: DosingParameters(limits=MappingProxyType({})),
        lambda: DosingParameters(volume_step_ml=Decimal("0")),
        lambda: DosingParameters(default_iv_duration_min=0),
        lambda: DosingParameters(rounding_warning_fraction=Decimal("1")),
        lambda: DosingParameters(rounding_warning_fraction=Decimal("-0.1")),
        lambda: DosingParameters(adjusted_weight_above_bmi=Decimal("0")),
    ],
)
def test_impossible_clinic_settings_are_configuration_errors(build) -> None:
    with pytest.raises(ConfigurationError):
        build()
