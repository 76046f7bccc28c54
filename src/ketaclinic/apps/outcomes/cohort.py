"""Cohort figures from the stored rows: one aggregate query, one life table, one histogram.

``cohort_counts`` turns the filtered ``CourseOutcome`` rows into the core's ``CohortCounts``
(a ``count(*) FILTER (...)`` per figure and a ``GROUP BY relapse_days`` for Kaplan–Meier);
``summarize_counts`` does the statistics in constant time. The trajectory plot's medians
come from a ``(group, week, total) -> count`` histogram, a few hundred rows at any size.
Nothing here reads an assessment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from ketaclinic.apps.accounts.scoping import at_sites
from ketaclinic.apps.outcomes.choices import CourseState
from ketaclinic.apps.outcomes.definitions import TRAJECTORY_INSTRUMENT
from ketaclinic.apps.outcomes.models import CourseOutcome, WeeklyScore
from ketaclinic.clinical.outcomes import AdverseEventKind, CohortCounts
from ketaclinic.clinical.outcomes.misuse import MisuseSignal

__all__ = [
    "AE_FIELDS",
    "MISUSE_FIELDS",
    "CohortFilters",
    "cohort_counts",
    "cohort_counts_and_misuse",
    "filtered_outcomes",
    "median_trajectories",
]

AE_FIELDS = {
    AdverseEventKind.HYPERTENSION: "ae_hypertension",
    AdverseEventKind.NAUSEA_VOMITING: "ae_nausea_vomiting",
    AdverseEventKind.DISSOCIATION: "ae_dissociation",
    AdverseEventKind.SEDATION: "ae_sedation",
    AdverseEventKind.EMERGENCE_REACTION: "ae_emergence_reaction",
}

MISUSE_FIELDS = {signal: f"misuse_{signal.value}" for signal in MisuseSignal}


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
    rows: QuerySet = at_sites(model, filters.site_ids)
    for field in ("route", "protocol_id", "indication", "age_band", "sex", "prescriber_id"):
        value = getattr(filters, field)
        if value not in ("", None):
            rows = rows.filter(**{field: value})
    if filters.started_from:
        rows = rows.filter(first_dose_on__gte=filters.started_from)
    if filters.started_to:
        rows = rows.filter(first_dose_on__lte=filters.started_to)
    return rows


def cohort_counts(filters: CohortFilters) -> CohortCounts:
    """The cohort as counts: two queries, whatever its size.

    Every count of courses but ``started``, ``in_progress`` and ``in_progress_responding`` is
    over the courses no longer in progress; sessions are counted in every course.
    """
    return cohort_counts_and_misuse(filters)[0]


def cohort_counts_and_misuse(
    filters: CohortFilters,
) -> tuple[CohortCounts, tuple[int, dict[MisuseSignal, int], int]]:
    """``cohort_counts`` and, from the same aggregate query, the misuse-signal counts:
    home-program courses no longer in progress, those with each signal, those with any."""
    rows = filtered_outcomes(filters)
    ended = ~Q(state=CourseState.IN_PROGRESS)
    completer = Q(state=CourseState.CLOSED, completed=True, has_followup=True)

    def over_ended(condition: Q) -> Count:
        return Count("pk", filter=ended & condition)

    any_signal = Q()
    for field in MISUSE_FIELDS.values():
        any_signal |= Q(**{field: True})

    totals = rows.aggregate(
        n_started=Count("pk"),
        n_in_progress=Count("pk", filter=Q(state=CourseState.IN_PROGRESS)),
        n_in_progress_responding=Count(
            "pk", filter=Q(state=CourseState.IN_PROGRESS, responded=True)
        ),
        n_lost=Count("pk", filter=Q(state=CourseState.LOST)),
        n_completed=over_ended(Q(completed=True)),
        n_completers=Count("pk", filter=completer),
        n_followed_up=over_ended(Q(has_followup=True)),
        n_response_measured=over_ended(Q(response_evaluable=True)),
        n_rapid_measured=over_ended(Q(rapid_evaluable=True)),
        n_relapse_eligible=over_ended(Q(relapse_eligible=True)),
        n_ideation_at_baseline=over_ended(Q(ideation_at_baseline=True)),
        n_ideation_followed=over_ended(Q(ideation_followed=True)),
        n_ideation_reduced=over_ended(Q(ideation_reduced=True)),
        n_ideation_on_phq9=over_ended(Q(ideation_on_phq9=True)),
        n_ideation_on_cssrs=over_ended(Q(ideation_on_cssrs=True)),
        n_response_itt=over_ended(Q(responded=True)),
        n_response_completers=Count("pk", filter=completer & Q(responded=True)),
        n_remission_itt=over_ended(Q(remitted=True)),
        n_remission_completers=Count("pk", filter=completer & Q(remitted=True)),
        n_rapid_itt=over_ended(Q(rapid_response=True)),
        n_rapid_completers=Count("pk", filter=completer & Q(rapid_response=True)),
        n_worsening_itt=over_ended(Q(worsened=True)),
        n_worsening_completers=Count("pk", filter=completer & Q(worsened=True)),
        n_sessions=Sum("sessions_attended"),
        n_sessions_held=Sum("sessions_held"),
        n_sessions_with_adverse_event=Sum("sessions_with_adverse_event"),
        **{f"n_{field}": Sum(field) for field in AE_FIELDS.values()},
        n_home=over_ended(Q(home_program=True)),
        n_misuse_any=over_ended(Q(home_program=True) & any_signal),
        **{
            f"n_{field}": over_ended(Q(home_program=True, **{field: True}))
            for field in MISUSE_FIELDS.values()
        },
    )
    table = (
        rows.filter(ended, relapse_at_risk=True)
        .values("relapse_days")
        .annotate(
            relapses=Count("pk", filter=Q(relapsed=True)),
            censored=Count("pk", filter=Q(relapsed=False)),
        )
        .order_by("relapse_days")
        .values_list("relapse_days", "relapses", "censored")
    )
    misuse = (
        totals["n_home"],
        {signal: totals[f"n_{field}"] for signal, field in MISUSE_FIELDS.items()},
        totals["n_misuse_any"],
    )
    counts = CohortCounts(
        started=totals["n_started"],
        completed=totals["n_completed"],
        completers=totals["n_completers"],
        followed_up=totals["n_followed_up"],
        in_progress=totals["n_in_progress"],
        lost=totals["n_lost"],
        in_progress_responding=totals["n_in_progress_responding"],
        response_measured=totals["n_response_measured"],
        rapid_measured=totals["n_rapid_measured"],
        relapse_eligible=totals["n_relapse_eligible"],
        ideation_at_baseline=totals["n_ideation_at_baseline"],
        ideation_followed=totals["n_ideation_followed"],
        ideation_reduced=totals["n_ideation_reduced"],
        ideation_on_phq9=totals["n_ideation_on_phq9"],
        ideation_on_cssrs=totals["n_ideation_on_cssrs"],
        response_itt=totals["n_response_itt"],
        response_completers=totals["n_response_completers"],
        remission_itt=totals["n_remission_itt"],
        remission_completers=totals["n_remission_completers"],
        rapid_itt=totals["n_rapid_itt"],
        rapid_completers=totals["n_rapid_completers"],
        worsening_itt=totals["n_worsening_itt"],
        worsening_completers=totals["n_worsening_completers"],
        sessions=totals["n_sessions"] or 0,
        sessions_held=totals["n_sessions_held"] or 0,
        sessions_with_adverse_event=totals["n_sessions_with_adverse_event"] or 0,
        adverse_event_sessions={
            kind: totals[f"n_{field}"] or 0 for kind, field in AE_FIELDS.items()
        },
        relapse_table=tuple((float(days), int(d), int(c)) for days, d, c in table),
    )
    return counts, misuse


def median_trajectories(filters: CohortFilters) -> dict[str, list[tuple[int, float, int]]]:
    """Per response group: ``(week, median PHQ-9, courses scored that week)`` by week."""
    histogram = (
        filtered_outcomes(filters, WeeklyScore)
        .filter(primary_instrument=TRAJECTORY_INSTRUMENT)
        .values_list("response_group", "week", "total")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
    for group, week, total, n in histogram:
        counts[(group, week)][total] = n
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
