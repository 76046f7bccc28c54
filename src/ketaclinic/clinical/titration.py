"""Response-guided dose titration: step the mg/kg dose up while improvement stays under 50%.

The ladder 0.5 → 0.6 → 0.75 → 0.9 mg/kg and the 50% line come from the KADS trial's
flexible-dose cohort (``dose.kads-2023``), where ketamine was given subcutaneously twice
weekly. Using the same ladder for IV or IM is a clinic decision: the proposal is advice for
the prescriber, who decides.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from ketaclinic.clinical.exceptions import ConfigurationError, OutOfRange

__all__ = [
    "KADS_STEPS_MG_PER_KG",
    "RESPONSE_THRESHOLD",
    "TitrationAction",
    "TitrationProposal",
    "improvement_fraction",
    "propose_titration",
]

KADS_STEPS_MG_PER_KG: tuple[Decimal, ...] = (
    Decimal("0.5"),
    Decimal("0.6"),
    Decimal("0.75"),
    Decimal("0.9"),
)
"""KADS cohort 2 escalation steps (``dose.kads-2023``)."""

RESPONSE_THRESHOLD = Decimal("0.5")
"""Improvement of 50% or more is a response: no escalation (``dose.kads-2023``)."""


class TitrationAction(enum.StrEnum):
    ESCALATE = "escalate"
    HOLD = "hold"
    REDUCE = "reduce"


@dataclass(frozen=True, slots=True)
class TitrationProposal:
    action: TitrationAction
    current_mg_per_kg: Decimal
    next_mg_per_kg: Decimal
    reason: str
    source_key: str = "dose.kads-2023"


def improvement_fraction(baseline_score: Decimal, current_score: Decimal) -> Decimal:
    """(baseline − current) / baseline: 0.5 means the score fell by half."""
    if baseline_score <= 0:
        raise OutOfRange("baseline_score", "must be above 0 to measure improvement")
    if current_score < 0:
        raise OutOfRange("current_score", "must not be negative")
    return (baseline_score - current_score) / baseline_score


def propose_titration(
    current_mg_per_kg: Decimal,
    improvement: Decimal,
    *,
    tolerated: bool = True,
    steps: tuple[Decimal, ...] = KADS_STEPS_MG_PER_KG,
    response_threshold: Decimal = RESPONSE_THRESHOLD,
) -> TitrationProposal:
    """The next mg/kg dose on the ladder.

    Not tolerated: one step down (hold at the lowest step). Improvement at or above the
    threshold: hold. Otherwise the next step above the current dose; at the top, hold and
    review. A dose between steps escalates to the next step above it.
    """
    if not steps or steps[0] <= 0 or any(a >= b for a, b in pairwise(steps)):
        raise ConfigurationError("titration steps must be positive and strictly ascending")
    if not 0 < response_threshold <= 1:
        raise ConfigurationError("the response threshold is a fraction above 0, at most 1")
    if current_mg_per_kg <= 0:
        raise OutOfRange("current_mg_per_kg", "must be above 0")
    if improvement > 1:
        raise OutOfRange("improvement", "a fraction of at most 1 (1 = symptoms gone)")
    hold = TitrationAction.HOLD
    if not tolerated:
        lower = [s for s in steps if s < current_mg_per_kg]
        if not lower:
            return TitrationProposal(
                hold,
                current_mg_per_kg,
                current_mg_per_kg,
                "not tolerated at the lowest step: review whether to continue",
            )
        return TitrationProposal(
            TitrationAction.REDUCE, current_mg_per_kg, lower[-1], "not tolerated: one step down"
        )
    if improvement >= response_threshold:
        return TitrationProposal(
            hold,
            current_mg_per_kg,
            current_mg_per_kg,
            f"improved by {improvement * 100:.0f}%, at or above {response_threshold * 100:.0f}%",
        )
    higher = [s for s in steps if s > current_mg_per_kg]
    if not higher:
        return TitrationProposal(
            hold,
            current_mg_per_kg,
            current_mg_per_kg,
            "below the response line at the highest step: review the plan",
        )
    return TitrationProposal(
        TitrationAction.ESCALATE,
        current_mg_per_kg,
        higher[0],
        f"improved by {improvement * 100:.0f}%, under {response_threshold * 100:.0f}%: next step",
    )
