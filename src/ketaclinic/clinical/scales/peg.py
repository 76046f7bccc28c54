"""PEG: pain intensity and interference in three items (Krebs et al. 2009, ``peg_krebs_2009``).

Three 0-10 items from the Brief Pain Inventory, for the past week: average **P**ain,
interference with **E**njoyment of life, interference with **G**eneral activity. Krebs et al.
report the PEG score as the *mean* of the three (0-10); Ketaclinic stores the *sum* (0-30)
so that totals stay whole numbers like every other instrument's — divide by 3 for the
published score. A percentage fall is the same on either.

Response: a fall of at least 30% from baseline, the IMMPACT threshold for a moderately
important improvement in chronic pain (Dworkin et al. 2008, ``pain_immpact_dworkin2008``).
There is no published remission on the PEG, and no published severity bands: the outcome
leaves remission undefined rather than invent one.
"""

from __future__ import annotations

from decimal import Decimal

from ketaclinic.clinical.scales.instrument import (
    Instrument,
    Item,
    OutcomeDefinition,
    Rater,
    ScoringRule,
    options,
)

__all__ = ["PEG"]

_ZERO_TO_TEN = options(*((value, str(value)) for value in range(11)))

PEG = Instrument(
    id="peg",
    title="PEG pain intensity and interference (3 items)",
    version="PEG (Krebs 2009), past-week form",
    rater=Rater.SELF,
    recall_period="In the past week",
    items=(
        Item(
            1,
            "item1",
            "What number best describes your pain on average in the past week? "
            "(0 no pain, 10 pain as bad as you can imagine)",
            _ZERO_TO_TEN,
        ),
        Item(
            2,
            "item2",
            "What number best describes how, during the past week, pain has interfered with "
            "your enjoyment of life? (0 does not interfere, 10 completely interferes)",
            _ZERO_TO_TEN,
        ),
        Item(
            3,
            "item3",
            "What number best describes how, during the past week, pain has interfered with "
            "your general activity? (0 does not interfere, 10 completely interferes)",
            _ZERO_TO_TEN,
        ),
    ),
    scoring=ScoringRule.SUM,
    outcome=OutcomeDefinition(
        response_text=(
            "A fall of at least 30% from baseline: the IMMPACT threshold for a moderately "
            "important improvement in chronic pain (Dworkin 2008)."
        ),
        remission_text="No published remission definition on the PEG: remission is not judged.",
        remission_at_most=None,
        response_percent=Decimal("30"),
        sources=("peg_krebs_2009", "pain_immpact_dworkin2008"),
    ),
    loinc_panel=None,
    loinc_total=None,
    licence=(
        "Published in full in Krebs et al. 2009 (J Gen Intern Med) from Brief Pain Inventory "
        "items; free for clinical use."
    ),
    sources=("peg_krebs_2009", "pain_immpact_dworkin2008"),
    notes=(
        "Stored as the sum of the three items (0-30); Krebs et al. report the mean (0-10): "
        "divide by 3.",
        "LOINC codes were not verified in this session and are left empty rather than guessed.",
    ),
)
