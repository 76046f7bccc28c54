"""Devine ideal weight, adjusted weight, BMI and the ASKP3 route-equivalence table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketaclinic.clinical.body_weight import (
    Sex,
    WeightBasis,
    adjusted_body_weight_kg,
    body_mass_index,
    choose_dosing_weight,
    ideal_body_weight_kg,
)
from ketaclinic.clinical.exceptions import MissingItem
from ketaclinic.clinical.routes import ROUTE_EQUIVALENCE, ROUTE_EQUIVALENCE_NOTE, Route
from ketaclinic.clinical.sources import SOURCES

D = Decimal


@pytest.mark.parametrize(
    ("height_cm", "sex", "expected"),
    [
        (D("152.4"), Sex.MALE, D("50")),  # 60 in exactly: the base
        (D("152.4"), Sex.FEMALE, D("45.5")),
        (D("177.8"), Sex.MALE, D("73.0")),  # 70 in: 50 + 2.3 x 10
        (D("165.1"), Sex.FEMALE, D("57.0")),  # 65 in: 45.5 + 2.3 x 5
    ],
)
def test_devine_ideal_weight_adds_2_3_kg_per_inch_over_five_feet(
    height_cm: Decimal, sex: Sex, expected: Decimal
) -> None:
    assert ideal_body_weight_kg(height_cm, sex) == expected


def test_adjusted_weight_counts_forty_percent_of_the_excess() -> None:
    # IBW 73 kg, actual 123 kg: 73 + 0.4 x 50 = 93 kg
    assert adjusted_body_weight_kg(D("123"), D("73")) == D("93.0")


def test_bmi_is_weight_over_height_squared() -> None:
    assert body_mass_index(D("81"), D("180")) == D("25")


def test_an_asked_for_basis_overrides_the_clinic_rule() -> None:
    choice = choose_dosing_weight(
        D("123"),
        basis=WeightBasis.ACTUAL,
        height_cm=D("177.8"),
        sex=Sex.MALE,
        adjusted_above_bmi=D("30"),
    )
    assert (choice.basis, choice.weight_kg, choice.warnings) == (WeightBasis.ACTUAL, D("123"), ())


def test_a_bmi_above_the_line_without_sex_computes_no_dose() -> None:
    # 123 kg, 177.8 cm: BMI 123 / 1.778² = 38.9 > 30. Sex decides the adjusted weight, so no
    # dose on actual weight (which would be 123 kg against an adjusted ~91 kg for a man).
    with pytest.raises(MissingItem) as caught:
        choose_dosing_weight(
            D("123"), basis=None, height_cm=D("177.8"), sex=None, adjusted_above_bmi=D("30")
        )
    assert caught.value.field == "sex"
    assert "BMI 38.9 is above the clinic's adjusted-weight line of 30" in caught.value.message


def test_a_bmi_at_or_below_the_line_needs_no_sex() -> None:
    # 70 kg, 170 cm: BMI 24.2: actual weight, no question asked.
    choice = choose_dosing_weight(
        D("70"), basis=None, height_cm=D("170"), sex=None, adjusted_above_bmi=D("30")
    )
    assert (choice.basis, choice.weight_kg, choice.warnings) == (WeightBasis.ACTUAL, D("70"), ())


def test_without_height_the_bmi_rule_is_not_checked_and_says_so() -> None:
    choice = choose_dosing_weight(
        D("123"), basis=None, height_cm=None, sex=None, adjusted_above_bmi=D("30")
    )
    assert choice.basis is WeightBasis.ACTUAL
    assert "not checked" in choice.warnings[0]


def test_ideal_weight_needs_height() -> None:
    with pytest.raises(MissingItem) as caught:
        choose_dosing_weight(
            D("70"),
            basis=WeightBasis.IDEAL,
            height_cm=None,
            sex=Sex.MALE,
            adjusted_above_bmi=None,
        )
    assert caught.value.field == "height_cm"


def test_the_route_equivalence_table_keeps_askp3_numbers_and_its_caveat() -> None:
    rows = {row.formulation: row for row in ROUTE_EQUIVALENCE}
    iv = rows["IV infusion"]
    # 0.5 mg/kg and 1 mg/kg IV in 70 kg: 35 and 70 mg
    assert (iv.equivalent_to_0_5_mg_per_kg_iv_mg, iv.equivalent_to_1_mg_per_kg_iv_mg) == (
        D("35"),
        D("70"),
    )
    # IM 93%: 35 / 0.93 = 37.6 -> table 38 mg
    assert rows["IM injection"].equivalent_to_0_5_mg_per_kg_iv_mg == D("38")
    assert rows["Esketamine intranasal spray (28 mg devices)"].equivalent_to_1_mg_per_kg_iv_mg == D(
        "84"
    )
    assert rows["Oral liquid"].equivalent_to_1_mg_per_kg_iv_mg == D("400")
    assert all(row.source_key in SOURCES for row in ROUTE_EQUIVALENCE)
    assert {row.route for row in ROUTE_EQUIVALENCE if row.route} == set(Route)
    assert "variability" in ROUTE_EQUIVALENCE_NOTE
