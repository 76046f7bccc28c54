"""Turn a protocol template into dated sessions on a clinic's calendar.

The rules of a protocol (minimum and maximum days between sessions, a phase's window) are
never bent to fit a calendar: sessions move to the nearest open day that keeps every rule,
and when no arrangement exists the error says which rule could not be kept and why. The
search looks ahead (a depth-first search with memoised dead ends), so an early choice that
would doom a later session is undone rather than reported as impossible.

Nothing here reads the clock: the start date is passed in (STYLE.md habit 1).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange, UnknownCode
from ketaclinic.clinical.protocols import (
    CANBIND_RELAPSE_PHASES,
    Cadence,
    DoseSpec,
    Phase,
    Protocol,
    Setting,
    get_protocol,
)
from ketaclinic.clinical.units import add_months, round_half_up

__all__ = [
    "WEEKDAY_CODES",
    "ClinicCalendar",
    "PlannedSession",
    "Schedule",
    "ScheduleOptions",
    "UnschedulableProtocol",
    "generate_schedule",
    "open_days_from_codes",
    "reschedule_after_relapse",
]

WEEKDAY_CODES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday codes in ``date.weekday()`` order (Monday is 0)."""


class UnschedulableProtocol(InvalidValue):
    """The protocol's spacing rules cannot be kept on this calendar; the message says why."""


@dataclass(frozen=True, slots=True)
class ClinicCalendar:
    """The days a site doses patients: open weekdays (0 = Monday) minus holidays."""

    open_weekdays: frozenset[int]
    holidays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if not self.open_weekdays:
            raise InvalidValue("open_days", "the clinic must be open on at least one weekday")
        if not self.open_weekdays <= frozenset(range(7)):
            raise InvalidValue("open_days", "weekdays are numbered 0 (Monday) to 6 (Sunday)")

    @classmethod
    def weekdays(cls, holidays: Iterable[dt.date] = ()) -> ClinicCalendar:
        """Monday to Friday, the default when a site has not set its days."""
        return cls(frozenset(range(5)), frozenset(holidays))

    def is_open(self, day: dt.date) -> bool:
        return day.weekday() in self.open_weekdays and day not in self.holidays

    def describe(self) -> str:
        days = ", ".join(WEEKDAY_CODES[d].capitalize() for d in sorted(self.open_weekdays))
        text = f"open {days}"
        if self.holidays:
            text += f" less {len(self.holidays)} holiday(s)"
        return text


def open_days_from_codes(codes: Sequence[str]) -> frozenset[int]:
    """``["mon", "wed"]`` -> ``{0, 2}``; an unknown code is an ``UnknownCode`` on ``open_days``."""
    days: set[int] = set()
    for index, code in enumerate(codes):
        normalised = code.strip().lower()
        if normalised not in WEEKDAY_CODES:
            raise UnknownCode(
                f"open_days[{index}]", f"{code!r} is not a weekday ({', '.join(WEEKDAY_CODES)})"
            )
        days.add(WEEKDAY_CODES.index(normalised))
    return frozenset(days)


@dataclass(frozen=True, slots=True)
class PlannedSession:
    """One dated session. ``target_date`` is where the rhythm put it before any shift."""

    number: int
    date: dt.date
    phase: str
    dose: DoseSpec | None
    target_date: dt.date

    @property
    def shifted_days(self) -> int:
        return (self.date - self.target_date).days


@dataclass(frozen=True, slots=True)
class Schedule:
    """The dated sessions of one protocol variant, numbered from 1 in date order."""

    protocol_id: str
    variant: str
    sessions: tuple[PlannedSession, ...]


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """``variant`` picks one of the protocol's variants; the first session may move at most
    ``max_start_delay_days`` after the requested start (Ketaclinic convention)."""

    variant: str | None = None
    max_start_delay_days: int = 14

    def __post_init__(self) -> None:
        if not 0 <= self.max_start_delay_days <= 90:
            raise OutOfRange("max_start_delay_days", "must be from 0 to 90 days")


def generate_schedule(
    protocol: Protocol,
    start: dt.date,
    calendar: ClinicCalendar,
    options: ScheduleOptions | None = None,
) -> Schedule:
    """Dated sessions for ``protocol`` from ``start`` on ``calendar``.

    Raises ``UnschedulableProtocol`` (field ``calendar``) when the rules cannot be kept.
    Home protocols ignore the clinic calendar: the patient doses at home on any day.
    """
    if isinstance(start, dt.datetime):
        raise InvalidValue("start", "a calendar date is needed, not a date and time")
    options = options or ScheduleOptions()
    variant = protocol.variant(options.variant)
    is_open = _always_open if protocol.setting is Setting.HOME else calendar.is_open
    sessions = _place(
        protocol.id, variant.phases, start, is_open, options.max_start_delay_days, calendar
    )
    return Schedule(protocol.id, variant.name, tuple(sessions))


