"""A patient's outcomes, course by course, for the chart and the progress report."""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.apps.outcomes import charts
from ketaclinic.apps.outcomes.models import CourseOutcome
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


def patient_outcomes(patient) -> list[CourseSummary]:
    """Every started course of ``patient``, newest first: two queries whatever the history."""
    rows = list(
        CourseOutcome.objects.filter(patient=patient)
        .select_related("course", "explanation")
        .prefetch_related("weeks")
        .order_by("-first_dose_at")
    )
    result = []
    for row in rows:
        scale = get_scale(row.primary_instrument)
        weeks = [(week.week, week.total) for week in row.weeks.all()]
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
