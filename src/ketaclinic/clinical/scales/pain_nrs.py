"""Pain NRS: pain intensity on a 0-10 numeric rating scale (0 no pain, 10 worst imaginable).

Bands after Serlin 1995 (``pain_nrs_serlin_1995``): 0 none, 1-4 mild, 5-6 moderate, 7-10
severe. Those cut-points come from cancer pain; they are a reading aid, not a diagnosis.
LOINC 72514-3 (``pain_nrs_loinc``). No flags and no outcome definition.
"""

from __future__ import annotations

from ketaclinic.clinical.scales.instrument import (
    Band,
    Instrument,
    Item,
    Rater,
    ScoringRule,
    options,
)

__all__ = ["PAIN_NRS", "ZERO_TO_TEN"]

ZERO_TO_TEN = options(*((value, str(value)) for value in range(11)))

PAIN_NRS = Instrument(
    id="pain_nrs",
    title="Pain intensity, 0-10 numeric rating scale",
    version="0-10 NRS",
    rater=Rater.SELF,
    recall_period="Now",
    items=(Item(1, "item1", "Pain now (0 no pain, 10 worst pain imaginable)", ZERO_TO_TEN),),
    scoring=ScoringRule.SUM,
    bands=(
        Band("none", "No pain", 0, 0),
        Band("mild", "Mild", 1, 4),
        Band("moderate", "Moderate", 5, 6),
        Band("severe", "Severe", 7, 10),
    ),
    loinc_panel=None,
    loinc_total="72514-3",
    licence="A generic numeric rating; no licence needed.",
    sources=("pain_nrs_serlin_1995", "pain_nrs_loinc"),
)
