"""Wilson score intervals: hand-worked cases and an independent check against statsmodels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint

from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue, OutOfRange
from ketaclinic.clinical.outcomes.intervals import Proportion, wilson_interval

CASES = json.loads((Path(__file__).parents[1] / "cases/outcomes/wilson.json").read_text())


def test_the_case_file_cites_its_source():
    assert "Wilson" in CASES["source"]


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: f"{c['events']}/{c['total']}")
def test_wilson_interval_matches_the_hand_worked_case(case):
    result = wilson_interval(case["events"], case["total"])
    tolerance = CASES["tolerance"]
    assert result.estimate == pytest.approx(case["estimate"], abs=tolerance)
    assert result.lower == pytest.approx(case["lower"], abs=tolerance)
    assert result.upper == pytest.approx(case["upper"], abs=tolerance)


@pytest.mark.parametrize(
    ("events", "total"),
    [(7, 10), (0, 5), (5, 5), (53, 100), (1, 29), (81, 263), (0, 1), (1, 1), (499, 1000)],
)
@pytest.mark.parametrize("confidence", [0.95, 0.90, 0.99])
def test_wilson_interval_agrees_with_statsmodels(events, total, confidence):
    lower, upper = proportion_confint(events, total, alpha=1 - confidence, method="wilson")
    result = wilson_interval(events, total, confidence)
    assert result.lower == pytest.approx(lower, abs=1e-12)
    assert result.upper == pytest.approx(upper, abs=1e-12)


def test_zero_events_has_a_lower_bound_of_exactly_zero_and_all_events_an_upper_of_one():
    assert wilson_interval(0, 37).lower == 0.0
    assert wilson_interval(37, 37).upper == 1.0


def test_an_empty_group_has_no_estimate_and_the_whole_unit_interval():
    assert wilson_interval(0, 0) == Proportion(0, 0, None, 0.0, 1.0)


def test_per_100_scales_estimate_and_bounds_for_session_rates():
    estimate, lower, upper = wilson_interval(7, 10).per_100()
    assert estimate == pytest.approx(70.0)
    assert lower == pytest.approx(39.67781474611454)
    assert upper == pytest.approx(89.22087325936989)
    assert wilson_interval(0, 0).per_100() == (None, 0.0, 100.0)


@pytest.mark.parametrize(
    ("events", "total", "error", "field"),
    [
        (-1, 5, OutOfRange, "events"),
        (1, -5, OutOfRange, "total"),
        (6, 5, OutOfRange, "events"),
        (1.0, 5, InvalidValue, "events"),
        (True, 5, InvalidValue, "events"),
        (1, "5", InvalidValue, "total"),
    ],
)
def test_bad_counts_name_the_field(events, total, error, field):
    with pytest.raises(error) as caught:
        wilson_interval(events, total)
    assert caught.value.field == field


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5])
def test_a_confidence_level_outside_zero_and_one_is_a_configuration_error(confidence):
    with pytest.raises(ConfigurationError):
        wilson_interval(1, 2, confidence)
