"""Kaplan–Meier estimate of staying relapse-free, with a Greenwood log(-log) band.

Durability ("lasting relief") is the probability that a responder has not relapsed ``t``
days after the induction ends. Patients who have not relapsed by their last assessment are
*censored* there: they count as at risk until then and as nothing after, which is why a
plain "percentage still well" over-states durability and the product-limit estimate does
not (Kaplan & Meier 1958, ``outcomes_kaplan_meier1958``).

At each distinct time ``t`` with ``n`` at risk (duration ≥ t) and ``d`` relapses::

    S(t)  = Π (1 − d/n)                        over event times ≤ t
    Σ(t)  = Σ d / (n (n − d))                  Greenwood's variance of log S(t)
    band  = S(t) ** exp(± z · sqrt(Σ) / log S(t))

The band is the log(-log) ("exponential Greenwood") interval of Kalbfleisch & Prentice,
the one ``lifelines.KaplanMeierFitter`` draws by default (``outcomes_greenwood1926``); it
stays within [0, 1]. Where ``S = 1`` the band is (1, 1); where ``S = 0`` it is (0, 0), as in
lifelines. A relapse and a censoring at the same time: the censored patient counts as at
risk at that time (the usual convention, also lifelines').
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue, OutOfRange
from ketaclinic.clinical.outcomes.intervals import DEFAULT_CONFIDENCE

__all__ = ["KaplanMeierCurve", "KaplanMeierStep", "kaplan_meier", "kaplan_meier_from_table"]


@dataclass(frozen=True, slots=True)
class KaplanMeierStep:
    """The curve at one time: who was at risk, what happened, and the estimate then."""

    time: float
    at_risk: int
    events: int
    censored: int
    survival: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class KaplanMeierCurve:
    """A step function from time 0 (survival 1) through every observed time."""

    steps: tuple[KaplanMeierStep, ...]
    confidence: float = DEFAULT_CONFIDENCE

    def at(self, time: float) -> KaplanMeierStep:
        """The step in force at ``time`` (the last step at or before it)."""
        if time < 0:
            raise OutOfRange("time", f"must be 0 or more, got {time}")
        current = self.steps[0]
        for step in self.steps:
            if step.time > time:
                break
            current = step
        return current

    @property
    def median(self) -> float | None:
        """The first time the estimate falls to 0.5 or below; ``None`` if it never does."""
        for step in self.steps:
            if step.survival <= 0.5:
                return step.time
        return None


def kaplan_meier(
    durations: Sequence[float],
    events: Sequence[bool],
    confidence: float = DEFAULT_CONFIDENCE,
) -> KaplanMeierCurve:
    """The Kaplan–Meier curve of ``durations`` where ``events[i]`` marks a relapse.

    ``durations`` are in any unit (days here) and must be 0 or more; ``events[i]`` is False
    for a censored observation. An empty cohort gives a curve with only the time-0 step.
    """
    if len(durations) != len(events):
        raise InvalidValue("events", f"has {len(events)} entries for {len(durations)} durations")
    for index, duration in enumerate(durations):
        _check_time(f"durations[{index}]", duration)
    relapses: Counter[float] = Counter()
    censorings: Counter[float] = Counter()
    for duration, event in zip(durations, events, strict=True):
        (relapses if event else censorings)[duration] += 1
    table = [(time, relapses[time], censorings[time]) for time in relapses.keys() | censorings]
    return kaplan_meier_from_table(table, confidence)


def kaplan_meier_from_table(
    table: Iterable[tuple[float, int, int]], confidence: float = DEFAULT_CONFIDENCE
) -> KaplanMeierCurve:
    """The curve from a life table of ``(time, relapses, censored)``, one row per time.

    This is the shape a database returns for ``GROUP BY relapse_days`` with two filtered
    counts, so the dashboard never ships one row per patient for the durability curve.
    Rows may come in any order; a time may not repeat.
    """
    if not 0 < confidence < 1:
        raise ConfigurationError(f"confidence must be between 0 and 1, got {confidence!r}")
    rows = sorted(table, key=lambda row: row[0])
    for index, (time, died, left) in enumerate(rows):
        _check_time(f"table[{index}].time", time)
        for name, count in (("relapses", died), ("censored", left)):
            if isinstance(count, bool) or not isinstance(count, int):
                raise InvalidValue(
                    f"table[{index}].{name}", f"must be a whole number, got {count!r}"
                )
            if count < 0:
                raise OutOfRange(f"table[{index}].{name}", f"must be 0 or more, got {count}")
        if index and rows[index - 1][0] == time:
            raise InvalidValue(f"table[{index}].time", f"{time} appears twice")
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)

    at_risk = sum(died + left for _, died, left in rows)
    steps = [KaplanMeierStep(0.0, at_risk, 0, 0, 1.0, 1.0, 1.0)]
    survival = 1.0
    greenwood = 0.0
    for time, died, left in rows:
        if died:
            survival *= 1 - died / at_risk
            if died < at_risk:
                greenwood += died / (at_risk * (at_risk - died))
        lower, upper = _loglog_band(survival, greenwood, z)
        if time == 0.0:
            steps[0] = KaplanMeierStep(0.0, at_risk, died, left, survival, lower, upper)
        else:
            steps.append(KaplanMeierStep(float(time), at_risk, died, left, survival, lower, upper))
        at_risk -= died + left
    return KaplanMeierCurve(tuple(steps), confidence)


def _check_time(field: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValue(field, f"must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise OutOfRange(field, f"must be 0 or more, got {value}")


def _loglog_band(survival: float, greenwood: float, z: float) -> tuple[float, float]:
    if survival >= 1.0:
        return 1.0, 1.0
    if survival <= 0.0:
        return 0.0, 0.0
    log_s = math.log(survival)
    spread = z * math.sqrt(greenwood) / log_s
    return survival ** math.exp(-spread), survival ** math.exp(spread)
