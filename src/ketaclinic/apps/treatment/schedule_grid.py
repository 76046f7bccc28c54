"""The day's schedule as a grid: one row per chair, one column per half hour.

Cells carry a ``span`` (the number of half hours a session holds) so the template draws the
grid with ``colspan`` and no inline style (the CSP forbids those).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ketaclinic.apps.treatment.choices import RELEASED_STATUSES
from ketaclinic.apps.treatment.models import Session

FIRST_HOUR = 7
LAST_HOUR = 20
SLOT_MINUTES = 30
SLOTS = (LAST_HOUR - FIRST_HOUR) * 60 // SLOT_MINUTES


@dataclass
class Cell:
    span: int
    session: Session | None = None


@dataclass
class ChairRow:
    chair: int
    cells: list[Cell] = field(default_factory=list)


@dataclass
class DayGrid:
    columns: list[str]
    rows: list[ChairRow]
    overlaps: list[Session]
    outside: list[Session]


def day_bounds(day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight to the next local midnight (23 or 25 hours on a DST change)."""
    tz = ZoneInfo(timezone)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start, end


def build_grid(sessions: list[Session], chairs: int, day: dt.date, timezone: str) -> DayGrid:
    """Place each chair's sessions; an overlap (never planned, but possible after edits at
    the database) or a session outside opening hours is listed, never hidden."""
    tz = ZoneInfo(timezone)
    opening = dt.datetime.combine(day, dt.time(FIRST_HOUR), tzinfo=tz)
    columns = [
        (opening + dt.timedelta(minutes=SLOT_MINUTES * i)).strftime("%H:%M") for i in range(SLOTS)
    ]
    by_chair: dict[int, list[Session]] = {c: [] for c in range(1, chairs + 1)}
    overlaps: list[Session] = []
    outside: list[Session] = []
    for session in sessions:
        if session.chair is None or session.status in RELEASED_STATUSES:
            continue
        by_chair.setdefault(session.chair, []).append(session)
    rows = []
    for chair in sorted(by_chair):
        row = ChairRow(chair)
        position = 0
        for session in by_chair[chair]:
            offset = (session.planned_start - opening).total_seconds() / 60
            column = math.floor(offset / SLOT_MINUTES)
            span = max(1, math.ceil((offset + session.planned_minutes) / SLOT_MINUTES) - column)
            if column < 0 or column >= SLOTS:
                outside.append(session)
                continue
            if column < position:
                overlaps.append(session)
                continue
            if column > position:
                row.cells.append(Cell(column - position))
            span = min(span, SLOTS - column)
            row.cells.append(Cell(span, session))
            position = column + span
        if position < SLOTS:
            row.cells.append(Cell(SLOTS - position))
        rows.append(row)
    return DayGrid(columns, rows, overlaps, outside)
