"""MADRS: the Montgomery-Åsberg Depression Rating Scale, rated by a clinician.

Ten items 0-6 (the even steps anchored, odd steps between them), total 0-60
(``madrs_montgomery_1979``). Bands after Snaith 1986: 0-6 symptom absent, 7-19 mild, 20-34
moderate, 35-60 severe (``madrs_snaith_1986``). Remission is 10 or less
(``madrs_hawley_2002``) and response a 50% reduction, the convention of antidepressant
trials including the esketamine programme. Item 10 (suicidal thoughts) at 4 or more (the
anchors where suicide is considered a possible solution, up to explicit plans) raises an
alert; 1-3 raise a warning. Only the ten item names are stored, not the
anchor descriptions.
"""

from __future__ import annotations

from decimal import Decimal

from ketaclinic.clinical.scales.instrument import (
    Band,
    FlagLevel,
    Instrument,
    OutcomeDefinition,
    Rater,
    SafetyRule,
    ScoringRule,
    numbered_items,
    options,
)

__all__ = ["MADRS"]

_OPTIONS = options(*((value, str(value)) for value in range(7)))

_LABELS = (
    "Apparent sadness",
    "Reported sadness",
    "Inner tension",
    "Reduced sleep",
    "Reduced appetite",
    "Concentration difficulties",
    "Lassitude",
    "Inability to feel",
    "Pessimistic thoughts",
    "Suicidal thoughts",
)

MADRS = Instrument(
    id="madrs",
    title="Montgomery-Åsberg Depression Rating Scale (MADRS)",
    version="Montgomery & Åsberg 1979",
    rater=Rater.CLINICIAN,
    recall_period="The past week (clinical interview)",
    items=numbered_items(_LABELS, _OPTIONS),
    scoring=ScoringRule.SUM,
    bands=(
        Band("normal", "Symptom absent", 0, 6),
        Band("mild", "Mild", 7, 19),
        Band("moderate", "Moderate", 20, 34),
        Band("severe", "Severe", 35, 60),
    ),
    safety_rules=(
        SafetyRule(
            code="suicidal_ideation",
            item="item10",
            minimum=4,
            maximum=6,
            level=FlagLevel.ALERT,
            message=(
                "MADRS item 10 at 4 or more: suicide considered a possible solution or active "
                "plans; assess risk now."
            ),
            source="madrs_montgomery_1979",
        ),
        SafetyRule(
            code="suicidal_thoughts",
            item="item10",
            minimum=1,
            maximum=3,
            level=FlagLevel.WARNING,
            message="MADRS item 10 between 1 and 3: some suicidal thoughts; review.",
            source="madrs_montgomery_1979",
        ),
    ),
    outcome=OutcomeDefinition(
        response_text="A reduction of at least 50% from the baseline total.",
        remission_text="A current total of 10 or less (Hawley 2002).",
        remission_at_most=10,
        response_percent=Decimal("50"),
        sources=("madrs_hawley_2002", "madrs_montgomery_1979"),
    ),
    loinc_panel=None,
    loinc_total=None,
    licence=(
        "Published scale (Br J Psychiatry 1979); the anchor descriptions are not reproduced "
        "here. Only item names are stored; raters use the published anchors."
    ),
    sources=("madrs_montgomery_1979", "madrs_snaith_1986", "madrs_hawley_2002"),
    notes=("LOINC codes for the MADRS were not verified in this session and are left empty.",),
)
