"""Esketamine's starting dose by label and age: US 56 mg at every adult age; EU/UK 28 mg at 65+."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketaclinic.clinical.dosing import (
    DosingParameters,
    EsketamineLabel,
    calculate_dose,
    esketamine_label_doses_mg,
    esketamine_starting_dose_mg,
)
from ketaclinic.clinical.exceptions import MissingItem, OutOfRange
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.sources import SOURCES

EU = DosingParameters(esketamine_label=EsketamineLabel.EU)


@pytest.mark.parametrize(
    ("label", "age", "mg"),
    [
        (EsketamineLabel.US, 30, "56"),
        (EsketamineLabel.US, 80, "56"),  # US label: no older-adult starting dose
        (EsketamineLabel.US, None, "56"),
        (EsketamineLabel.EU, 64, "56"),
        (EsketamineLabel.EU, 65, "28"),  # EU/UK SmPC 4.2: 65 and over start at 28 mg
        (EsketamineLabel.EU, 90, "28"),
    ],
)
def test_the_starting_dose_follows_the_label_and_the_age(label, age, mg):
    assert esketamine_starting_dose_mg(label, age) == Decimal(mg)


def test_the_eu_starting_dose_needs_the_age():
    with pytest.raises(MissingItem) as caught:
        esketamine_starting_dose_mg(EsketamineLabel.EU, None)
    assert caught.value.field == "age_years"


def test_label_doses_add_28_mg_only_for_older_adults_under_the_eu_label():
    us = DosingParameters()
    assert esketamine_label_doses_mg(us, 70) == (Decimal("56"), Decimal("84"))
    assert esketamine_label_doses_mg(EU, 70) == (Decimal("28"), Decimal("56"), Decimal("84"))
    assert esketamine_label_doses_mg(EU, 40) == (Decimal("56"), Decimal("84"))
    assert EU.FIELD_SOURCES["esketamine_label"] in SOURCES


def test_a_28_mg_dose_under_the_eu_label_without_an_age_says_to_give_it():
    result = calculate_dose(
        Route.ESKETAMINE, weight_kg=Decimal("70"), dose_mg=Decimal("28"), parameters=EU
    )
    assert any("28 mg is a label dose at 65 and over" in w for w in result.warnings)


def test_an_impossible_age_is_refused():
    with pytest.raises(OutOfRange) as caught:
        calculate_dose(
            Route.ESKETAMINE, weight_kg=Decimal("70"), dose_mg=Decimal("56"), age_years=130
        )
    assert caught.value.field == "age_years"
