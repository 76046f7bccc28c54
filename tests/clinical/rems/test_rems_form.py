"""The REMS Patient Monitoring Form definition: what "complete" means, box by box.

Expected values read off the printed 11/2021 form (source rems.spravato-monitoring-form-2021),
not from the code: 5 sections; asterisks on every field except MI and Address 2.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.clinical import cite
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, OutOfRange
from ketaclinic.clinical.rems_form import (
    FIELDS,
    FORM_SOURCE,
    SECTIONS,
    dose_box,
    field_named,
    problems,
    required_names,
)


def complete() -> dict[str, object]:
    return {
        "patient_first_name": "Alice",
        "patient_last_name": "Moreno",
        "patient_birth_date": dt.date(1980, 4, 2),
        "patient_sex": "female",
        "first_treatment": False,
        "benzodiazepines": False,
        "non_benzodiazepine_hypnotics": False,
        "psychostimulants": True,
        "maois": False,
        "opioids": False,
        "clinician_first_name": "Nia",
        "clinician_last_name": "Nurse",
        "clinician_phone": "+1 555 0100",
        "clinician_email": "nia@example.org",
        "setting_name": "Riverside",
        "setting_address_1": "1 River Rd",
        "setting_city": "Springfield",
        "setting_state": "MA",
        "setting_zip": "01101",
        "treatment_date": dt.date(2026, 3, 10),
        "dose": "56",
        "lot_number": "ESK-778",
        "total_minutes": 130,
        "ready_to_leave_minutes": 90,
        "vitals_ok_before": True,
        "vitals_ok_at_completion": True,
        "bp_before_systolic": 128,
        "bp_before_diastolic": 80,
        "bp_40min_systolic": 156,
        "bp_40min_diastolic": 92,
        "bp_end_systolic": 132,
        "bp_end_diastolic": 82,
        "sedation": True,
        "dissociation": False,
        "respiratory_depression": False,
        "pulse_oximetry": True,
        "serious_adverse_event": False,
    }


def test_the_form_has_its_five_printed_sections_in_order():
    assert [code for code, _ in SECTIONS] == [
        "patient",
        "medication",
        "provider",
        "setting",
        "session",
    ]
    assert {f.section for f in FIELDS} == {code for code, _ in SECTIONS}
    assert cite(FORM_SOURCE).url.startswith("https://www.spravatorems.com")


def test_only_the_middle_initial_and_address_two_are_optional_outright():
    always_optional = {f.name for f in FIELDS if not f.required and f.required_if is None}
    assert always_optional == {"patient_middle_initial", "setting_address_2"}
    assert "patient_enrolled" not in required_names()
    assert field_named("dose").choices[2] == ("other", "Other")


def test_a_complete_form_has_no_problems():
    assert problems(complete()) == []


def test_every_missing_field_is_reported_at_once():
    values = complete()
    del values["lot_number"]
    values["bp_40min_systolic"] = None
    values["setting_city"] = "  "
    found = problems(values)
    assert [p.field for p in found] == ["setting_city", "lot_number", "bp_40min_systolic"]
    assert all(isinstance(p, MissingItem) for p in found)


@pytest.mark.parametrize(
    ("condition", "value", "needed"),
    [
        ("first_treatment", True, "patient_enrolled"),
        ("dose", "other", "dose_other_mg"),
        ("serious_adverse_event", True, "serious_adverse_event_description"),
    ],
)
def test_a_conditional_field_is_required_only_when_its_box_is_ticked(condition, value, needed):
    values = complete()
    values[condition] = value
    assert [p.field for p in problems(values)] == [needed]
    values[needed] = True if needed == "patient_enrolled" else "28"
    assert problems(values) == []


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("sedation", "yes", InvalidValue),
        ("treatment_date", "2026-03-10", InvalidValue),
        ("patient_sex", "x", InvalidValue),
        ("total_minutes", "130", InvalidValue),
        ("bp_before_systolic", True, InvalidValue),
        ("bp_before_systolic", 400, OutOfRange),
        ("ready_to_leave_minutes", -1, OutOfRange),
    ],
)
def test_a_value_of_the_wrong_shape_is_named(name, value, kind):
    values = complete()
    values[name] = value
    found = problems(values)
    assert [type(p) for p in found] == [kind]
    assert found[0].field == name


def test_under_two_hours_and_ready_after_the_end_are_out_of_range():
    values = complete()
    values["total_minutes"] = 119
    values["ready_to_leave_minutes"] = 125
    assert [(p.field, type(p)) for p in problems(values)] == [
        ("total_minutes", OutOfRange),
        ("ready_to_leave_minutes", OutOfRange),
    ]


@pytest.mark.parametrize(
    ("dose", "box"),
    [(Decimal("56"), ("56", "")), (Decimal("84.0"), ("84", "")), (Decimal("28"), ("other", "28"))],
)
def test_a_dose_ticks_its_printed_box(dose, box):
    assert dose_box(dose) == box
