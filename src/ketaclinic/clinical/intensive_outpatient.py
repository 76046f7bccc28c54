"""Rules of an intensive outpatient program (IOP): minutes attended at a group session, hours
per calendar week against the patient's plan and the program's minimum, and the run of
unexcused absences that should bring the care team in.

Why a pure module: "intensive" has a number. Medicare covers IOP when a physician certifies
that the patient needs at least 9 hours of services a week (``cms_iop_2024``); the ASAM
Criteria place adults at level 2.1 from 9 hours a week and adolescents from 6
(``asam_level_2_1``). Whether a week reached that is arithmetic on attendance, so it lives
here, tested, with the sources beside it. Nothing here reads the clock (``as_of``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange
from ketaclinic.clinical.sources import Source, cite

__all__ = [
    "ABSENCE_RUN_FOR_ALERT",
    "IOP_SOURCES",
    "MINIMUM_WEEKLY_HOURS",
    "AttendanceStatus",
    "Population",
    "WeekHours",
    "attended_minutes",
    "hours",
    "sessions_between",
    "unexcused_run",
    "week_start",
    "weekly_hours",
]

IOP_SOURCES: tuple[Source, ...] = (cite("cms_iop_2024"), cite("asam_level_2_1"))
"""What "intensive" means: the CMS minimum and the ASAM level 2.1 hours."""

MINIMUM_WEEKLY_HOURS: dict[str, Decimal] = {
    "adult": Decimal("9"),
    "adolescent": Decimal("6"),
}
"""Hours a week below which a week is not 'intensive' (``cms_iop_2024``, ``asam_level_2_1``)."""

ABSENCE_RUN_FOR_ALERT = 2
"""Unexcused absences in a row that alert the care team: a clinic's choice, not a guideline
(two missed groups in a row is a common engagement trigger for an outreach call)."""


class Population(enum.StrEnum):
    """Who a group serves; it sets the weekly minimum (``asam_level_2_1``)."""

    ADULT = "adult"
    ADOLESCENT = "adolescent"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT_EXCUSED = "absent_excused"
    ABSENT_UNEXCUSED = "absent_unexcused"


ABSENT = frozenset({AttendanceStatus.ABSENT_EXCUSED, AttendanceStatus.ABSENT_UNEXCUSED})


def _status(value: str) -> AttendanceStatus:
    try:
        return AttendanceStatus(value)
    except ValueError:
        expected = ", ".join(s.value for s in AttendanceStatus)
        raise InvalidValue("status", f"{value!r} is not one of {expected}") from None


def attended_minutes(
    duration_minutes: int, status: str, late_minutes: int = 0, left_early_minutes: int = 0
) -> int:
    """Minutes of a group session the patient was in the room.

    The session's length less the minutes missed by arriving late and leaving early; zero
    for an absence. A late arrival may also leave early (both counted); ``present`` and the
    absences carry no minutes missed, so a record cannot say two things at once.
    """
    if duration_minutes <= 0:
        raise OutOfRange("duration_minutes", "a session lasts at least one minute")
    kind = _status(status)
    if late_minutes < 0:
        raise OutOfRange("late_minutes", "cannot be negative")
    if left_early_minutes < 0:
        raise OutOfRange("left_early_minutes", "cannot be negative")
    if kind is AttendanceStatus.LATE and late_minutes == 0:
        raise OutOfRange("late_minutes", "say how many minutes late")
    if kind is AttendanceStatus.LEFT_EARLY and left_early_minutes == 0:
        raise OutOfRange("left_early_minutes", "say how many minutes before the end")
    if kind is AttendanceStatus.LEFT_EARLY and late_minutes:
        raise InvalidValue("late_minutes", "record a late arrival as 'late' (with both times)")
    if kind not in (AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY) and (
        late_minutes or left_early_minutes
    ):
        field = "late_minutes" if late_minutes else "left_early_minutes"
        raise InvalidValue(field, f"minutes missed do not apply to '{kind.value}'")
    if kind in ABSENT:
        return 0
    missed = late_minutes + left_early_minutes
    if missed >= duration_minutes:
        raise OutOfRange(
            "late_minutes" if late_minutes else "left_early_minutes",
            f"misses all {duration_minutes} minutes: record an absence instead",
        )
    return duration_minutes - missed


def hours(minutes: int) -> Decimal:
    """Minutes as hours to one decimal (half up), as a week's total is shown and compared."""
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s calendar week (ISO 8601 weeks, Monday to Sunday)."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekHours:
    """One calendar week of one patient: hours attended, offered, planned and the minimum.

    ``complete`` is False for the week still under way, which is never flagged: hours may
    yet be added. ``below_minimum`` compares the hours attended with the program's minimum
    (``cms_iop_2024``); ``below_plan`` with the patient's own planned hours.
    """

    starts_on: dt.date
    attended_minutes: int
    offered_minutes: int
    planned_hours: Decimal
    minimum_hours: Decimal
    complete: bool

    @property
    def attended_hours(self) -> Decimal:
        return hours(self.attended_minutes)

    @property
    def offered_hours(self) -> Decimal:
        return hours(self.offered_minutes)

    @property
    def below_minimum(self) -> bool:
        return self.complete and Decimal(self.attended_minutes) < self.minimum_hours * 60

    @property
    def below_plan(self) -> bool:
        return self.complete and Decimal(self.attended_minutes) < self.planned_hours * 60


