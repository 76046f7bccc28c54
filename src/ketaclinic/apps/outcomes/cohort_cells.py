"""The cohort cells: the dashboard's figures pre-aggregated by filter dimensions, kept by the
refresh in the transaction that replaces the course rows.

A cell is one combination of the dashboard's filter dimensions (``figures.CELL_DIMENSIONS``:
site, route, protocol, indication, prescriber, sex, age band, first-dose month). Three
tables hold, per cell, what the page's three queries used to compute from every course row:
``CohortCell`` every counted figure, ``RelapseCell`` the life table's inputs and
``TrajectoryCell`` the weekly score histogram. Their size is set by the dimensions and the
months, not by the number of patients.

The refresh keeps them exact by difference: inside its transaction it takes the figures of
the courses it is about to replace (``cell_figures``, grouped by cell), replaces the rows,
takes the figures again, and adds the change to each cell (an ``INSERT ... ON CONFLICT DO
UPDATE`` adding to the stored count, so two refreshes of different courses in the same cell
both count). The figures are computed by the same definitions as the exact path
(``figures.COUNTED``/``SUMMED``), and ``rebuild_cells`` recomputes every cell from the rows
(the nightly full refresh ends with it, so any drift would last a day at most; a test checks
that incremental refreshes and the rebuild agree).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.db import connection
from django.db.models import Count, Field, Model, Q, Sum
from django.db.models.functions import Coalesce

from ketaclinic.apps.outcomes.definitions import TRAJECTORY_INSTRUMENT
from ketaclinic.apps.outcomes.figures import CELL_DIMENSIONS, COUNTED, ENDED, SUMMED
from ketaclinic.apps.outcomes.models import (
    CohortCell,
    CohortCellState,
    CourseOutcome,
    RelapseCell,
    TrajectoryCell,
    WeeklyScore,
)
from ketaclinic.apps.web.bulk_write import insert_rows

__all__ = [
    "CellFigures",
    "apply_change",
    "cell_figures",
    "cell_state",
    "lock_cell_state",
    "new_version",
    "rebuild_cells",
]

RELAPSE_KEY = (*CELL_DIMENSIONS, "relapse_days")
RELAPSE_COUNTS = ("relapses", "censored")
TRAJECTORY_KEY = (*CELL_DIMENSIONS, "response_group", "week", "total")
TRAJECTORY_COUNTS = ("courses",)
CELL_COUNTS = (*COUNTED, *SUMMED)

Key = tuple
Counts = dict[Key, tuple[int, ...]]


@dataclass
class CellFigures:
    """Some courses' figures grouped by cell: key -> counts, in each table's column order."""

    cohort: Counts = field(default_factory=dict)
    relapse: Counts = field(default_factory=dict)
    trajectory: Counts = field(default_factory=dict)


def new_version() -> int:
    """A fresh random version of the course rows (63 bits: never mistaken for another)."""
    return secrets.randbits(62)


def cell_state() -> tuple[bool, int]:
    """``(built, version)``; no row yet (a database never refreshed) counts as unbuilt
    unless there are no course rows either."""
    row = CohortCellState.objects.filter(pk=1).values_list("built", "version").first()
    if row is None:
        return (not CourseOutcome.objects.exists(), 0)
    return row


def lock_cell_state() -> CohortCellState:
    """The state row, locked for the rest of the transaction (created on first use: an
    empty database's cells are trivially built)."""
    state = CohortCellState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        state, _ = CohortCellState.objects.get_or_create(
            pk=1, defaults={"built": not CourseOutcome.objects.exists()}
        )
        state = CohortCellState.objects.select_for_update().get(pk=1)
    return state


def cell_figures(course_ids: Sequence[int] | None) -> CellFigures:
    """The figures of ``course_ids`` (every course if None) grouped by cell: three queries."""
    outcomes = CourseOutcome.objects.all()
    weeks = WeeklyScore.objects.filter(primary_instrument=TRAJECTORY_INSTRUMENT)
    if course_ids is not None:
        outcomes = outcomes.filter(course_id__in=course_ids)
        weeks = weeks.filter(outcome_id__in=course_ids)
    cohort = (
        outcomes.values(*CELL_DIMENSIONS)
        .annotate(
            # Prefixed: a figure may share its name with a column ("completed").
            **{f"n_{name}": Count("pk", filter=when) for name, when in COUNTED.items()},
            **{f"n_{name}": Coalesce(Sum(column), 0) for name, column in SUMMED.items()},
        )
        .order_by()
        .values_list(*CELL_DIMENSIONS, *(f"n_{name}" for name in CELL_COUNTS))
    )
    relapse = (
        outcomes.filter(ENDED, relapse_at_risk=True)
        .values(*RELAPSE_KEY)
        .annotate(
            relapses=Count("pk", filter=Q(relapsed=True)),
            censored=Count("pk", filter=Q(relapsed=False)),
        )
        .order_by()
        .values_list(*RELAPSE_KEY, *RELAPSE_COUNTS)
    )
    trajectory = (
        weeks.values(*TRAJECTORY_KEY)
        .annotate(courses=Count("pk"))
        .order_by()
        .values_list(*TRAJECTORY_KEY, *TRAJECTORY_COUNTS)
    )
    return CellFigures(
        cohort=_split(cohort, len(CELL_DIMENSIONS)),
        relapse=_split(relapse, len(RELAPSE_KEY)),
        trajectory=_split(trajectory, len(TRAJECTORY_KEY)),
    )


def _split(rows: Iterable[tuple], width: int) -> Counts:
    return {tuple(row[:width]): tuple(int(n) for n in row[width:]) for row in rows}


def apply_change(before: CellFigures, after: CellFigures) -> int:
    """Add ``after - before`` to the stored cells; drop cells left empty. Cells changed."""
    changed = 0
    for model, key, counts, attr in (
        (CohortCell, CELL_DIMENSIONS, CELL_COUNTS, "cohort"),
        (RelapseCell, RELAPSE_KEY, RELAPSE_COUNTS, "relapse"),
        (TrajectoryCell, TRAJECTORY_KEY, TRAJECTORY_COUNTS, "trajectory"),
    ):
        old = getattr(before, attr)
        delta = _difference(old, getattr(after, attr), len(counts))
        if not delta:
            continue
        # A cell the replaced courses were in exists: add to it (the change may be
        # negative). Any other is new or grows: insert it or add to it.
        _add_to_cells(model, key, counts, {k: v for k, v in delta.items() if k in old})
        _insert_or_add(model, key, counts, {k: v for k, v in delta.items() if k not in old})
        changed += len(delta)
        # A cell whose courses all moved elsewhere holds only zeros: it goes.
        model.objects.filter(**dict.fromkeys(counts, 0)).delete()
    return changed


def _difference(before: Counts, after: Counts, width: int) -> Counts:
    delta: Counts = {}
    zero = (0,) * width
    for key in before.keys() | after.keys():
        change = tuple(
            a - b for a, b in zip(after.get(key, zero), before.get(key, zero), strict=True)
        )
        if any(change):
            delta[key] = change
    return delta


def _add_to_cells(
    model: type[Model], key: Sequence[str], counts: Sequence[str], delta: Counts
) -> None:
    """Add each change to its existing cell (one ``UPDATE`` run with ``executemany``)."""
    quote = connection.ops.quote_name
    fields = _key_fields(model, key)
    updates = ", ".join(f"{quote(name)} = {quote(name)} + %s" for name in counts)
    where = " AND ".join(f"{quote(str(f.column))} = %s" for f in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {updates} WHERE {where}"  # noqa: S608  # nosec B608 - names from model metadata; values bound
    _run(sql, [(*change, *_prepared(fields, cell)) for cell, change in delta.items()])


def _insert_or_add(
    model: type[Model], key: Sequence[str], counts: Sequence[str], delta: Counts
) -> None:
    """Insert each new cell, or add to it if another refresh has just made it (an upsert)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = _key_fields(model, key)
    columns = ", ".join(quote(name) for name in (*(str(f.column) for f in fields), *counts))
    updates = ", ".join(
        f"{quote(name)} = {table}.{quote(name)} + EXCLUDED.{quote(name)}" for name in counts
    )
    placeholders = ", ".join(["%s"] * (len(fields) + len(counts)))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608  # nosec B608 - names from model metadata; values bound
        f"ON CONFLICT ({', '.join(quote(str(f.column)) for f in fields)}) DO UPDATE SET {updates}"
    )
    _run(sql, [(*_prepared(fields, cell), *change) for cell, change in delta.items()])


def _key_fields(model: type[Model], key: Sequence[str]) -> list[Field]:
    return [cast(Field, model._meta.get_field(name)) for name in key]


def _prepared(fields: Sequence[Field], cell: Key) -> list:
    return [f.get_db_prep_save(value, connection) for f, value in zip(fields, cell, strict=True)]


def _run(sql: str, params: list) -> None:
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def rebuild_cells() -> int:
    """Every cell recomputed from the course rows (in the caller's transaction, with the
    state row locked); marks the cells built. Returns the number of cohort cells."""
    everything = cell_figures(None)
    for model in (CohortCell, RelapseCell, TrajectoryCell):
        model.objects.all()._raw_delete(model.objects.db)
    for model, key, counts, figures in (
        (CohortCell, CELL_DIMENSIONS, CELL_COUNTS, everything.cohort),
        (RelapseCell, RELAPSE_KEY, RELAPSE_COUNTS, everything.relapse),
        (TrajectoryCell, TRAJECTORY_KEY, TRAJECTORY_COUNTS, everything.trajectory),
    ):
        insert_rows(model, (*key, *counts), ((*cell, *n) for cell, n in figures.items()))
    return len(everything.cohort)
