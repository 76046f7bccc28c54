"""Response and remission between two totals, by each instrument's published definition.

Remission needs a baseline above the remission range (a change *into* remission), the same
definition the outcomes dashboard judges courses by.

Integer arithmetic decides the thresholds (``2 * reduction >= baseline`` is "at least 50%"),
so a total on the edge is never misjudged by rounding; ``percent_change`` is reported to one
decimal place for people.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange
from ketaclinic.clinical.scales.instrument import Instrument
from ketaclinic.clinical.scales.result import Outcome

__all__ = ["outcome_for"]

_ONE_DECIMAL = Decimal("0.1")
# The outcomes dashboard's rule too (``clinical.outcomes``): a patient who starts within the
# remission range cannot *enter* remission, so neither the command nor the page calls it one.
REMISSION_FROM_OUTSIDE = " Only from a baseline above the remission range."


def outcome_for(instrument: Instrument, baseline_total: int, current_total: int) -> Outcome:
    """Change, response and remission from ``baseline_total`` to ``current_total``."""
    definition = instrument.outcome
    if definition is None:
        raise InvalidValue(
            "scale",
            f"{instrument.id} has no published response or remission definition",
        )
    max_total = instrument.max_total
    baseline = _checked_total("baseline", baseline_total, max_total)
    current = _checked_total("current", current_total, max_total)
    change = current - baseline
    reduction = baseline - current
    if baseline == 0:
        percent_change = None
    else:
        percent_change = (Decimal(change) * 100 / Decimal(baseline)).quantize(
            _ONE_DECIMAL, rounding=ROUND_HALF_EVEN
        )
    if definition.response_percent is not None:
        response = (
            None
            if baseline == 0
            else Decimal(reduction) * 100 >= definition.response_percent * baseline
        )
    else:
        response = reduction >= (definition.response_points or 0)
    return Outcome(
        scale=instrument.id,
        baseline_total=baseline,
        current_total=current,
        change=change,
        percent_change=percent_change,
        response=response,
        remission=(
            None
            if definition.remission_at_most is None
            else current <= definition.remission_at_most < baseline
        ),
        definitions={
            "response": definition.response_text,
            "remission": definition.remission_text
            + ("" if definition.remission_at_most is None else REMISSION_FROM_OUTSIDE),
        },
    )


def _checked_total(field: str, value: object, max_total: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, f"must be a whole number, got {value!r}")
    high = max_total or 0
    if not 0 <= value <= high:
        raise OutOfRange(field, f"must be between 0 and {high}, got {value}")
    return value
