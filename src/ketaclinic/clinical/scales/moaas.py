"""MOAA/S: the Modified Observer's Assessment of Alertness/Sedation, 0-5.

One observer rating of responsiveness (``moaas_chernik_1990``): 5 responds readily to
name spoken in a normal tone, down to 0, no response to a painful trapezius squeeze. The
score is its own band. A 0 during a ketamine session means the patient is unresponsive
(deeper than the intended dissociative state), so it raises an alert for the nurse and
prescriber. Labels are short paraphrases of the published levels.
"""

from __future__ import annotations

from ketaclinic.clinical.scales.instrument import (
    Band,
    FlagLevel,
    Instrument,
    Item,
    Rater,
    SafetyRule,
    ScoringRule,
    options,
)

__all__ = ["MOAAS"]

_LEVELS = (
    (0, "no_response", "No response after painful trapezius squeeze"),
    (1, "trapezius_squeeze", "Responds only after painful trapezius squeeze"),
    (2, "prodding", "Responds only after mild prodding or shaking"),
    (3, "loud_name", "Responds only after name is called loudly and/or repeatedly"),
    (4, "lethargic", "Lethargic response to name spoken in normal tone"),
    (5, "alert", "Responds readily to name spoken in normal tone"),
)

MOAAS = Instrument(
    id="moaas",
    title="Modified Observer's Assessment of Alertness/Sedation (MOAA/S)",
    version="0-5 responsiveness scale",
    rater=Rater.CLINICIAN,
    recall_period="Now",
    items=(
        Item(
            1,
            "item1",
            "Responsiveness",
            options(*((value, label) for value, _, label in _LEVELS)),
        ),
    ),
    scoring=ScoringRule.SUM,
    bands=tuple(Band(code, label, value, value) for value, code, label in _LEVELS),
    safety_rules=(
        SafetyRule(
            code="unresponsive",
            item="item1",
            minimum=0,
            maximum=0,
            level=FlagLevel.ALERT,
            message="MOAA/S 0: no response to painful stimulus; check airway and vital signs.",
            source="moaas_chernik_1990",
        ),
    ),
    loinc_panel=None,
    loinc_total=None,
    licence="Published observer scale; levels paraphrased, no form text reproduced.",
    sources=("moaas_chernik_1990",),
    notes=("LOINC code not verified; left empty.",),
)
