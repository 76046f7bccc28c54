"""Each protocol's planned dose, applied to a 70 kg, 175 cm man (BMI 22.9: actual weight)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketaclinic.clinical.body_weight import Sex
from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.planned_dose import calculate_planned_dose
from ketaclinic.clinical.protocols import get_protocol

D = Decimal
PATIENT = {"weight_kg": D("70"), "height_cm": D("175"), "sex": Sex.MALE}


def _dose(protocol_id: str, phase: int = 0, index: int = 1, **extra):
    protocol = get_protocol(protocol_id)
    spec = protocol.phases[phase].dose_for(index)
    return calculate_planned_dose(spec, protocol.route, **PATIENT, **extra)


@pytest.mark.parametrize(
    ("protocol_id", "phase", "expected_mg", "duration"),
    [
        ("iv-depression-induction", 0, D("35"), 40),  # 0.5 x 70
        ("iv-maintenance-canbind", 2, D("35"), 40),  # monthly phase, same dose
        ("im-depression", 0, D("35"), None),  # 0.5 x 70, no infusion time
        ("sublingual-home", 0, D("100"), None),
        ("kap", 1, D("100"), None),  # the first dosing session
        ("esketamine-mdsi", 0, D("84"), None),
    ],
)
def test_the_planned_default_dose_for_70_kg(protocol_id, phase, expected_mg, duration) -> None:
    result = _dose(protocol_id, phase, index=0)
    assert result.dose_mg == expected_mg
    assert result.duration_min == duration
    assert result.capped is False


def test_esketamine_day_one_is_56_mg_in_two_devices() -> None:
    result = _dose("esketamine-trd", index=0)
    assert (result.dose_mg, result.devices) == (D("56"), 2)


def test_an_allowed_alternative_can_be_chosen() -> None:
    assert _dose("esketamine-trd", chosen_amount=D("84")).devices == 3
    assert _dose("im-depression", chosen_amount=D("0.25")).dose_mg == D("17.5")  # 0.25 x 70


def test_an_amount_outside_the_plan_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        _dose("esketamine-trd", chosen_amount=D("70"))
    assert caught.value.field == "chosen_amount"
    assert "56 or 84" in caught.value.message


def test_the_chronic_pain_rate_is_clipped_by_the_depression_iv_cap() -> None:
    # 0.35 mg/kg/h x 240 min / 60 = 1.4 mg/kg x 70 = 98 mg > hard cap 1.0 x 70 = 70 mg:
    # the shipped IV caps are for depression, so the pain dose is clipped and says so.
    result = _dose("iv-chronic-pain", index=0, concentration_mg_per_ml=D("1"))
    assert (result.requested_dose_mg, result.dose_mg, result.capped) == (D("98"), D("70"), True)
    # 70 mL over 240 min = 70 x 60 / 240 = 17.5 mL/h
    assert (result.duration_min, result.rate_ml_per_h) == (240, D("17.5"))
