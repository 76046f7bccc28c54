"""Misuse signals in the home program: rates worked by hand, no verdict, bad counts refused."""

from __future__ import annotations

import pytest

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange, UnknownCode
from ketaclinic.clinical.outcomes.misuse import (
    MISUSE_SIGNAL_LABELS,
    MisuseSignal,
    non_addictive_message,
    summarize_misuse,
)
from ketaclinic.clinical.sources import cite

S = MisuseSignal


def test_rates_are_of_home_program_courses_with_wilson_intervals():
    # 40 courses; 3 asked for an early refill, 2 were short at a count, 1 of those also asked
    # to raise the dose: 5 courses with any signal. Wilson 95% for 5/40: centre
    # (5 + 1.92)/(40 + 3.84) = 0.1579, half-width 1.96 * sqrt(5*35/40 + 0.96)/43.84 = 0.1033
    # -> 5.5% to 26.1%.
    summary = summarize_misuse(
        40, {S.EARLY_REFILL_REQUEST: 3, S.PILL_COUNT_SHORTFALL: 2, S.DOSE_INCREASE_REQUEST: 1}, 5
    )
    assert summary.courses == 40
    assert (summary.any_signal.events, summary.any_signal.total) == (5, 40)
    assert summary.any_signal.estimate == 0.125
    assert round(summary.any_signal.lower, 3) == 0.055
    assert round(summary.any_signal.upper, 3) == 0.261
    assert summary.by_signal[S.MISSED_RETURN].events == 0  # unlisted signals count as 0
    assert summary.by_signal[S.EARLY_REFILL_REQUEST].estimate == 0.075


def test_the_message_shows_the_rate_and_gives_no_verdict():
    message = non_addictive_message(summarize_misuse(40, {S.EARLY_REFILL_REQUEST: 5}, 5))
    assert "5 of 40 home-program courses (12.5%, 95% CI 5.5% to 26.1%)" in message
    assert "Shown, not judged: no published threshold" in message
    assert "supported" not in message
    assert "contradicted" not in message


def test_no_home_program_course_yet_says_so():
    summary = summarize_misuse(0, {}, 0)
    assert summary.any_signal.estimate is None
    assert "no home-program course has been followed to its end yet" in (
        non_addictive_message(summary)
    )


@pytest.mark.parametrize(
    ("courses", "with_signal", "with_any", "error", "field"),
    [
        (True, {}, 0, InvalidValue, "courses"),
        (-1, {}, 0, OutOfRange, "courses"),
        (10, {}, 11, OutOfRange, "with_any"),
        (10, {S.MISSED_RETURN: 2.0}, 2, InvalidValue, "with_signal[missed_return]"),
        (10, {S.MISSED_RETURN: 11}, 10, OutOfRange, "with_signal[missed_return]"),
        (10, {"relapse": 1}, 1, UnknownCode, "with_signal"),
        (10, {S.MISSED_RETURN: 3}, 2, OutOfRange, "with_any"),  # fewer than one signal
        (10, {S.MISSED_RETURN: 1, S.EARLY_REFILL_REQUEST: 1}, 3, OutOfRange, "with_any"),
    ],
)
def test_counts_that_cannot_be_are_refused_naming_the_field(
    courses, with_signal, with_any, error, field
):
    with pytest.raises(error) as refused:
        summarize_misuse(courses, with_signal, with_any)
    assert refused.value.field == field


def test_every_signal_has_a_label_and_the_source_exists():
    assert set(MISUSE_SIGNAL_LABELS) == set(MisuseSignal)
    assert "aberrant drug-related behaviours" in cite("outcomes_misuse_signals_chou2009").note
