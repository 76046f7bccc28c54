"""The "non-addictive" promise, measured by misuse signals in the home (sublingual) program.

A troche program puts a controlled substance in the patient's hands for weeks, which is where
the FDA's warning about compounded ketamine at home points (``screen.fda-2023-compounded-
ketamine``). Whether patients come to misuse it is not a score on a questionnaire: it shows as
behaviour around the supply. The four signals recorded are the supply-related "aberrant
drug-related behaviours" that opioid-therapy guidelines ask prescribers to watch and that pill
counts are meant to catch (Chou et al. 2009, ``outcomes_misuse_signals_chou2009``):

* an **early-refill request** (asking for more before the supply should have run out);
* a **pill-count shortfall** (fewer troches on hand than dispensed minus reported doses);
* a **request to raise the dose or the frequency**;
* a **missed return** of unused troches when the program ends or a prescription is stopped.

Each is a rate of courses with at least one such signal, during or after the treatment, over
the home-program courses followed (closed or lost: a course still running has not had its full
chance to show one), with a Wilson interval. There is **no verdict**: no published threshold
says how many courses with a signal make a treatment "addictive", and a signal is not a
diagnosis of a use disorder. The figures are shown, not judged
(``Verdict.SHOWN_NOT_JUDGED``), with that reason in the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange, UnknownCode
from ketaclinic.clinical.outcomes.intervals import DEFAULT_CONFIDENCE, Proportion, wilson_interval

__all__ = [
    "MISUSE_SIGNAL_LABELS",
    "MISUSE_SOURCE",
    "NON_ADDICTIVE_CLAIM",
    "MisuseSignal",
    "MisuseSummary",
    "non_addictive_message",
    "summarize_misuse",
]

MISUSE_SOURCE = "outcomes_misuse_signals_chou2009"
NON_ADDICTIVE_CLAIM = "Non-addictive"


class MisuseSignal(StrEnum):
    EARLY_REFILL_REQUEST = "early_refill_request"
    PILL_COUNT_SHORTFALL = "pill_count_shortfall"
    DOSE_INCREASE_REQUEST = "dose_increase_request"
    MISSED_RETURN = "missed_return"


MISUSE_SIGNAL_LABELS: dict[MisuseSignal, str] = {
    MisuseSignal.EARLY_REFILL_REQUEST: "an early-refill request",
    MisuseSignal.PILL_COUNT_SHORTFALL: "a pill-count shortfall",
    MisuseSignal.DOSE_INCREASE_REQUEST: "a request to raise the dose or frequency",
    MisuseSignal.MISSED_RETURN: "a missed return of unused troches",
}


@dataclass(frozen=True, slots=True)
class MisuseSummary:
    """Home-program courses followed, and the share with each signal and with any."""

    courses: int
    any_signal: Proportion
    by_signal: Mapping[MisuseSignal, Proportion]


def summarize_misuse(
    courses: int,
    with_signal: Mapping[MisuseSignal, int],
    with_any: int,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MisuseSummary:
    """Rates of courses with each signal (Wilson intervals) from counts of courses.

    ``with_signal[s]`` counts courses with at least one signal ``s``; ``with_any`` courses
    with at least one of any kind, so it is at least each ``with_signal`` and at most their
    sum. Counts are whole numbers between 0 and ``courses``.
    """
    _whole("courses", courses, None)
    _whole("with_any", with_any, courses)
    for signal, count in with_signal.items():
        if signal not in _SIGNALS:
            raise UnknownCode("with_signal", f"unknown signal {signal!r}")
        _whole(f"with_signal[{signal}]", count, courses)
        if count > with_any:
            raise OutOfRange("with_any", f"{with_any} is fewer than with_signal[{signal}]")
    if with_any > sum(with_signal.values()):
        raise OutOfRange("with_any", f"{with_any} is more than the signals add up to")
    return MisuseSummary(
        courses=courses,
        any_signal=wilson_interval(with_any, courses, confidence),
        by_signal={
            signal: wilson_interval(with_signal.get(signal, 0), courses, confidence)
            for signal in MisuseSignal
        },
    )


def non_addictive_message(summary: MisuseSummary) -> str:
    """What the page says beside the figures: the rate, and why there is no verdict."""
    if summary.courses == 0:
        return (
            f"“{NON_ADDICTIVE_CLAIM}”: no home-program course has been followed to its end yet, "
            "so there are no misuse signals to show."
        )
    rate = summary.any_signal
    return (
        f"“{NON_ADDICTIVE_CLAIM}”: {rate.events} of {summary.courses} home-program courses "
        f"({_percent(rate.estimate)}, {rate.confidence:.0%} CI {_percent(rate.lower)} to "
        f"{_percent(rate.upper)}) had at least one misuse signal (an early-refill request, a "
        "pill-count shortfall, a request to raise the dose or frequency, or a missed return of "
        "unused troches). Shown, not judged: no published threshold says what rate of these "
        "signals makes a treatment addictive, and a signal is not a diagnosis."
    )


_SIGNALS = frozenset(MisuseSignal)


def _whole(name: str, value: object, limit: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(name, f"must be a whole number, got {value!r}")
    if value < 0 or (limit is not None and value > limit):
        bound = "" if limit is None else f" and {limit}"
        raise OutOfRange(name, f"{value} is not between 0{bound}")


def _percent(value: float | None) -> str:
    assert value is not None
    return f"{value * 100:.1f}%"
