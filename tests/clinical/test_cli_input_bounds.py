"""Hostile or mistyped command-line input ends in exit 2 and one line naming the field."""

from __future__ import annotations

import pytest

from ketaclinic.cli import main
from ketaclinic.cli.screening import MAX_INPUT_CHARACTERS
from ketaclinic.clinical.exceptions import OutOfRange
from ketaclinic.clinical.pharmacokinetics.simulation import MAX_GRID_POINTS, time_grid


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    assert err.endswith("\n")
    assert err.count("\n") == 1
    assert len(err) < 300
    return err


def test_a_phq9_answer_of_5001_digits_is_refused_naming_the_item(capsys):
    answers = ",".join(["9" * 5001, *["0"] * 8])
    code, out, err = run(capsys, "score", "phq9", "--answers", answers)
    assert code == 2
    assert out == ""
    assert one_line(err).startswith("ketaclinic: error: item1: must be a whole number of at")


def test_a_ten_digit_answer_is_refused_and_nine_digits_reach_the_range_check(capsys):
    code, _, err = run(capsys, "score", "phq9", "--answers", ",".join(["1" * 10, *["0"] * 8]))
    assert code == 2
    assert "at most 9 digits" in one_line(err)
    code, _, err = run(capsys, "score", "phq9", "--answers", ",".join(["1" * 9, *["0"] * 8]))
    assert code == 2
    assert "at most 9 digits" not in one_line(err)


def test_an_outcome_total_of_5001_digits_is_refused(capsys):
    code, _, err = run(capsys, "outcome", "phq9", "--baseline", "9" * 5001, "--current", "3")
    assert code == 2
    assert one_line(err).startswith("ketaclinic: error: baseline: must be a whole number of")


def test_a_long_non_number_is_shown_cut_short(capsys):
    code, _, err = run(capsys, "outcome", "phq9", "--baseline", "x" * 5000, "--current", "3")
    assert code == 2
    assert "..." in one_line(err)


def test_screen_input_nested_100000_deep_is_refused(capsys, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, out, err = run(capsys, "screen", "--input", str(path))
    assert code == 2
    assert out == ""
    assert one_line(err) == "ketaclinic: error: --input: not valid JSON: nested too deeply\n"


def test_screen_input_larger_than_a_megabyte_is_refused(capsys, tmp_path):
    path = tmp_path / "big.json"
    path.write_text('{"age": 40, "x": "' + "a" * MAX_INPUT_CHARACTERS + '"}', encoding="utf-8")
    code, _, err = run(capsys, "screen", "--input", str(path))
    assert code == 2
    assert one_line(err) == "ketaclinic: error: --input: is longer than 1,000,000 characters\n"


def test_pk_simulate_with_a_nanosecond_step_is_refused_naming_step_min(capsys):
    code, out, err = run(
        capsys, "pk", "simulate", "--route", "iv", "--dose-mg", "35", "--weight-kg", "70",
        "--step-min", "1e-9",
    )  # fmt: skip
    assert code == 2
    assert out == ""
    assert one_line(err).startswith("ketaclinic: error: step_min: gives 1,440,000,000,001 time")


@pytest.mark.parametrize("step_min", [1e-9, 5e-324])
def test_a_time_grid_past_its_point_budget_is_refused(step_min):
    with pytest.raises(OutOfRange) as refused:
        time_grid(24, step_min)
    assert refused.value.field == "step_min"


def test_four_weeks_at_one_minute_fit_the_point_budget():
    # 28 days x 24 h x 60 min = 40,320 steps -> 40,321 points.
    assert len(time_grid(24 * 28, 1)) == 40_321 < MAX_GRID_POINTS
    # 24 h = 1,440 min over 49,999 steps: exactly the budget.
    assert len(time_grid(24, 1440 / (MAX_GRID_POINTS - 1))) == MAX_GRID_POINTS