def weekly_hours(
    sessions: Iterable[tuple[dt.date, int, int]],
    *,
    first_day: dt.date,
    last_day: dt.date,
    planned_hours: Decimal,
    population: str,
    as_of: dt.date,
) -> list[WeekHours]:
    """Hours per calendar week from ``first_day`` to ``last_day`` (both included).

    ``sessions`` are ``(date, offered_minutes, attended_minutes)`` for each group session the
    patient was enrolled for; sessions outside the range are ignored. A week counts as
    complete once its Sunday is before ``as_of``. Weeks with no sessions appear with zero
    hours: a week without group is a week below the minimum.
    """
    if last_day < first_day:
        raise OutOfRange("last_day", "ends before the first day")
    if planned_hours < 0:
        raise OutOfRange("planned_hours", "cannot be negative")
    try:
        minimum = MINIMUM_WEEKLY_HOURS[Population(population)]
    except ValueError:
        raise InvalidValue("population", f"{population!r} is not adult or adolescent") from None
    offered: dict[dt.date, int] = {}
    attended: dict[dt.date, int] = {}
    for day, offered_minutes, attended_minutes_ in sessions:
        if not first_day <= day <= last_day:
            continue
        monday = week_start(day)
        offered[monday] = offered.get(monday, 0) + offered_minutes
        attended[monday] = attended.get(monday, 0) + attended_minutes_
    weeks = []
    monday = week_start(first_day)
    while monday <= last_day:
        weeks.append(
            WeekHours(
                starts_on=monday,
                attended_minutes=attended.get(monday, 0),
                offered_minutes=offered.get(monday, 0),
                planned_hours=planned_hours,
                minimum_hours=minimum,
                complete=monday + dt.timedelta(days=6) < as_of,
            )
        )
        monday += dt.timedelta(days=7)
    return weeks


def unexcused_run(statuses: Sequence[str]) -> int:
    """Unexcused absences in a row at the end of ``statuses`` (oldest first).

    An excused absence neither extends nor breaks the run (the patient told the group they
    would miss it); attending breaks it.
    """
    run = 0
    for value in reversed(statuses):
        kind = _status(value)
        if kind is AttendanceStatus.ABSENT_UNEXCUSED:
            run += 1
        elif kind is AttendanceStatus.ABSENT_EXCUSED:
            continue
        else:
            break
    return run


def sessions_between(
    first_day: dt.date, last_day: dt.date, weekdays: Iterable[int]
) -> list[dt.date]:
    """The dates from ``first_day`` to ``last_day`` that fall on the group's ``weekdays``
    (0 = Monday ... 6 = Sunday), for planning a group's sessions from its schedule."""
    days = set(weekdays)
    if not days or not days <= set(range(7)):
        raise InvalidValue("weekdays", "give one or more weekdays from 0 (Monday) to 6 (Sunday)")
    if last_day < first_day:
        raise OutOfRange("last_day", "ends before the first day")
    count = (last_day - first_day).days + 1
    dates = (first_day + dt.timedelta(days=n) for n in range(count))
    return [d for d in dates if d.weekday() in days]
