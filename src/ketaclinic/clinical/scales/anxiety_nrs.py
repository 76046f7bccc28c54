"""Anxiety NRS: a 0-10 rating of anxiety now (0 none, 10 worst), for quick session checks.

Not a validated instrument (``ketaclinic_quick_nrs``): no bands, cut-offs, flags or
outcome definitions, and no LOINC code.
"""

from __future__ import annotations

from ketaclinic.clinical.scales.instrument import Instrument, Item, Rater, ScoringRule
from ketaclinic.clinical.scales.pain_nrs import ZERO_TO_TEN

__all__ = ["ANXIETY_NRS"]

ANXIETY_NRS = Instrument(
    id="anxiety_nrs",
    title="Anxiety, 0-10 numeric rating",
    version="Ketaclinic quick check 1",
    rater=Rater.SELF,
    recall_period="Now",
    items=(Item(1, "item1", "Anxiety now (0 none, 10 worst imaginable)", ZERO_TO_TEN),),
    scoring=ScoringRule.SUM,
    licence="Ketaclinic's own single-item rating; no licence needed.",
    sources=("ketaclinic_quick_nrs",),
)
