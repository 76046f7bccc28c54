"""Mood NRS: a 0-10 rating of mood now (0 worst, 10 best), for quick pre/post-session checks.

Not a validated instrument (``ketaclinic_quick_nrs``): no bands, cut-offs, flags or
outcome definitions, and no LOINC code. Higher is better, unlike the other scales.
"""

from __future__ import annotations

from ketaclinic.clinical.scales.instrument import Instrument, Item, Rater, ScoringRule
from ketaclinic.clinical.scales.pain_nrs import ZERO_TO_TEN

__all__ = ["MOOD_NRS"]

MOOD_NRS = Instrument(
    id="mood_nrs",
    title="Mood, 0-10 numeric rating",
    version="Ketaclinic quick check 1",
    rater=Rater.SELF,
    recall_period="Now",
    items=(Item(1, "item1", "Mood now (0 worst possible, 10 best possible)", ZERO_TO_TEN),),
    scoring=ScoringRule.SUM,
    licence="Ketaclinic's own single-item rating; no licence needed.",
    sources=("ketaclinic_quick_nrs",),
)
