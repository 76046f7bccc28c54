"""What stands in the way of a planned session, and the nearest free time that avoids it.

Three conflicts, checked for every session of a new plan (and for a moved session):

- ``patient_same_day``: the patient already has a dosing session that day (the site's local
  date). Two doses of ketamine in one day is not a protocol any of ours describes; a
  prescriber may still keep it with a recorded reason (audited).
- ``patient_overlap``: the patient is in another session at that time. Never overridable.
- ``no_chair``: every chair (or room) of the site is taken then. Never overridable.

Instead of refusing the whole plan at the first conflict, the planner lists every
conflicting session with the nearest free slot: the same day at the nearest time first, then
the nearest open day (after, then before, up to a week) that stays between the session's
neighbours in the course, so the protocol's order is kept. The prescriber accepts a
suggestion, picks another time, or (same-day only) gives a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.treatment.chairs import ChairBook
from ketaclinic.apps.treatment.choices import SessionConflictKind, SessionKind
from ketaclinic.apps.treatment.schedule_grid import FIRST_HOUR, LAST_HOUR, SLOT_MINUTES
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.schedule import ClinicCalendar

SEARCH_DAYS = 7
SAME_DAY_REASON_MIN_LENGTH = 10


@dataclass(frozen=True)
class Slot:
    """A day, a time of day and a chair (None at home)."""

    day: dt.date
    at: dt.time
    chair: int | None

    def token(self, number: int) -> str:
        """``"3|2026-03-13|09:00|2"``: what the plan form posts back to accept it."""
        return f"{number}|{self.day.isoformat()}|{self.at:%H:%M}|{self.chair or ''}"

    def render(self) -> str:
        chair = f", chair {self.chair}" if self.chair else ""
        return f"{self.day:%a %Y-%m-%d} {self.at:%H:%M}{chair}"


def parse_move(token: str) -> tuple[int, Slot]:
    """The inverse of ``Slot.token``; a malformed token is an ``InputError`` on ``moves``."""
    try:
        number, day, at, chair = token.split("|")
        return int(number), Slot(
            dt.date.fromisoformat(day),
            dt.time.fromisoformat(at),
            int(chair) if chair else None,
        )
    except ValueError:
        raise InputError("moves", f"not a session move: {token!r}") from None


@dataclass(frozen=True)
class SessionConflict:
    number: int
    when: str
    kinds: tuple[str, ...]
    messages: tuple[str, ...]
    suggestion: Slot | None

    @property
    def same_day_only(self) -> bool:
        """Only this conflict may a prescriber keep, with a reason."""
        return self.kinds == (SessionConflictKind.PATIENT_SAME_DAY,)

    @property
    def token(self) -> str:
        return self.suggestion.token(self.number) if self.suggestion else ""

    def as_json(self) -> dict:
        return {
            "session": self.number,
            "when": self.when,
            "conflicts": list(self.kinds),
            "messages": list(self.messages),
            "suggestion": None
            if self.suggestion is None
            else {
                "date": self.suggestion.day.isoformat(),
                "time": f"{self.suggestion.at:%H:%M}",
                "chair": self.suggestion.chair,
            },
        }


class PlanConflicts(InputError):
    """Sessions that cannot be placed as chosen; ``conflicts`` lists each with a suggestion."""

    def __init__(self, conflicts: list[SessionConflict]) -> None:
        numbers = ", ".join(str(c.number) for c in conflicts)
        super().__init__(
            "sessions",
            f"session(s) {numbers} conflict: accept the suggested times, choose another time, "
            "or, for a second dose on the same day only, give a prescriber's reason",
        )
        self.conflicts = conflicts


@dataclass(frozen=True)
class Placement:
    """Where a session would sit, and what is wrong with it (nothing when ``ok``)."""

    chair: int | None
    problems: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def place(
    book: ChairBook,
    *,
    start: dt.datetime,
    minutes: int,
    kind: str,
    preferred_chair: int | None,
    at_home: bool,
    same_day_allowed: bool,
) -> Placement:
    """Check one session against the book: same-day dosing, patient overlap, a free chair."""
    site = book.site
    tz = ZoneInfo(site.timezone)
    end = start + dt.timedelta(minutes=minutes)
    problems: list[tuple[str, str]] = []
    if kind == SessionKind.DOSING and not same_day_allowed:
        other = book.patient_dosing_on(start.astimezone(tz).date(), tz)
        if other is not None:
            problems.append(
                (
                    SessionConflictKind.PATIENT_SAME_DAY,
                    "the patient has another dosing session that day "
                    f"({other.start.astimezone(tz):%H:%M})",
                )
            )
    clash = book.patient_clash(start, end)
    if clash is not None:
        problems.append(
            (
                SessionConflictKind.PATIENT_OVERLAP,
                "the patient is in another session then "
                f"({clash.start.astimezone(tz):%H:%M}–{clash.end.astimezone(tz):%H:%M})",
            )
        )
    chair = None
    if not at_home:
        chair = book.free_chair(preferred_chair or 1, start, end)
        if chair is None:
            problems.append(
                (
                    SessionConflictKind.NO_CHAIR,
                    f"all {site.chairs} chairs are taken "
                    f"{start.astimezone(tz):%H:%M}–{end.astimezone(tz):%H:%M}",
                )
            )
    return Placement(chair, tuple(problems))


def _days(day: dt.date, earliest: dt.date, latest: dt.date | None) -> Iterator[dt.date]:
    yield day
    for offset in range(1, SEARCH_DAYS + 1):
        for candidate in (day + dt.timedelta(days=offset), day - dt.timedelta(days=offset)):
            if candidate >= earliest and (latest is None or candidate <= latest):
                yield candidate


def _times(at: dt.time, minutes: int, at_home: bool) -> list[dt.time]:
    """Half hours of the clinic day (07:00 to the last start that ends by 20:00), nearest first.

    At home the chosen time is kept: moving a home dose to the afternoon helps nobody.
    """
    if at_home:
        return [at]
    last = LAST_HOUR * 60 - minutes
    grid = [dt.time(m // 60, m % 60) for m in range(FIRST_HOUR * 60, last + 1, SLOT_MINUTES)]
    chosen = at.hour * 60 + at.minute
    return [at, *sorted(grid, key=lambda t: (abs(t.hour * 60 + t.minute - chosen), t))]


def nearest_free_slot(
    book: ChairBook,
    calendar: ClinicCalendar,
    *,
    day: dt.date,
    at: dt.time,
    minutes: int,
    kind: str,
    preferred_chair: int | None,
    at_home: bool,
    earliest: dt.date,
    latest: dt.date | None,
    same_day_allowed: bool,
) -> Slot | None:
    """The first free slot: ``day`` at the nearest time, then the nearest open days."""
    site: Site = book.site
    tz = ZoneInfo(site.timezone)
    times = _times(at, minutes, at_home)
    for candidate in _days(day, earliest, latest):
        if not at_home and not calendar.is_open(candidate):
            continue
        for time in times:
            start = dt.datetime.combine(candidate, time, tzinfo=tz)
            placed = place(
                book,
                start=start,
                minutes=minutes,
                kind=kind,
                preferred_chair=preferred_chair,
                at_home=at_home,
                same_day_allowed=same_day_allowed,
            )
            if placed.ok:
                return Slot(candidate, time, placed.chair)
    return None


def valid_same_day_reason(reason: str) -> bool:
    return len(reason.strip()) >= SAME_DAY_REASON_MIN_LENGTH
