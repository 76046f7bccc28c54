"""Eligibility screening: who may be treated, by which route and in which setting.

Inputs (``ScreeningInput.from_dict``) -> criteria (small objects with stable codes) ->
findings with a level and a source -> one decision, stamped with ``RULES_VERSION``.
A prescriber always decides; this puts every reason in front of them. See docs/screening.md.
"""

from ketaclinic.clinical.eligibility.criteria import Criterion
from ketaclinic.clinical.eligibility.findings import Decision, Finding, Level, ScreeningResult
from ketaclinic.clinical.eligibility.inputs import ScreeningInput
from ketaclinic.clinical.eligibility.parameters import DEFAULT_LEVELS, ScreeningParameters
from ketaclinic.clinical.eligibility.ruleset import DEFAULT_CRITERIA
from ketaclinic.clinical.eligibility.screener import RULES_VERSION, screen
from ketaclinic.clinical.eligibility.vocabulary import (
    MEDICATION_CLASSES,
    Condition,
    MedicationClass,
    Route,
    Setting,
    Sex,
    medication_class,
)

__all__ = [
    "DEFAULT_CRITERIA",
    "DEFAULT_LEVELS",
    "MEDICATION_CLASSES",
    "RULES_VERSION",
    "Condition",
    "Criterion",
    "Decision",
    "Finding",
    "Level",
    "MedicationClass",
    "Route",
    "ScreeningInput",
    "ScreeningParameters",
    "ScreeningResult",
    "Setting",
    "Sex",
    "medication_class",
    "screen",
]