def reschedule_after_relapse(
    schedule: Schedule, relapse_on: dt.date, calendar: ClinicCalendar
) -> Schedule:
    """CAN-BIND's relapse rule: back to infusions every 2 weeks (``protocol.canbind-2020``).

    Sessions before ``relapse_on`` stand. From the relapse, one infusion as soon as the
    calendar allows (and at least 2 days after the last one given), then every 2 weeks up to
    the date maintenance was planned to end.
    """
    if schedule.protocol_id != "iv-maintenance-canbind":
        raise InvalidValue(
            "protocol",
            f"the relapse rule belongs to iv-maintenance-canbind, not {schedule.protocol_id}",
        )
    first, last = schedule.sessions[0].date, schedule.sessions[-1].date
    if not first < relapse_on <= last:
        raise OutOfRange(
            "relapse_on", f"must be after {first.isoformat()} and on or before {last.isoformat()}"
        )
    kept = [s for s in schedule.sessions if s.date < relapse_on]
    start = max(
        relapse_on, kept[-1].date + dt.timedelta(days=CANBIND_RELAPSE_PHASES[0].min_gap_days)
    )
    every = CANBIND_RELAPSE_PHASES[1].interval.days
    further = int((last - start).days // every)
    phases: tuple[Phase, ...] = CANBIND_RELAPSE_PHASES[:1]
    if further:
        phases += (dataclasses.replace(CANBIND_RELAPSE_PHASES[1], sessions=further),)
    protocol = get_protocol(schedule.protocol_id)
    placed = _place(protocol.id, phases, start, calendar.is_open, 14, calendar)
    renumbered = [dataclasses.replace(s, number=len(kept) + s.number) for s in placed]
    return Schedule(schedule.protocol_id, f"{schedule.variant}+relapse", (*kept, *renumbered))


def _always_open(day: dt.date) -> bool:
    return True


def _after(day: dt.date, cadence: Cadence, times: int) -> dt.date:
    """``day`` moved on by ``times`` cadences, counted from ``day`` so rounding never drifts."""
    moved = add_months(day, cadence.months * times)
    return moved + dt.timedelta(days=round_half_up(cadence.days * times))


@dataclass(frozen=True, slots=True)
class _Slot:
    phase: Phase
    index_in_phase: int


def _place(
    protocol_id: str,
    phases: tuple[Phase, ...],
    start: dt.date,
    is_open: Callable[[dt.date], bool],
    max_start_delay_days: int,
    calendar: ClinicCalendar,
) -> list[PlannedSession]:
    slots = [_Slot(phase, k) for phase in phases for k in range(phase.sessions)]
    chosen: list[tuple[dt.date, dt.date]] = []
    dead_ends: set[tuple[int, dt.date, dt.date]] = set()
    deepest: list[tuple[int, dt.date, dt.date]] = [(-1, start, start)]

    def options_for(i: int, prev: dt.date, anchor: dt.date) -> tuple[dt.date, list[dt.date]]:
        slot = slots[i]
        phase = slot.phase
        if i == 0:
            days = [start + dt.timedelta(days=n) for n in range(max_start_delay_days + 1)]
            return start, [d for d in days if is_open(d)]
        if slot.index_in_phase == 0:
            target = _after(prev, phase.lead or phase.interval, 1)
        else:
            target = _after(anchor, phase.interval, slot.index_in_phase)
        low = prev + dt.timedelta(days=phase.min_gap_days)
        high = prev + dt.timedelta(days=phase.max_gap_days)
        if slot.index_in_phase and phase.window_days is not None:
            high = min(high, anchor + dt.timedelta(days=phase.window_days - 1))
        days = [low + dt.timedelta(days=n) for n in range((high - low).days + 1)]
        # Nearest to the rhythm first; on a tie the later day (a holiday pushes a session on).
        days.sort(key=lambda d: (abs((d - target).days), d < target))
        return target, [d for d in days if is_open(d)]

    def visit(i: int, prev: dt.date, anchor: dt.date) -> bool:
        if i == len(slots):
            return True
        if (i, prev, anchor) in dead_ends:
            return False
        target, days = options_for(i, prev, anchor)
        for day in days:
            chosen.append((day, target))
            if visit(i + 1, day, day if slots[i].index_in_phase == 0 else anchor):
                return True
            chosen.pop()
        dead_ends.add((i, prev, anchor))
        if i > deepest[0][0]:
            deepest[0] = (i, prev, anchor)
        return False

    if not visit(0, start, start):
        raise UnschedulableProtocol(
            "calendar",
            _explain(protocol_id, slots, deepest[0], calendar, max_start_delay_days),
        )
    return [
        PlannedSession(n, day, slot.phase.name, slot.phase.dose_for(slot.index_in_phase), target)
        for n, (slot, (day, target)) in enumerate(zip(slots, chosen, strict=True), start=1)
    ]


def _explain(
    protocol_id: str,
    slots: list[_Slot],
    failure: tuple[int, dt.date, dt.date],
    calendar: ClinicCalendar,
    max_start_delay_days: int,
) -> str:
    i, prev, anchor = failure
    where = f"cannot plan {protocol_id} with the clinic {calendar.describe()}: "
    if i == 0:
        return (
            where
            + f"no open day within {max_start_delay_days} days of the start {prev.isoformat()}"
        )
    slot = slots[i]
    phase = slot.phase
    rule = (
        f"{phase.name} session {slot.index_in_phase + 1} of {phase.sessions} must fall "
        f"{phase.min_gap_days}-{phase.max_gap_days} days after the session on "
        f"{prev.isoformat()}"
    )
    if slot.index_in_phase and phase.window_days is not None:
        last_day = anchor + dt.timedelta(days=phase.window_days - 1)
        rule += (
            f" and by {last_day.isoformat()} ({phase.sessions} sessions within "
            f"{phase.window_days} days)"
        )
    return where + rule + ", and no open day does"
