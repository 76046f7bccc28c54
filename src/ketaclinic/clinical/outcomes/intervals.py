"""Proportions with Wilson score confidence intervals.

Every rate the clinic reports (response, remission, completion, adverse events per session)
is ``events / total`` with a 95% interval. We use the Wilson score interval (Wilson 1927,
``outcomes_wilson1927``) because, unlike the textbook Wald interval, it never leaves [0, 1]
and keeps near-nominal coverage for the small numbers and extreme rates a single clinic
sees (Newcombe 1998, ``outcomes_newcombe1998``). For x events in n and z the standard normal
quantile for the level::

    centre    = (x + z²/2) / (n + z²)
    half      = z / (n + z²) · sqrt(x(n − x)/n + z²/4)
    interval  = centre ± half

z comes from ``statistics.NormalDist`` (exact to double precision), not a rounded 1.96.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue, OutOfRange

__all__ = ["DEFAULT_CONFIDENCE", "Proportion", "wilson_interval"]

DEFAULT_CONFIDENCE = 0.95
"""Two-sided level of every interval unless a caller asks otherwise (Newcombe 1998)."""


@dataclass(frozen=True, slots=True)
class Proportion:
    """``events`` out of ``total`` with its Wilson interval.

    With ``total == 0`` there is nothing to estimate: ``estimate`` is ``None`` and the
    interval is the whole of [0, 1], so no claim can be read into an empty group.
    """

    events: int
    total: int
    estimate: float | None
    lower: float
    upper: float
    confidence: float = DEFAULT_CONFIDENCE

    def per_100(self) -> tuple[float | None, float, float]:
        """The estimate and interval per 100 (sessions, patients) for display."""
        estimate = None if self.estimate is None else self.estimate * 100
        return estimate, self.lower * 100, self.upper * 100


def wilson_interval(events: int, total: int, confidence: float = DEFAULT_CONFIDENCE) -> Proportion:
    """The Wilson score interval for ``events`` successes in ``total`` trials.

    Raises ``InvalidValue`` for non-integer counts, ``OutOfRange`` for negative counts or
    more events than trials, ``ConfigurationError`` for a level outside (0, 1).
    """
    for field, value in (("events", events), ("total", total)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValue(field, f"must be a whole number, got {value!r}")
        if value < 0:
            raise OutOfRange(field, f"must be 0 or more, got {value}")
    if events > total:
        raise OutOfRange("events", f"{events} events cannot exceed the total of {total}")
    if not 0 < confidence < 1:
        raise ConfigurationError(f"confidence must be between 0 and 1, got {confidence!r}")
    if total == 0:
        return Proportion(events, total, None, 0.0, 1.0, confidence)

    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    z2 = z * z
    denominator = total + z2
    centre = (events + z2 / 2) / denominator
    half = z / denominator * math.sqrt(events * (total - events) / total + z2 / 4)
    # At x = 0 and x = n the formula gives exactly 0 and 1; say so rather than trust rounding.
    lower = 0.0 if events == 0 else centre - half
    upper = 1.0 if events == total else centre + half
    return Proportion(events, total, events / total, lower, upper, confidence)
