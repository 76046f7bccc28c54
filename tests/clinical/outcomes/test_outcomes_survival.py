"""Kaplan–Meier with the Greenwood log(-log) band: a hand table and lifelines as a check."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from lifelines import KaplanMeierFitter

from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue, OutOfRange
from ketaclinic.clinical.outcomes.survival import kaplan_meier, kaplan_meier_from_table

CASE = json.loads((Path(__file__).parents[1] / "cases/outcomes/kaplan_meier.json").read_text())


def test_the_case_file_cites_its_source():
    assert "Kaplan" in CASE["source"]
    assert "Greenwood" in CASE["source"]


def test_kaplan_meier_matches_the_hand_worked_table():
    curve = kaplan_meier(CASE["durations"], CASE["events"])
    assert len(curve.steps) == len(CASE["steps"])
    tolerance = CASE["tolerance"]
    for step, expected in zip(curve.steps, CASE["steps"], strict=True):
        assert step.time == expected["time"]
        assert (step.at_risk, step.events, step.censored) == (
            expected["at_risk"],
            expected["events"],
            expected["censored"],
        )
        assert step.survival == pytest.approx(expected["survival"], abs=tolerance)
        assert step.lower == pytest.approx(expected["lower"], abs=tolerance)
        assert step.upper == pytest.approx(expected["upper"], abs=tolerance)
    assert curve.median == CASE["median"]


def _compare_with_lifelines(durations, events, confidence=0.95):
    curve = kaplan_meier(durations, events, confidence)
    fitter = KaplanMeierFitter(alpha=1 - confidence).fit(durations, events)
    survival = fitter.survival_function_.iloc[:, 0]
    band = fitter.confidence_interval_survival_function_
    assert [s.time for s in curve.steps] == pytest.approx(list(survival.index))
    for step, s, low, high in zip(
        curve.steps, survival, band.iloc[:, 0], band.iloc[:, 1], strict=True
    ):
        assert step.survival == pytest.approx(s, abs=1e-12)
        assert step.lower == pytest.approx(low, abs=1e-9)
        assert step.upper == pytest.approx(high, abs=1e-9)


def test_kaplan_meier_agrees_with_lifelines_on_the_hand_table():
    _compare_with_lifelines(CASE["durations"], CASE["events"])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("confidence", [0.95, 0.90])
def test_kaplan_meier_agrees_with_lifelines_on_a_random_cohort_with_ties(seed, confidence):
    rng = random.Random(seed)
    durations = [rng.randint(0, 40) * 7.0 for _ in range(300)]
    events = [rng.random() < 0.4 for _ in durations]
    _compare_with_lifelines(durations, events, confidence)


def test_a_curve_that_reaches_zero_has_a_zero_band_there_as_lifelines_does():
    _compare_with_lifelines([5, 10, 10], [True, True, True])
    curve = kaplan_meier([5, 10, 10], [True, True, True])
    last = curve.steps[-1]
    assert (last.survival, last.lower, last.upper) == (0.0, 0.0, 0.0)


def test_an_event_at_time_zero_replaces_the_starting_step():
    curve = kaplan_meier([0, 3], [True, False])
    assert curve.steps[0].time == 0.0
    assert curve.steps[0].survival == pytest.approx(0.5)
    assert curve.steps[0].events == 1
    _compare_with_lifelines([0, 3], [True, False])


def test_an_empty_cohort_has_only_the_starting_step_and_no_median():
    curve = kaplan_meier([], [])
    assert len(curve.steps) == 1
    assert curve.steps[0].survival == 1.0
    assert curve.median is None


def test_at_reads_the_step_in_force_at_a_time():
    curve = kaplan_meier(CASE["durations"], CASE["events"])
    assert curve.at(0).survival == 1.0
    assert curve.at(9.99).survival == 1.0
    assert curve.at(10).survival == pytest.approx(5 / 6)
    assert curve.at(34).survival == pytest.approx(2 / 3)
    assert curve.at(1000).survival == pytest.approx(4 / 9)
    with pytest.raises(OutOfRange):
        curve.at(-1)


@pytest.mark.parametrize(
    ("durations", "events", "error", "field"),
    [
        ([1, 2], [True], InvalidValue, "events"),
        ([-1], [True], OutOfRange, "durations[0]"),
        ([1, float("nan")], [True, True], OutOfRange, "durations[1]"),
        (["3"], [True], InvalidValue, "durations[0]"),
        ([True], [True], InvalidValue, "durations[0]"),
    ],
)
def test_bad_durations_name_the_field(durations, events, error, field):
    with pytest.raises(error) as caught:
        kaplan_meier(durations, events)
    assert caught.value.field == field


def test_a_confidence_level_of_one_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        kaplan_meier([1], [True], confidence=1.0)


def test_a_life_table_gives_the_same_curve_as_the_durations():
    table = [(60, 0, 1), (10, 1, 0), (20, 1, 1), (35, 1, 0), (40, 0, 1)]
    assert kaplan_meier_from_table(table) == kaplan_meier(CASE["durations"], CASE["events"])


@pytest.mark.parametrize(
    ("table", "error", "field"),
    [
        ([(1, 1, 0), (1, 0, 1)], InvalidValue, "table[1].time"),
        ([(-1, 1, 0)], OutOfRange, "table[0].time"),
        ([(1, -1, 0)], OutOfRange, "table[0].relapses"),
        ([(1, 1, 0.5)], InvalidValue, "table[0].censored"),
        ([(1, True, 0)], InvalidValue, "table[0].relapses"),
    ],
)
def test_a_bad_life_table_names_the_row(table, error, field):
    with pytest.raises(error) as caught:
        kaplan_meier_from_table(table)
    assert caught.value.field == field
