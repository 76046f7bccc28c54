"""QIDS-SR16: the 16-item Quick Inventory of Depressive Symptomatology, self-report.

Sixteen items 0-3 over the past seven days, scored by domain (``qids_rush_2003``): the
highest of items 1-4 (sleep), item 5 (sad mood), the highest of items 6-9
(appetite/weight), items 10-14 one each, and the highest of items 15-16 (psychomotor), so
the nine DSM domains each weigh 0-3 and the total is 0-27. Bands 0-5, 6-10, 11-15, 16-20,
21-27 (``qids_interpretation``). Remission is 5 or less and response a 50% reduction, as in
STAR*D (``qids_stard_rush_2006``). Item 12 (thoughts of death or suicide) above 0 raises an
alert. We store the short item names only, not the published anchors.
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
    Subscale,
    numbered_items,
    options,
)

__all__ = ["QIDS_SR16"]

_OPTIONS = options((0, "0"), (1, "1"), (2, "2"), (3, "3"))

_LABELS = (
    "Falling asleep",
    "Sleep during the night",
    "Waking up too early",
    "Sleeping too much",
    "Feeling sad",
    "Decreased appetite",
    "Increased appetite",
    "Decreased weight (within the last two weeks)",
    "Increased weight (within the last two weeks)",
    "Concentration / decision making",
    "View of myself",
    "Thoughts of death or suicide",
    "General interest",
    "Energy level",
    "Feeling slowed down",
    "Feeling restless",
)


def _keys(*numbers: int) -> tuple[str, ...]:
    return tuple(f"item{n}" for n in numbers)


QIDS_SR16 = Instrument(
    id="qids_sr16",
    title="Quick Inventory of Depressive Symptomatology, Self-Report (QIDS-SR16)",
    version="QIDS-SR16 (Rush 2003)",
    rater=Rater.SELF,
    recall_period="During the past seven days",
    items=numbered_items(_LABELS, _OPTIONS),
    scoring=ScoringRule.DOMAIN_MAX,
    domains=(
        Subscale("sleep", "Sleep disturbance (highest of items 1-4)", _keys(1, 2, 3, 4)),
        Subscale("sad_mood", "Sad mood (item 5)", _keys(5)),
        Subscale("appetite_weight", "Appetite/weight (highest of items 6-9)", _keys(6, 7, 8, 9)),
        Subscale("concentration", "Concentration (item 10)", _keys(10)),
        Subscale("self_view", "Self-criticism (item 11)", _keys(11)),
        Subscale("suicidal_ideation", "Suicidal ideation (item 12)", _keys(12)),
        Subscale("interest", "Interest (item 13)", _keys(13)),
        Subscale("energy", "Energy/fatigue (item 14)", _keys(14)),
        Subscale("psychomotor", "Psychomotor (highest of items 15-16)", _keys(15, 16)),
    ),
    bands=(
        Band("none", "No depression", 0, 5),
        Band("mild", "Mild", 6, 10),
        Band("moderate", "Moderate", 11, 15),
        Band("severe", "Severe", 16, 20),
        Band("very_severe", "Very severe", 21, 27),
    ),
    safety_rules=(
        SafetyRule(
            code="suicidal_ideation",
            item="item12",
            minimum=1,
            maximum=3,
            level=FlagLevel.ALERT,
            message="QIDS-SR16 item 12 above 0: thoughts of death or suicide; assess risk now.",
            source="qids_rush_2003",
        ),
    ),
    outcome=OutcomeDefinition(
        response_text="A reduction of at least 50% from the baseline total (STAR*D).",
        remission_text="A current total of 5 or less (STAR*D).",
        remission_at_most=5,
        response_percent=Decimal("50"),
        sources=("qids_stard_rush_2006",),
    ),
    loinc_panel=None,
    loinc_total=None,
    licence=(
        "Reported free to use (IDS/QIDS website; terms not re-read). Only short item names are "
        "stored; show patients the official form's wording and anchors."
    ),
    sources=("qids_rush_2003", "qids_interpretation", "qids_stard_rush_2006"),
    notes=("LOINC codes for the QIDS-SR16 were not verified in this session and are left empty.",),
)
