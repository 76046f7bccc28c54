"""A template or calendar a clinic defines badly is refused with ConfigurationError."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue, OutOfRange
from ketaclinic.clinical.protocols import (
    Cadence,
    DoseSpec,
    Phase,
    Protocol,
    Setting,
    Variant,
    get_protocol,
)
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.schedule import ClinicCalendar, ScheduleOptions, generate_schedule

WEEKLY = Cadence(days=Fraction(7))


def test_a_rate_dose_gives_its_session_total() -> None:
    # 0.35 mg/kg/h over 240 min = 0.35 x 240 / 60 = 1.4 mg/kg per session
    (phase,) = get_protocol("iv-chronic-pain").phases
    assert phase.dose.session_amount() == Decimal("1.4")
    assert DoseSpec(Decimal("56")).session_amount() == Decimal("56")


@pytest.mark.parametrize(
    "build",
    [
        lambda: DoseSpec(Decimal("0")),
        lambda: DoseSpec(Decimal("56"), alternatives=(Decimal("-28"),)),
        lambda: DoseSpec(Decimal("1"), unit="mL"),
        lambda: DoseSpec(Decimal("0.35"), per_kg=True, per_hour=True),
        lambda: DoseSpec(Decimal("0.5"), duration_min=0),
        lambda: Cadence(),
        lambda: Cadence(days=Fraction(-7)),
        lambda: Phase("x", 0, WEEKLY, 1, 2, None),
        lambda: Phase("x", 1, WEEKLY, 0, 2, None),
        lambda: Phase("x", 1, WEEKLY, 3, 2, None),
        lambda: Phase("x", 2, WEEKLY, 1, 2, None, window_days=0),
        lambda: Protocol("x", "x", Route.IV, Setting.CLINIC, (), ("dose.fava-2018",)),
        lambda: Protocol(
            "x", "x", Route.IV, Setting.CLINIC, (Variant("v", (), "none"),), ("dose.fava-2018",)
        ),
    ],
)
def test_an_impossible_definition_is_a_configuration_error(build) -> None:
    with pytest.raises(ConfigurationError):
        build()


def test_a_date_and_time_is_not_a_start_date() -> None:
    with pytest.raises(InvalidValue) as caught:
        generate_schedule(
            get_protocol("kap"), dt.datetime(2026, 1, 5, 9, 0), ClinicCalendar.weekdays()
        )
    assert caught.value.field == "start"


@pytest.mark.parametrize("days", [-1, 91])
def test_the_start_delay_allowance_is_bounded(days: int) -> None:
    with pytest.raises(OutOfRange) as caught:
        ScheduleOptions(max_start_delay_days=days)
    assert caught.value.field == "max_start_delay_days"
