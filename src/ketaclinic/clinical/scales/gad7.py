"""GAD-7: the seven-item generalized anxiety disorder scale (Spitzer 2006).

Seven items 0-3 over the last two weeks, total 0-21, cut-points 5, 10 and 15 for mild,
moderate and severe anxiety, and 10 or more as the screening cut-off
(``gad7_spitzer_2006``). The authors publish no response or remission definition; we apply
the conventions used for the PHQ family (>= 50% reduction; remission below 5, the top of
the minimal band) and say so in the outcome text. Item text is reproduced under the PHQ
free-use terms (``phq_screeners_licence``).
"""

from __future__ import annotations

from decimal import Decimal

from ketaclinic.clinical.scales.instrument import (
    Band,
    Cutoff,
    Instrument,
    OutcomeDefinition,
    Rater,
    ScoringRule,
    numbered_items,
)
from ketaclinic.clinical.scales.phq9 import FREQUENCY

__all__ = ["GAD7"]

_TEXTS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)

_LABELS = (
    "Nervousness",
    "Uncontrollable worry",
    "Excessive worry",
    "Trouble relaxing",
    "Restlessness",
    "Irritability",
    "Fear of something awful",
)

GAD7 = Instrument(
    id="gad7",
    title="Generalized Anxiety Disorder-7 (GAD-7)",
    version="Spitzer 2006",
    rater=Rater.SELF,
    recall_period="Over the last 2 weeks",
    items=numbered_items(_LABELS, FREQUENCY, _TEXTS),
    scoring=ScoringRule.SUM,
    bands=(
        Band("minimal", "Minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("severe", "Severe", 15, 21),
    ),
    cutoffs=(
        Cutoff(
            "gad_cutoff",
            10,
            "A total of 10 or more: sensitivity 89% and specificity 82% for GAD.",
            "gad7_spitzer_2006",
        ),
    ),
    outcome=OutcomeDefinition(
        response_text=(
            "A reduction of at least 50% from baseline (the convention used for the PHQ "
            "family; the GAD-7 authors publish no response definition)."
        ),
        remission_text=(
            "A current total below 5, i.e. 4 or less: back in the minimal band (Spitzer "
            "2006 bands; not a remission definition published by the authors)."
        ),
        remission_at_most=4,
        response_percent=Decimal("50"),
        sources=("gad7_spitzer_2006", "phq9_lowe_2004"),
    ),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    licence="Free to use, reproduce and translate without permission (Pfizer). Item text included.",
    sources=("gad7_spitzer_2006", "phq_screeners_licence", "loinc_phq_gad"),
)
