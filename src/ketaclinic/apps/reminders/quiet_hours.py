"""Quiet hours: when a reminder may reach a patient, on the wall clock of the patient's clinic.

Pure Python (no Django, no clock): the caller passes the proposed instant in. A window is a
local start and end time; ``21:00-08:00`` crosses midnight, ``13:00-14:00`` does not, and
equal start and end mean no quiet hours at all. The start is quiet, the end is not.

Daylight-saving time is handled by ``zoneinfo``, with one rule: the answer is the first
*instant* at or after the proposal whose local wall-clock time lies outside the window.

* Spring forward: if the window ends inside the skipped hour (quiet until 02:30 on the night
  the clocks jump from 02:00 to 03:00), the first permitted instant is the jump itself
  (03:00 daylight time), not half an hour later.
* Fall back: the repeated hour happens twice, and it is quiet both times if the window covers
  it. Quiet until 01:30 on that night: a proposal at 00:30 waits for the first 01:30; a
  proposal made during the second 01:10 waits for the second 01:30.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ketaclinic.clinical.exceptions import InvalidValue

__all__ = ["QuietWindow", "is_quiet", "next_permitted_instant", "parse_window"]

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietWindow:
    """Local times from ``start`` (quiet) up to ``end`` (permitted again)."""

    start: dt.time
    end: dt.time

    @property
    def is_empty(self) -> bool:
        return self.start == self.end

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    def contains(self, local: dt.time) -> bool:
        """Is this wall-clock time quiet? (Seconds count: 07:59:59 is before 08:00.)"""
        local = local.replace(tzinfo=None)
        if self.is_empty:
            return False
        if self.crosses_midnight:
            return local >= self.start or local < self.end
        return self.start <= local < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_window(text: str, field: str = "quiet_hours") -> QuietWindow:
    """``"21:00-08:00"`` -> a window; anything else is an ``InvalidValue`` naming ``field``."""
    match = _WINDOW.match(text or "")
    if not match:
        raise InvalidValue(field, f"{text!r} is not a window like 21:00-08:00")
    hours_a, minutes_a, hours_b, minutes_b = (int(part) for part in match.groups())
    try:
        return QuietWindow(dt.time(hours_a, minutes_a), dt.time(hours_b, minutes_b))
    except ValueError:
        raise InvalidValue(field, f"{text!r} has a time outside 00:00-23:59") from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue("timezone", f"{name!r} is not an IANA time zone") from None


def _aware(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidValue("instant", "give a time zone (an aware datetime)")
    return instant


def is_quiet(instant: dt.datetime, timezone: str, window: QuietWindow) -> bool:
    """Is ``instant`` inside the window, on the wall clock of ``timezone``?"""
    local = _aware(instant).astimezone(_zone(timezone))
    return window.contains(local.time())


def _first_instant_of_gap(wall: dt.datetime) -> dt.datetime:
    """``wall`` (aware, fold 0) names a skipped local time: the instant the clocks jumped.

    Between the two readings of the skipped time (fold 1 is the earlier there) the offset
    changes once; bisect to the second, the resolution of the zone database.
    """
    zone = wall.tzinfo
    before = int(wall.replace(fold=1).timestamp())
    after = int(wall.replace(fold=0).timestamp())
    new_offset = dt.datetime.fromtimestamp(after, zone).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if dt.datetime.fromtimestamp(middle, zone).utcoffset() == new_offset:
            after = middle
        else:
            before = middle
    return dt.datetime.fromtimestamp(after, dt.UTC)


def _exists(wall: dt.datetime) -> bool:
    """False for a wall time the clocks skipped (round trip through UTC changes it)."""
    back = wall.astimezone(dt.UTC).astimezone(wall.tzinfo)
    return back.replace(tzinfo=None) == wall.replace(tzinfo=None)


def next_permitted_instant(
    proposed: dt.datetime, timezone: str, window: QuietWindow
) -> dt.datetime:
    """The first instant at or after ``proposed`` outside the quiet window (see module doc).

    Returns ``proposed`` itself (unchanged, same tzinfo) when it is not quiet.
    """
    zone = _zone(timezone)
    local = _aware(proposed).astimezone(zone)
    if not window.contains(local.time()):
        return proposed
    end_date = local.date()
    if window.crosses_midnight and local.time().replace(tzinfo=None) >= window.start:
        end_date += dt.timedelta(days=1)
    wall = dt.datetime.combine(end_date, window.end, tzinfo=zone)
    if not _exists(wall):
        return _first_instant_of_gap(wall).astimezone(proposed.tzinfo)
    for fold in (0, 1):
        candidate = wall.replace(fold=fold)
        if candidate.astimezone(dt.UTC) > proposed.astimezone(dt.UTC):
            return candidate.astimezone(proposed.tzinfo)
    # Unreachable: the end of the window always follows a quiet proposal (fold 1 is the
    # later reading of a repeated time, and a quiet proposal is before the window's end).
    raise AssertionError("no permitted instant after a quiet proposal")  # pragma: no cover
