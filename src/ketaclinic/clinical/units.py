"""Unit conversions and rounding for doses, volumes, rates and calendar steps, in one place.

Every conversion the dosing and schedule code needs lives here so that a reader checks each
factor once (STYLE.md habit 7). Quantities are ``Decimal`` built from strings; rounding of a
dose, a volume or a pump rate is always *down* to a step the clinic can measure, so a rounded
number never exceeds the one that was ordered.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

__all__ = [
    "CM_PER_INCH",
    "MINUTES_PER_HOUR",
    "add_months",
    "cm_to_inches",
    "rate_ml_per_h",
    "round_down_to_step",
    "round_half_up",
    "round_to_places",
]

CM_PER_INCH = Decimal("2.54")
"""Exact by definition of the international inch (1959)."""

MINUTES_PER_HOUR = Decimal("60")


def cm_to_inches(height_cm: Decimal) -> Decimal:
    """Height in inches, for formulas written in inches (Devine's ideal body weight)."""
    return height_cm / CM_PER_INCH


def round_down_to_step(value: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` that is not above ``value``.

    Why down: a dose, volume or rate rounded down never exceeds what was ordered or a cap.
    """
    if step <= 0:
        raise ValueError("step must be positive")
    return (value / step).to_integral_value(rounding=ROUND_FLOOR) * step


def round_to_places(value: Decimal, places: Decimal) -> Decimal:
    """Round half up to ``places`` (e.g. ``Decimal("0.1")``), for weights shown to people."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def round_half_up(value: Fraction) -> int:
    """Nearest integer, halves up: day 3.5 of a twice-weekly plan becomes day 4."""
    return int((value + Fraction(1, 2)).__floor__())


def rate_ml_per_h(volume_ml: Decimal, duration_min: int) -> Decimal:
    """Pump rate that delivers ``volume_ml`` evenly over ``duration_min`` minutes."""
    return volume_ml * MINUTES_PER_HOUR / Decimal(duration_min)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later, clamped to the month's last day.

    31 January + 1 month is 28 (or 29) February; 31 January + 2 months is 31 March: the count
    is always from the anchor, so month-end clamping never accumulates.
    """
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last_day))
