"""A patient's outcomes, course by course, for the chart and the progress report."""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.apps.outcomes import charts
from ketaclinic.apps.outcomes.models import CourseOutcome, WeeklyScore
from ketaclinic.apps.web.prepared_query import PreparedQuery
from ketaclinic.clinical.scales import get_scale

__all__ = ["CourseSummary", "patient_outcomes"]


@dataclass(frozen=True)
class CourseSummary:
    row: CourseOutcome
    instrument_title: str
    weeks: list[tuple[int, int]]
    chart: str

    @property
    def definitions(self) -> dict:
        return self.row.explanation.definitions


# The two queries by patient id, compiled once per database (``PreparedQuery``): the chart
# and the progress report read them on every view.
OUTCOME_ROWS = PreparedQuery(
    lambda patient_id: (
        CourseOutcome.objects.filter(patient_id=patient_id)
        .select_related("course", "explanation")
        .order_by("-first_dose_at")
    )
)
OUTCOME_WEEKS = PreparedQuery(
    lambda patient_id: (
        WeeklyScore.objects.filter(outcome__patient_id=patient_id)
        .order_by("outcome", "week")
        .values_list("outcome_id", "week", "total")
    )
)


def patient_outcomes(patient) -> list[CourseSummary]:
    """Every started course of ``patient``, newest first: two queries whatever the history."""
    rows = OUTCOME_ROWS.instances(patient.pk)
    weeks_of: dict[int, list[tuple[int, int]]] = {}
    if rows:
        for outcome_id, week, total in OUTCOME_WEEKS.rows(patient.pk):
            weeks_of.setdefault(outcome_id, []).append((week, total))
    result = []
    for row in rows:
        scale = get_scale(row.primary_instrument)
        weeks = weeks_of.get(row.pk, [])
        chart = ""
        if weeks:
            chart = charts.trajectory_chart(
                {"this_course": [(w, float(t), 1) for w, t in weeks]},
                {"this_course": "This course"},
                max_total=scale.max_total or max(t for _, t in weeks) or 1,
                title=f"{scale.title} by week since the first dose",
                counts=False,
            )
        result.append(CourseSummary(row, scale.title, weeks, chart))
    return result
