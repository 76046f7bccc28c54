"""ScreeningInput.from_dict is strict: every bad value is an InputError naming the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ketaclinic.clinical.eligibility import Condition, Route, ScreeningInput, Setting, Sex
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, OutOfRange, UnknownCode

BASE: dict[str, Any] = {
    "age": 40,
    "sex": "female",
    "pregnant": False,
    "breastfeeding": False,
    "weight_kg": 70,
    "height_cm": 170,
    "bp_systolic": 120,
    "bp_diastolic": 80,
    "heart_rate": 72,
    "route": "iv",
    "setting": "clinic",
    "conditions": [],
    "medications": [],
}


def test_a_complete_answer_set_parses_into_typed_fields() -> None:
    patient = ScreeningInput.from_dict(
        {**BASE, "weight_kg": 70.5, "conditions": ["mania_current"], "medications": [" Zolpidem "]}
    )
    assert patient.sex is Sex.FEMALE
    assert patient.route is Route.IV
    assert patient.setting is Setting.CLINIC
    assert patient.weight_kg == Decimal("70.5")
    assert patient.conditions == frozenset({Condition.MANIA_CURRENT})
    assert patient.medications == ("Zolpidem",)
    assert patient.responsible_adult_at_home is None


def test_bmi_is_computed_exactly_and_rounded_half_up_to_one_decimal() -> None:
    # 70.5 / 1.65^2 = 70.5 / 2.7225 = 25.8953... -> 25.9
    patient = ScreeningInput.from_dict({**BASE, "weight_kg": Decimal("70.5"), "height_cm": 165})
    assert patient.bmi == Decimal("25.9")


def test_conditions_and_medications_may_be_left_out() -> None:
    data = {key: value for key, value in BASE.items() if key not in {"conditions", "medications"}}
    patient = ScreeningInput.from_dict(data)
    assert patient.conditions == frozenset()
    assert patient.medications == ()


def test_a_whole_number_written_with_a_decimal_point_is_accepted() -> None:
    assert ScreeningInput.from_dict({**BASE, "age": Decimal("40.0")}).age == 40
    assert ScreeningInput.from_dict({**BASE, "heart_rate": 72.0}).heart_rate == 72


@pytest.mark.parametrize("field", sorted(set(BASE) - {"conditions", "medications"}))
def test_each_required_field_missing_is_named(field: str) -> None:
    data = {key: value for key, value in BASE.items() if key != field}
    with pytest.raises(MissingItem) as caught:
        ScreeningInput.from_dict(data)
    assert caught.value.field == field


def test_null_counts_as_missing() -> None:
    with pytest.raises(MissingItem) as caught:
        ScreeningInput.from_dict({**BASE, "age": None})
    assert caught.value.field == "age"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("age", True, InvalidValue),
        ("age", "40", InvalidValue),
        ("age", 40.5, InvalidValue),
        ("age", Decimal("NaN"), InvalidValue),
        ("age", 131, OutOfRange),
        ("age", -1, OutOfRange),
        ("weight_kg", "70", InvalidValue),
        ("weight_kg", False, InvalidValue),
        ("weight_kg", 19.9, OutOfRange),
        ("weight_kg", Decimal("Infinity"), InvalidValue),
        ("height_cm", 251, OutOfRange),
        ("bp_systolic", 301, OutOfRange),
        ("bp_diastolic", 19, OutOfRange),
        ("heart_rate", [], InvalidValue),
        ("pregnant", "no", InvalidValue),
        ("breastfeeding", 0, InvalidValue),
        ("sex", "other", UnknownCode),
        ("sex", 1, InvalidValue),
        ("route", "intranasal", UnknownCode),
        ("setting", "hospital", UnknownCode),
        ("conditions", "psychosis_current", InvalidValue),
        ("medications", {"name": "x"}, InvalidValue),
    ],
)
def test_a_wrong_value_is_an_input_error_naming_the_field(
    field: str, value: Any, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        ScreeningInput.from_dict({**BASE, field: value})
    assert caught.value.field == field  # type: ignore[attr-defined]


def test_an_unknown_condition_code_names_its_position_in_the_list() -> None:
    data = {**BASE, "conditions": ["psychosis_history", "mania_current", "psychosis"]}
    with pytest.raises(UnknownCode) as caught:
        ScreeningInput.from_dict(data)
    assert caught.value.field == "conditions[2]"
    assert "'psychosis'" in caught.value.message


@pytest.mark.parametrize("item", ["", "   ", 3, None])
def test_an_empty_or_non_text_list_item_names_its_position(item: Any) -> None:
    with pytest.raises(InvalidValue) as caught:
        ScreeningInput.from_dict({**BASE, "medications": ["sertraline", item]})
    assert caught.value.field == "medications[1]"


def test_an_unknown_field_is_an_error_not_ignored() -> None:
    with pytest.raises(UnknownCode) as caught:
        ScreeningInput.from_dict({**BASE, "weight_lb": 150})
    assert caught.value.field == "weight_lb"


def test_input_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(InvalidValue) as caught:
        ScreeningInput.from_dict([BASE])
    assert caught.value.field == "input"


def test_diastolic_must_be_below_systolic() -> None:
    with pytest.raises(InvalidValue) as caught:
        ScreeningInput.from_dict({**BASE, "bp_systolic": 90, "bp_diastolic": 90})
    assert caught.value.field == "bp_diastolic"


def test_the_home_setting_requires_the_responsible_adult_answer() -> None:
    with pytest.raises(MissingItem) as caught:
        ScreeningInput.from_dict({**BASE, "setting": "home", "route": "sublingual"})
    assert caught.value.field == "responsible_adult_at_home"


def test_the_responsible_adult_answer_must_be_a_boolean() -> None:
    with pytest.raises(InvalidValue) as caught:
        ScreeningInput.from_dict({**BASE, "responsible_adult_at_home": "yes"})
    assert caught.value.field == "responsible_adult_at_home"
