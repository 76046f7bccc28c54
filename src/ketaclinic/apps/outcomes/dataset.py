"""The de-identified analysis dataset: one row per started course.

No names, MRN, date of birth, contact details or calendar dates leave: age is a band, the
first dose only its year, and times are durations (days from the end of induction), the
HIPAA Safe Harbor approach (45 CFR 164.514(b)(2)). Rows are numbered in the export; the
number links to nothing stored. The columns are what an analyst needs to recompute every
figure on the dashboard (``tests/outcomes`` does so with statsmodels and lifelines).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from ketaclinic.apps.outcomes.models import CourseOutcome
from ketaclinic.apps.outcomes.refreshing import stored_days

__all__ = ["COLUMNS", "dataset_rows"]

COLUMNS = [
    "row",
    "site",
    "route",
    "protocol",
    "condition",
    "age_band",
    "sex",
    "first_dose_year",
    "state",
    "induction_end_days",
    "primary_instrument",
    "baseline_total",
    "end_total",
    "completed",
    "has_followup",
    "response_evaluable",
    "rapid_evaluable",
    "responded",
    "remitted",
    "rapid_response",
    "worsened",
    "sustained_response",
    "ideation_at_baseline",
    "ideation_followed",
    "ideation_on_phq9",
    "ideation_on_cssrs",
    "ideation_reduced",
    "relapse_eligible",
    "relapse_at_risk",
    "relapsed",
    "relapse_days",
    "induction_sessions_given",
    "sessions_attended",
    "sessions_held",
    "sessions_with_adverse_event",
    "ae_hypertension",
    "ae_nausea_vomiting",
    "ae_dissociation",
    "ae_sedation",
    "ae_emergence_reaction",
    "sessions_with_dose_deviation",
    "home_program",
    "misuse_early_refill_request",
    "misuse_pill_count_shortfall",
    "misuse_dose_increase_request",
    "misuse_missed_return",
]
_FIELDS = ["sessions_given" if c == "induction_sessions_given" else c for c in COLUMNS[11:]]


def dataset_rows(outcomes: QuerySet[CourseOutcome]) -> Iterator[list]:
    """The rows, streamed in chunks (the export never holds the whole clinic in memory).

    ``induction_end_days`` is the end of induction as days after the first dose (blank while
    it runs): a duration, not a calendar date. ``state`` says which denominator the course
    belongs to: every rate of patients counts ``closed`` and ``lost`` rows only.
    """
    values = outcomes.order_by("first_dose_at", "course_id").values_list(
        "site__slug",
        "route",
        "protocol_id",
        "indication",
        "age_band",
        "sex",
        "first_dose_on",
        "state",
        "first_dose_at",
        "induction_end_at",
        "primary_instrument",
        *_FIELDS,
    )
    for number, row in enumerate(values.iterator(chunk_size=2000), start=1):
        site, route, protocol, condition, band, sex, first_day, state, first, end, *rest = row
        ended = stored_days((end - first) / dt.timedelta(days=1)) if end else None
        yield [
            number,
            site,
            route,
            protocol,
            condition,
            band,
            sex,
            first_day.year,
            state,
            _cell(ended),
            *(_cell(value) for value in rest),
        ]


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return repr(value)
    return value
