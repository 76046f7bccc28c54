"""The SPRAVATO REMS Patient Monitoring Form (outpatient), field for field, as plain data.

Version followed: the form printed "Janssen Pharmaceuticals, Inc. 11/2021", the one the
SPRAVATO REMS site still serves (FDA REMS page last updated 12/31/2024; the January 2025
monotherapy approval did not change it): source ``rems.spravato-monitoring-form-2021``. The
manufacturer's walkthrough (``rems.spravato-form-walkthrough``) adds the first-treatment and
enrolment questions and names opioids among the concomitant medications; both are here.
Pulse oximetry is asked as "monitored by pulse oximetry" beside respiratory depression.

``FIELDS`` is the form in its printed order; ``problems`` reports every missing or
impossible value at once (never the first only), so a page or the API can name them all.
The web layer stores, prefills and prints; this module decides what "complete" means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.clinical.exceptions import InputError, InvalidValue, MissingItem, OutOfRange

__all__ = [
    "DOSE_CHOICES",
    "FIELDS",
    "FORM_SOURCE",
    "FORM_VERSION",
    "MINIMUM_MONITORING_MINUTES",
    "SECTIONS",
    "SEX_CHOICES",
    "FormField",
    "dose_box",
    "field_named",
    "problems",
    "required_names",
]

FORM_VERSION = "SPRAVATO REMS Patient Monitoring Form, Outpatient Use Only (Janssen 11/2021)"
FORM_SOURCE = "rems.spravato-monitoring-form-2021"
MINIMUM_MONITORING_MINUTES = 120
""""Patient must be monitored for at least 2 hours" (printed under Treatment Duration)."""

SEX_CHOICES = (("male", "Male"), ("female", "Female"), ("other", "Other"))
DOSE_CHOICES = (("56", "56 mg"), ("84", "84 mg"), ("other", "Other"))

SECTIONS = (
    ("patient", "Patient Information"),
    ("medication", "Concomitant Medication"),
    ("provider", "Healthcare Provider Conducting Patient Monitoring"),
    ("setting", "Healthcare Setting Information"),
    ("session", "Patient Treatment Session Information (Administration and Monitoring)"),
)

TEXT, DATE, YESNO, CHOICE, MINUTES, MMHG = "text", "date", "yesno", "choice", "minutes", "mmhg"


@dataclass(frozen=True, slots=True)
class FormField:
    """One box on the form. ``required`` is the form's asterisk; ``required_if`` names a
    yes/no or choice field and the value that makes this one required."""

    name: str
    label: str
    section: str
    kind: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    required_if: tuple[str, object] | None = None


def _f(name, label, section, kind=TEXT, required=True, choices=(), required_if=None):
    return FormField(name, label, section, kind, required, choices, required_if)


FIELDS: tuple[FormField, ...] = (
    _f("patient_first_name", "First Name", "patient"),
    _f("patient_middle_initial", "MI", "patient", required=False),
    _f("patient_last_name", "Last Name", "patient"),
    _f("patient_birth_date", "Birthdate (MM/DD/YYYY)", "patient", DATE),
    _f("patient_sex", "Sex", "patient", CHOICE, choices=SEX_CHOICES),
    _f("first_treatment", "Is this the patient's first treatment?", "patient", YESNO),
    _f(
        "patient_enrolled",
        "If yes, is the patient enrolled in the SPRAVATO REMS?",
        "patient",
        YESNO,
        required=False,
        required_if=("first_treatment", True),
    ),
    _f("benzodiazepines", "Benzodiazepines", "medication", YESNO),
    _f(
        "non_benzodiazepine_hypnotics", "Non-benzodiazepine sedative hypnotics", "medication", YESNO
    ),
    _f("psychostimulants", "Psychostimulants", "medication", YESNO),
    _f("maois", "Monoamine oxidase inhibitors (MAOIs)", "medication", YESNO),
    _f("opioids", "Opioids", "medication", YESNO),
    _f("clinician_first_name", "First Name", "provider"),
    _f("clinician_last_name", "Last Name", "provider"),
    _f("clinician_phone", "Telephone", "provider"),
    _f("clinician_email", "Email", "provider"),
    _f("setting_name", "Healthcare Setting Name", "setting"),
    _f("setting_address_1", "Healthcare Setting Address 1", "setting"),
    _f("setting_address_2", "Healthcare Setting Address 2", "setting", required=False),
    _f("setting_city", "City", "setting"),
    _f("setting_state", "State", "setting"),
    _f("setting_zip", "ZIP", "setting"),
    _f("treatment_date", "Treatment Date (MM/DD/YYYY)", "session", DATE),
    _f("dose", "Dose Administered", "session", CHOICE, choices=DOSE_CHOICES),
    _f(
        "dose_other_mg",
        "Other dose (mg)",
        "session",
        required=False,
        required_if=("dose", "other"),
    ),
    _f("lot_number", "Lot Number", "session"),
    _f(
        "total_minutes",
        "Total time, minutes (from 1st device administration to completion of monitoring)",
        "session",
        MINUTES,
    ),
    _f(
        "ready_to_leave_minutes",
        "If there was not a 2-hour minimum monitoring requirement, when would this patient "
        "have been ready to leave? (minutes from start of administration)",
        "session",
        MINUTES,
    ),
    _f(
        "vitals_ok_before",
        "Vital signs in acceptable range prior to administration?",
        "session",
        YESNO,
    ),
    _f(
        "vitals_ok_at_completion",
        "Vital signs in acceptable range prior to treatment session completion?",
        "session",
        YESNO,
    ),
    _f("bp_before_systolic", "BP prior to administration: systolic", "session", MMHG),
    _f("bp_before_diastolic", "BP prior to administration: diastolic", "session", MMHG),
    _f("bp_40min_systolic", "BP 40 mins post-administration: systolic", "session", MMHG),
    _f("bp_40min_diastolic", "BP 40 mins post-administration: diastolic", "session", MMHG),
    _f("bp_end_systolic", "BP prior to treatment session completion: systolic", "session", MMHG),
    _f("bp_end_diastolic", "BP prior to treatment session completion: diastolic", "session", MMHG),
    _f("sedation", "Did the patient experience sedation?", "session", YESNO),
    _f("dissociation", "Did the patient experience dissociation?", "session", YESNO),
    _f(
        "respiratory_depression",
        "Did the patient experience respiratory depression?",
        "session",
        YESNO,
    ),
    _f("pulse_oximetry", "Was the patient monitored by pulse oximetry?", "session", YESNO),
    _f(
        "serious_adverse_event",
        "Did the patient experience a serious adverse event?",
        "session",
        YESNO,
    ),
    _f(
        "serious_adverse_event_description",
        "If yes, describe the serious adverse event",
        "session",
        required=False,
        required_if=("serious_adverse_event", True),
    ),
)

_BY_NAME = {f.name: f for f in FIELDS}


def field_named(name: str) -> FormField:
    return _BY_NAME[name]


def required_names() -> tuple[str, ...]:
    """The fields the form always requires (conditional ones excluded)."""
    return tuple(f.name for f in FIELDS if f.required)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_required(spec: FormField, values: Mapping[str, object]) -> bool:
    if spec.required:
        return True
    if spec.required_if is None:
        return False
    name, when = spec.required_if
    return values.get(name) == when


def _check_value(spec: FormField, value: object) -> InputError | None:
    if spec.kind == YESNO and not isinstance(value, bool):
        return InvalidValue(spec.name, "answer yes or no")
    if spec.kind == DATE and not isinstance(value, dt.date):
        return InvalidValue(spec.name, "give a date")
    if spec.kind == CHOICE and value not in {code for code, _ in spec.choices}:
        return InvalidValue(spec.name, "choose one of the printed boxes")
    if spec.kind in (MINUTES, MMHG) and (isinstance(value, bool) or not isinstance(value, int)):
        return InvalidValue(spec.name, "give a whole number")
    if spec.kind == MMHG and not 20 <= value <= 300:  # type: ignore[operator]
        return OutOfRange(spec.name, "a blood pressure between 20 and 300 mmHg")
    if spec.kind == MINUTES and value < 0:  # type: ignore[operator]
        return OutOfRange(spec.name, "minutes cannot be negative")
    return None


def problems(values: Mapping[str, object]) -> list[InputError]:
    """Every reason the form cannot be submitted, in the form's order (empty: complete).

    Missing required fields are ``MissingItem``; wrong shapes ``InvalidValue``; a total under
    the 2-hour minimum, or a "ready to leave" time after the end of monitoring, ``OutOfRange``.
    """
    found: list[InputError] = []
    for spec in FIELDS:
        value = values.get(spec.name)
        if _blank(value):
            if _is_required(spec, values):
                found.append(MissingItem(spec.name, f"{spec.label}: required on the REMS form"))
            continue
        problem = _check_value(spec, value)
        if problem is not None:
            found.append(problem)
    total, ready = values.get("total_minutes"), values.get("ready_to_leave_minutes")
    if isinstance(total, int) and not isinstance(total, bool):
        if total < MINIMUM_MONITORING_MINUTES:
            found.append(
                OutOfRange(
                    "total_minutes",
                    f"the patient must be monitored for at least {MINIMUM_MONITORING_MINUTES} "
                    "minutes",
                )
            )
        if isinstance(ready, int) and not isinstance(ready, bool) and ready > total:
            found.append(
                OutOfRange("ready_to_leave_minutes", "cannot be later than the end of monitoring")
            )
    return found


def dose_box(dose_mg: Decimal) -> tuple[str, str]:
    """Which printed box a dose ticks: ``("56", "")``, ``("84", "")`` or ``("other", "28")``."""
    if dose_mg == Decimal("56"):
        return "56", ""
    if dose_mg == Decimal("84"):
        return "84", ""
    return "other", f"{dose_mg.normalize():f}"
