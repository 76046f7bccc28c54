"""``/api/v1/outcomes``: cohort figures with the dashboard's filters, and a patient's outcomes.

Filters are validated by the dashboard's own form (same choices, same messages); unknown
query parameters are refused (422) rather than silently ignored, since a misspelt filter
would otherwise return the whole clinic's figures as if filtered.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router
from ninja.errors import HttpError

from ketaclinic.apps.accounts.scoping import get_for_user_or_404
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.outcomes.forms import CohortFilterForm
from ketaclinic.apps.outcomes.patient import patient_outcomes
from ketaclinic.apps.outcomes.reporting import cohort_report, summary_json
from ketaclinic.apps.patients.api import FieldErrors
from ketaclinic.apps.patients.models import Patient

router = Router(tags=["outcomes"])


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise HttpError(403, "Your role does not allow this.")


@router.get("/cohort", summary="Cohort outcomes: ITT beside completers, intervals, claims")
def cohort(request: HttpRequest) -> dict:
    _require(request, "outcomes.view_cohort")
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


@router.get("/patients/{patient_id}", summary="A patient's outcomes, course by course")
def patient(request: HttpRequest, patient_id: int) -> dict:
    _require(request, "outcomes.view_courseoutcome")
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
                "first_dose_at": c.row.first_dose_at.isoformat(),
                "induction_end_at": (
                    c.row.induction_end_at.isoformat() if c.row.induction_end_at else None
                ),
                "as_of": c.row.as_of.isoformat(),
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
