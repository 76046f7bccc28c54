"""Cohort figures: from the cohort cells when they can answer, else from the stored rows.

Two paths give the same ``CohortCounts`` and trajectories. The *cells* (``cohort_cells``:
the figures pre-aggregated per site, route, protocol, indication, prescriber, sex, age band
and first-dose month, kept by the refresh) answer any filter whose period is whole months,
with sums over a few hundred cells. The *exact path* counts the filtered ``CourseOutcome``
rows (a ``count(*) FILTER (...)`` per figure, a ``GROUP BY relapse_days`` for Kaplan–Meier,
a ``(group, week, total) -> count`` histogram of the weekly scores) for any other period, or
before the cells are built. Both use the one definition of each figure (``figures.py``);
``summarize_counts`` does the statistics in constant time. Nothing here reads an assessment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from ketaclinic.apps.accounts.scoping import at_sites
from ketaclinic.apps.outcomes.cohort_cells import cell_state
from ketaclinic.apps.outcomes.definitions import TRAJECTORY_INSTRUMENT
from ketaclinic.apps.outcomes.figures import (
    AE_FIELDS,
    COUNTED,
    ENDED,
    FIGURES,
    MISUSE_FIELDS,
    SUMMED,
)
from ketaclinic.apps.outcomes.models import (
    CohortCell,
    CourseOutcome,
    RelapseCell,
    TrajectoryCell,
    WeeklyScore,
)
from ketaclinic.clinical.outcomes import CohortCounts
from ketaclinic.clinical.outcomes.misuse import MisuseSignal

__all__ = [
    "AE_FIELDS",
    "MISUSE_FIELDS",
    "CohortFilters",
    "cohort_counts",
    "cohort_counts_and_misuse",
    "filtered_cells",
    "filtered_outcomes",
    "median_trajectories",
    "uses_cells",
    "whole_months",
]


@dataclass(frozen=True)
class CohortFilters:
    """Which courses: within ``site_ids`` (the user's sites), narrowed by the rest."""

    site_ids: tuple[int, ...]
    route: str = ""
    protocol_id: str = ""
    indication: str = ""
    age_band: str = ""
    sex: str = ""
    prescriber_id: int | None = None
    started_from: dt.date | None = None
    started_to: dt.date | None = None

    def as_dict(self) -> dict:
        return {
            key: (value.isoformat() if isinstance(value, dt.date) else value)
            for key, value in self.__dict__.items()
            if value not in ("", None)
        } | {"site_ids": list(self.site_ids)}


def filtered_outcomes(filters: CohortFilters, model: type = CourseOutcome) -> QuerySet:
    """The rows of ``model`` (course outcomes, or their weekly scores) the filters keep."""
    rows = _by_dimensions(filters, model)
    if filters.started_from:
        rows = rows.filter(first_dose_on__gte=filters.started_from)
    if filters.started_to:
        rows = rows.filter(first_dose_on__lte=filters.started_to)
    return rows


def _by_dimensions(filters: CohortFilters, model: type) -> QuerySet:
    rows: QuerySet = at_sites(model, filters.site_ids)
    for field in ("route", "protocol_id", "indication", "age_band", "sex", "prescriber_id"):
        value = getattr(filters, field)
        if value not in ("", None):
            rows = rows.filter(**{field: value})
    return rows


def filtered_cells(filters: CohortFilters, model: type) -> QuerySet:
    """The cells of ``model`` the filters keep; only for periods of whole months."""
    if not whole_months(filters):
        raise ValueError("started_from/started_to: the cells hold whole months only")
    rows = _by_dimensions(filters, model)
    if filters.started_from:
        rows = rows.filter(first_dose_month__gte=filters.started_from)
    if filters.started_to:
        rows = rows.filter(first_dose_month__lte=filters.started_to)
    return rows


def whole_months(filters: CohortFilters) -> bool:
    """Whether the period is made of whole months (or open), so the cells can answer it."""
    start, end = filters.started_from, filters.started_to
    return (start is None or start.day == 1) and (
        end is None or (end + dt.timedelta(days=1)).day == 1
    )


def uses_cells(filters: CohortFilters) -> bool:
    """Whether the cohort figures come from the cells (one query): they must hold the rows'
    figures (``CohortCellState.built``) and the period must be whole months; otherwise the
    figures are counted from the rows, with the same definitions."""
    return whole_months(filters) and cell_state()[0]


def cohort_counts(filters: CohortFilters, *, cells: bool | None = None) -> CohortCounts:
    """The cohort as counts: two queries, whatever its size (``cells``: None decides by
    ``uses_cells``, True reads the cells, False counts the rows)."""
    return cohort_counts_and_misuse(filters, cells=cells)[0]


def cohort_counts_and_misuse(
    filters: CohortFilters, *, cells: bool | None = None
) -> tuple[CohortCounts, tuple[int, dict[MisuseSignal, int], int]]:
    """``cohort_counts`` and, from the same aggregate query, the misuse-signal counts:
    home-program courses no longer in progress, those with each signal, those with any."""
    if cells is None:
        cells = uses_cells(filters)
    if cells:
        totals = filtered_cells(filters, CohortCell).aggregate(
            **{f"n_{name}": Sum(name) for name in FIGURES}
        )
        table = (
            filtered_cells(filters, RelapseCell)
            .values("relapse_days")
            .annotate(relapses_=Sum("relapses"), censored_=Sum("censored"))
            .order_by("relapse_days")
            .values_list("relapse_days", "relapses_", "censored_")
        )
    else:
        rows = filtered_outcomes(filters)
        totals = rows.aggregate(
            **{f"n_{name}": Count("pk", filter=when) for name, when in COUNTED.items()},
            **{f"n_{name}": Sum(column) for name, column in SUMMED.items()},
        )
        table = (
            rows.filter(ENDED, relapse_at_risk=True)
            .values("relapse_days")
            .annotate(
                relapses=Count("pk", filter=Q(relapsed=True)),
                censored=Count("pk", filter=Q(relapsed=False)),
            )
            .order_by("relapse_days")
            .values_list("relapse_days", "relapses", "censored")
        )
    n = {name.removeprefix("n_"): int(value or 0) for name, value in totals.items()}
    misuse = (
        n["home"],
        {signal: n[field] for signal, field in MISUSE_FIELDS.items()},
        n["misuse_any"],
    )
    counts = CohortCounts(
        started=n["started"],
        completed=n["completed"],
        completers=n["completers"],
        followed_up=n["followed_up"],
        in_progress=n["in_progress"],
        lost=n["lost"],
        in_progress_responding=n["in_progress_responding"],
        response_measured=n["response_measured"],
        rapid_measured=n["rapid_measured"],
        relapse_eligible=n["relapse_eligible"],
        ideation_at_baseline=n["ideation_at_baseline"],
        ideation_followed=n["ideation_followed"],
        ideation_reduced=n["ideation_reduced"],
        ideation_on_phq9=n["ideation_on_phq9"],
        ideation_on_cssrs=n["ideation_on_cssrs"],
        response_itt=n["response_itt"],
        response_completers=n["response_completers"],
        remission_itt=n["remission_itt"],
        remission_completers=n["remission_completers"],
        rapid_itt=n["rapid_itt"],
        rapid_completers=n["rapid_completers"],
        worsening_itt=n["worsening_itt"],
        worsening_completers=n["worsening_completers"],
        sessions=n["sessions"],
        sessions_held=n["sessions_held"],
        sessions_with_adverse_event=n["sessions_with_adverse_event"],
        adverse_event_sessions={kind: n[field] for kind, field in AE_FIELDS.items()},
        relapse_table=tuple((float(days), int(d), int(c)) for days, d, c in table),
    )
    return counts, misuse


def median_trajectories(
    filters: CohortFilters, *, cells: bool | None = None
) -> dict[str, list[tuple[int, float, int]]]:
    """Per response group: ``(week, median PHQ-9, courses scored that week)`` by week."""
    if cells is None:
        cells = uses_cells(filters)
    if cells:
        histogram = (
            filtered_cells(filters, TrajectoryCell)
            .values_list("response_group", "week", "total")
            .annotate(n=Sum("courses"))
            .order_by()
        )
    else:
        histogram = (
            filtered_outcomes(filters, WeeklyScore)
            .filter(primary_instrument=TRAJECTORY_INSTRUMENT)
            .values_list("response_group", "week", "total")
            .annotate(n=Count("pk"))
            .order_by()
        )
    counts: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
    for group, week, total, n in histogram:
        counts[(group, week)][total] = int(n)
    result: dict[str, list[tuple[int, float, int]]] = defaultdict(list)
    for (group, week), by_total in sorted(counts.items(), key=lambda item: item[0][1]):
        result[group].append((week, _median(by_total), sum(by_total.values())))
    return dict(result)


def _median(by_total: dict[int, int]) -> float:
    """The median of a histogram of integer totals (mean of the two middle values if even)."""
    size = sum(by_total.values())
    middle = ((size - 1) // 2, size // 2)
    values, seen = [], 0
    for total in sorted(by_total):
        for position in middle:
            if seen <= position < seen + by_total[total]:
                values.append(total)
        seen += by_total[total]
    return sum(values) / 2
