"""``/api/v1/outcomes``: cohort figures with the dashboard's filters, and a patient's outcomes.

Filters are validated by the dashboard's own form (same choices, same messages); unknown
query parameters are refused (422) rather than silently ignored, since a misspelt filter
would otherwise return the whole clinic's figures as if filtered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from ketaclinic.apps.accounts.scoping import get_for_user_or_404
from ketaclinic.apps.api.edge import FieldErrors, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.outcomes.forms import CohortFilterForm
from ketaclinic.apps.outcomes.patient import patient_outcomes
from ketaclinic.apps.outcomes.reporting import cohort_report, summary_json
from ketaclinic.apps.patients.models import Patient

router = Router(tags=["outcomes"])


class ProportionOut(Schema):
    """``events`` of ``total`` with its Wilson interval (``estimate`` null when total is 0)."""

    events: int
    total: int
    estimate: float | None
    lower: float
    upper: float


class TwoDenominatorsOut(Schema):
    intent_to_treat: ProportionOut
    completers: ProportionOut


class DurabilityStepOut(Schema):
    days: float
    at_risk: int
    relapses: int
    censored: int
    relapse_free: float
    lower: float
    upper: float


class CoverageOut(Schema):
    measured: int
    eligible: int
    unit: str
    needs: str
    fraction: float | None
    sufficient: bool
    minimum: float
    source: str


class ClaimOut(Schema):
    claim: str
    key: str
    verdict: str
    message: str
    estimate: float | None
    lower: float | None
    upper: float | None
    coverage: CoverageOut | None


class TrajectoryPointOut(Schema):
    week: int
    median: float
    courses: int


class NonAddictiveOut(Schema):
    """Misuse signals in the home program: rates of courses, shown and never judged
    (``verdict`` is always ``not_judged``: no published threshold exists)."""

    claim: str
    verdict: str
    message: str
    courses: int
    unit: str
    any_signal: ProportionOut
    by_signal: dict[str, ProportionOut]
    source: str


class CohortOut(Schema):
    """The dashboard's figures for the filters given (``filters`` echoes them)."""

    filters: dict[str, Any]
    started: int
    intent_to_treat: int
    in_progress: int
    in_progress_responding: ProportionOut
    lost: int
    response_measured: int
    rapid_measured: int
    rapid_among_measured: ProportionOut
    relapse_eligible: int
    ideation_at_baseline: int
    ideation_followed: int
    ideation_on_phq9: int
    ideation_on_cssrs: int
    ideation_reduced: ProportionOut
    completed: int
    completers_with_followup: int
    lost_to_follow_up: ProportionOut
    completion: ProportionOut
    response: TwoDenominatorsOut
    remission: TwoDenominatorsOut
    rapid_response: TwoDenominatorsOut
    worsening: TwoDenominatorsOut
    relapse_at_risk: int
    relapsed: int
    durability: list[DurabilityStepOut]
    median_relapse_free_days: float | None
    sessions: int
    holds: ProportionOut
    adverse_events: ProportionOut
    adverse_events_by_kind: dict[str, ProportionOut]
    non_addictive: NonAddictiveOut
    claims: list[ClaimOut]
    trajectories: dict[str, list[TrajectoryPointOut]]


class RelapseOut(Schema):
    at_risk: bool
    relapsed: bool
    days: float | None


class WeekOut(Schema):
    week: int
    total: int


class CourseOutcomeOut(Schema):
    course_id: int
    protocol: str
    route: str
    first_dose_at: dt.datetime
    induction_end_at: dt.datetime | None
    as_of: dt.datetime
    primary_instrument: str
    baseline_total: int | None
    end_total: int | None
    latest_total: int | None
    completed: bool
    sessions_given: int
    sessions_required: int
    relapse: RelapseOut
    ideation_change: str
    outcomes: dict[str, Any] = Field(description="Each outcome's definition and result.")
    weeks: list[WeekOut]


class PatientOutcomesOut(Schema):
    patient_id: int
    courses: list[CourseOutcomeOut]


@router.get(
    "/cohort",
    response=responses(CohortOut),
    summary="Cohort outcomes: ITT beside completers, intervals, claims",
)
@requires("outcomes.view_cohort")
def cohort(request: HttpRequest) -> dict:
    form = CohortFilterForm(request.GET or None, user=request.user)
    unknown = sorted(set(request.GET) - set(form.fields))
    if unknown:
        raise FieldErrors(
            {name: [{"message": "is not a filter", "code": "unknown"}] for name in unknown}
        )
    if form.is_bound and not form.is_valid():
        raise FieldErrors(form.errors.get_json_data())
    report = cohort_report(form.filters(), with_charts=False)
    record_event(
        request,
        Action.VIEW,
        object_type="outcomes_cohort",
        detail={"filters": report.filters.as_dict(), "api": True},
    )
    return summary_json(report)


@router.get(
    "/patients/{patient_id}",
    response=responses(PatientOutcomesOut),
    summary="A patient's outcomes, course by course",
)
@requires("outcomes.view_courseoutcome")
def patient(request: HttpRequest, patient_id: int) -> dict:
    try:
        person = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    except Http404:
        raise HttpError(404, "No such patient") from None
    courses = patient_outcomes(person)
    record_event(
        request,
        Action.VIEW,
        object_type="course_outcome",
        object_id=person.pk,
        patient=person,
        detail={"courses": [c.row.course_id for c in courses], "api": True},
    )
    return {
        "patient_id": person.pk,
        "courses": [
            {
                "course_id": c.row.course_id,
                "protocol": c.row.protocol_id,
                "route": c.row.route,
                "first_dose_at": c.row.first_dose_at,
                "induction_end_at": c.row.induction_end_at,
                "as_of": c.row.as_of,
                "primary_instrument": c.row.primary_instrument,
                "baseline_total": c.row.baseline_total,
                "end_total": c.row.end_total,
                "latest_total": c.row.latest_total,
                "completed": c.row.completed,
                "sessions_given": c.row.sessions_given,
                "sessions_required": c.row.sessions_required,
                "relapse": {
                    "at_risk": c.row.relapse_at_risk,
                    "relapsed": c.row.relapsed,
                    "days": c.row.relapse_days,
                },
                "ideation_change": c.row.ideation_change,
                "outcomes": c.definitions,
                "weeks": [{"week": w, "total": t} for w, t in c.weeks],
            }
            for c in courses
        ],
    }
