"""Conversions and rounding steps (clinical/units.py), each worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from ketaclinic.clinical.units import (
    add_months,
    cm_to_inches,
    rate_ml_per_h,
    round_down_to_step,
    round_half_up,
    round_to_places,
)


def test_an_inch_is_exactly_2_54_cm() -> None:
    assert cm_to_inches(Decimal("152.4")) == Decimal("60")


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (Decimal("28.4547"), Decimal("0.5"), Decimal("28.0")),  # 56.9 steps -> 56 x 0.5
        (Decimal("35"), Decimal("0.5"), Decimal("35.0")),  # already on a step
        (Decimal("0.35"), Decimal("0.1"), Decimal("0.3")),
        (Decimal("5.25"), Decimal("0.1"), Decimal("5.2")),
        (Decimal("70"), Decimal("28"), Decimal("56")),  # 2.5 devices -> 2
        (Decimal("0.3"), Decimal("0.5"), Decimal("0")),
    ],
)
def test_rounding_is_always_down_to_the_step(
    value: Decimal, step: Decimal, expected: Decimal
) -> None:
    assert round_down_to_step(value, step) == expected


def test_a_step_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        round_down_to_step(Decimal("1"), Decimal("0"))


def test_display_rounding_is_half_up() -> None:
    assert round_to_places(Decimal("56.95"), Decimal("0.1")) == Decimal("57.0")
    assert round_to_places(Decimal("56.94"), Decimal("0.1")) == Decimal("56.9")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Fraction(7, 2), 4), (Fraction(7, 3), 2), (Fraction(14, 3), 5), (Fraction(21, 2), 11)],
)
def test_day_targets_round_half_up(value: Fraction, expected: int) -> None:
    assert round_half_up(value) == expected


def test_pump_rate_is_volume_per_hour() -> None:
    # 3.5 mL over 40 min: 3.5 x 60 / 40 = 5.25 mL/h
    assert rate_ml_per_h(Decimal("3.5"), 40) == Decimal("5.25")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 1, 31), 2, dt.date(2026, 3, 31)),
        (dt.date(2026, 8, 31), 1, dt.date(2026, 9, 30)),
        (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 31)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 3, 10), 0, dt.date(2026, 3, 10)),
    ],
)
def test_months_are_added_with_month_end_clamping(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected
