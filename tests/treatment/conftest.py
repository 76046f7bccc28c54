"""Treatment fixtures: screening answers, a signed screening and a planned course for Alice."""

from __future__ import annotations

import datetime as dt

import pytest

from ketaclinic.apps.treatment.planning import PlanChoice, plan_course
from ketaclinic.apps.treatment.screenings import run_screening, sign_screening

# Alice (born 1984-06-02) is 41 on 2026-03-10. 70 kg, 170 cm -> BMI 24.2: no BMI caution.
CLEAN_IV = {
    "age": 41,
    "sex": "female",
    "pregnant": False,
    "breastfeeding": False,
    "weight_kg": 70,
    "height_cm": 170,
    "bp_systolic": 124,
    "bp_diastolic": 78,
    "heart_rate": 72,
    "route": "iv",
    "setting": "clinic",
    "conditions": [],
    "medications": ["sertraline"],
}

FORM_IV = {
    "sex": "female",
    "weight_kg": "70.0",
    "height_cm": "170.0",
    "bp_systolic": "124",
    "bp_diastolic": "78",
    "heart_rate": "72",
    "route": "iv",
    "setting": "clinic",
    "medications": "sertraline",
}


def screened(clinic, **changes):
    return run_screening(clinic.alice, {**CLEAN_IV, **changes}, user=clinic.nurse, request=None)


@pytest.fixture
def signed_screening(clinic, fixed_clock):
    screening = screened(clinic)
    return sign_screening(
        screening, decision="proceed", reasons={}, note="", user=clinic.prescriber, request=None
    )


@pytest.fixture
def course(clinic, signed_screening):
    """IV induction from Wednesday 2026-03-11 at 09:00 New York time, chair 1."""
    choice = PlanChoice(protocol_id="iv-depression-induction", starts_on=dt.date(2026, 3, 11))
    return plan_course(signed_screening, choice, user=clinic.prescriber, request=None).course
