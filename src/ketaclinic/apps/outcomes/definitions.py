"""The outcome definitions the clinic judges courses by, taken from the scales' own.

``clinical.scales`` states each instrument's published response and remission; the outcomes
core takes an ``OutcomeDefinition`` per instrument. The mapping is the one docs/outcomes.md
gives: remission at most ``remission_at_most`` (inclusive), response as a percentage fall or
a fall in points, the instrument's maximum, and its first source.

The primary instrument follows the course's indication (``clinical.outcomes.indications``):
PCL-5 for PTSD, GAD-7 for anxiety, the PEG for chronic pain, and PHQ-9, MADRS or QIDS-SR16
for depression — whichever of those the course has a baseline on.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from ketaclinic.clinical.outcomes import (
    OutcomeDefinition,
    OutcomeParameters,
    primary_instrument_for,
)
from ketaclinic.clinical.scales import list_scales

__all__ = ["PARAMETERS", "TRAJECTORY_INSTRUMENT", "definitions", "primary_instrument"]

PARAMETERS = OutcomeParameters()
TRAJECTORY_INSTRUMENT = "phq9"


@cache
def definitions() -> dict[str, OutcomeDefinition]:
    """One outcome definition per instrument that publishes response and remission."""
    result = {}
    for instrument in list_scales():
        published = instrument.outcome
        if published is None:
            continue
        fraction = (
            published.response_percent / 100
            if published.response_percent is not None
            else Decimal("0.5")
        )
        result[instrument.id] = OutcomeDefinition(
            instrument=instrument.id,
            remission_max_total=published.remission_at_most,
            remission_inclusive=True,
            response_fraction=fraction,
            response_points=published.response_points,
            max_total=instrument.max_total,
            source=published.sources[0],
        )
    return result


def primary_instrument(indication: str, with_baseline: frozenset[str] = frozenset()) -> str:
    """The instrument response and remission are judged on for a course's indication."""
    return primary_instrument_for(indication, with_baseline)
