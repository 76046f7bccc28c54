"""Screenings, courses and the schedule over the REST API: same rules, access and audit.

``POST /screenings`` takes the CLI's JSON input (``docs/cli-inputs.md``) plus ``patient_id``;
``age`` may be left out (it is computed from the date of birth) and must match it if given.
A bad value is a 422 naming the field exactly as the core's ``InputError`` does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Body, Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, restrict, sites_for
from ketaclinic.apps.api.edge import Page, Paging, page_body, page_of, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.treatment.choices import Indication
from ketaclinic.apps.treatment.conflicts import PlanConflicts, Slot
from ketaclinic.apps.treatment.models import Course, Screening, Session
from ketaclinic.apps.treatment.planning import PlanChoice, plan_course
from ketaclinic.apps.treatment.schedule_grid import day_bounds
from ketaclinic.apps.treatment.screenings import run_screening
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import paginate
from ketaclinic.apps.web.record_ids import RecordId
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem

router = Router(tags=["treatment"])


class FindingOut(Schema):
    code: str
    level: str
    message: str
    source: str


class ScreeningOut(Schema):
    id: int
    patient_id: int
    route: str
    setting: str
    decision: str
    findings: list[FindingOut]
    rules_version: str
    inputs: dict[str, Any]
    parameters: dict[str, Any]
    screened_at: dt.datetime
    signed_at: dt.datetime | None
    signoff_decision: str
    signoff_reasons: dict[str, str]


class SessionOut(Schema):
    id: int
    course_id: int
    patient_id: int
    site_id: int
    number: int
    kind: str
    phase: str
    planned_start: dt.datetime
    planned_minutes: int
    chair: int | None
    planned_dose_text: str
    status: str


class CourseOut(Schema):
    id: int
    patient_id: int
    site_id: int
    screening_id: int | None
    protocol_id: str
    variant: str
    route: str
    phase: str
    status: str
    indication: str
    target_dose_mg_per_kg: Decimal | None
    target_dose_mg: Decimal | None
    starts_on: dt.date
    ended_on: dt.date | None


class MoveIn(Schema):
    """Accept a suggestion (or choose): put session ``session`` on ``date`` at ``time``."""

    model_config = {"extra": "forbid"}

    session: int = Field(ge=1)
    date: dt.date
    time: dt.time
    chair: int | None = Field(default=None, ge=1)


class CourseIn(Schema):
    """A plan from a signed ``proceed`` screening. Unknown fields are refused.

    Conflicting sessions are answered with a 422 listing each with the nearest free time;
    send those back in ``moves`` to accept them. ``same_day_reason`` (10+ characters) keeps
    a second dosing session on a day the patient is already dosed; it is recorded and audited.
    """

    model_config = {"extra": "forbid"}

    screening_id: int
    indication: Indication
    protocol_id: str = Field(min_length=1, max_length=60)
    variant: str | None = None
    starts_on: dt.date
    start_time: dt.time = dt.time(9, 0)
    target_dose_mg_per_kg: Decimal | None = None
    target_dose_mg: Decimal | None = None
    chair: int | None = None
    moves: list[MoveIn] = []
    same_day_reason: str = Field(default="", max_length=500)


class PlannedCourseOut(Schema):
    course: CourseOut
    sessions: list[SessionOut]
    notes: list[str]


class ScheduleOut(Schema):
    site_id: int
    date: dt.date
    chairs: int
    sessions: list[SessionOut]


SCREENINGS = Screening.objects.select_related("patient", "screened_by", "signed_by")
COURSES = Course.objects.select_related("patient", "prescriber", "screening")


@router.post(
    "/screenings", response=responses({201: ScreeningOut}), summary="Run and store a screening"
)
@requires("treatment.add_screening")
def create_screening(
    request: HttpRequest,
    payload: dict[str, Any] = Body(...),  # noqa: B008
) -> Status[Screening]:
    inputs = dict(payload)
    patient_id = inputs.pop("patient_id", None)
    if patient_id is None:
        raise MissingItem("patient_id", "is required")
    if isinstance(patient_id, bool) or not isinstance(patient_id, int):
        raise InvalidValue("patient_id", "must be a whole number")
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    age = patient.age_on(clock.today(patient.site.timezone))
    given = inputs.setdefault("age", age)
    if isinstance(given, int) and not isinstance(given, bool) and given != age:
        raise InvalidValue("age", f"is {age} from the patient's date of birth, not {given}")
    screening = run_screening(patient, inputs, user=request.user, request=request)
    return Status(201, screening)


@router.get(
    "/screenings",
    response=responses(Page[ScreeningOut]),
    summary="A patient's screenings, newest first",
)
@requires("treatment.view_screening")
def list_screenings(request: HttpRequest, patient_id: int, paging: Query[Paging]) -> dict:
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    body = page_of(
        Screening.objects.filter(patient=patient).order_by("-screened_at", "-id"), paging
    )
    record_event(
        request,
        Action.VIEW,
        object_type="screening",
        patient=patient,
        detail={"list": [s.pk for s in body["items"]], "page": body["page"]},
    )
    return body


@router.get("/screenings/{screening_id}", response=responses(ScreeningOut), summary="One screening")
@requires("treatment.view_screening")
def get_screening(request: HttpRequest, screening_id: int) -> Screening:
    screening = get_for_user_or_404(
        SCREENINGS, request.user, "treatment.view_screening", pk=screening_id
    )
    record_event(
        request,
        Action.VIEW,
        object_type="screening",
        object_id=screening.pk,
        patient=screening.patient,
    )
    return screening


@router.get("/courses", response=responses(Page[CourseOut]), summary="Courses at your sites")
@requires("treatment.view_course")
def list_courses(
    request: HttpRequest, paging: Query[Paging], patient_id: RecordId | None = None
) -> dict[str, Any]:
    courses = restrict(Course, request.user, "treatment.view_course")
    if patient_id is not None:
        patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
        courses = courses.filter(patient=patient)
        record_event(request, Action.VIEW, object_type="course", patient=patient)
    result = paginate(courses.order_by("-starts_on", "-id"), paging.page, paging.page_size)
    if patient_id is None:
        record_listing(
            request, "course", [course.patient_id for course in result.items], page=result.number
        )
    return page_body(result)


class ConflictErrorOut(Schema):
    field: str
    message: str
    code: str


class SuggestionOut(Schema):
    date: dt.date
    time: str
    chair: int | None


class ConflictOut(Schema):
    session: int
    when: str
    conflicts: list[str]
    messages: list[str]
    suggestion: SuggestionOut | None


class PlanConflictsOut(Schema):
    """A 422: the fields in error; ``conflicts`` only when the schedule clashes."""

    errors: list[ConflictErrorOut]
    conflicts: list[ConflictOut] = []


@router.post(
    "/courses",
    response=responses({201: PlannedCourseOut, 422: PlanConflictsOut}),
    summary="Plan a course",
)
@requires("treatment.add_course")
def create_course(request: HttpRequest, payload: CourseIn) -> Status[dict[str, Any]]:
    screening = get_for_user_or_404(
        SCREENINGS, request.user, "treatment.add_course", pk=payload.screening_id
    )
    choice = PlanChoice(
        protocol_id=payload.protocol_id,
        variant=payload.variant,
        starts_on=payload.starts_on,
        start_time=payload.start_time,
        target_dose_mg_per_kg=payload.target_dose_mg_per_kg,
        target_dose_mg=payload.target_dose_mg,
        chair=payload.chair,
        indication=payload.indication.value,
        moves={m.session: Slot(m.date, m.time, m.chair) for m in payload.moves},
        same_day_reason=payload.same_day_reason,
    )
    try:
        outcome = plan_course(screening, choice, user=request.user, request=request)
    except PlanConflicts as refused:
        errors = [
            {
                "field": f"sessions[{c.number}]",
                "message": "; ".join(c.messages),
                "code": c.kinds[0],
            }
            for c in refused.conflicts
        ]
        conflicts = [c.as_json() for c in refused.conflicts]
        return Status(422, {"errors": errors, "conflicts": conflicts})
    return Status(
        201,
        {
            "course": outcome.course,
            "sessions": list(outcome.course.sessions.all()),
            "notes": list(outcome.notes),
        },
    )


@router.get(
    "/courses/{course_id}/sessions",
    response=responses(Page[SessionOut]),
    summary="A course's sessions, by planned time",
)
@requires("treatment.view_session")
def course_sessions(request: HttpRequest, course_id: int, paging: Query[Paging]) -> dict:
    course = get_for_user_or_404(COURSES, request.user, "treatment.view_session", pk=course_id)
    record_event(
        request, Action.VIEW, object_type="course", object_id=course.pk, patient=course.patient
    )
    return page_of(course.sessions.order_by("planned_start", "id"), paging)


@router.get("/schedule", response=responses(ScheduleOut), summary="A site's sessions on a day")
@requires("treatment.view_session")
def day_schedule(request: HttpRequest, site: int, date: dt.date | None = None) -> dict[str, Any]:
    chosen = sites_for(request.user, "treatment.view_session").filter(pk=site).first()
    if chosen is None:
        raise HttpError(404, "No such site")
    day = date or clock.today(chosen.timezone)
    start, end = day_bounds(day, chosen.timezone)
    sessions = list(
        Session.objects.filter(site=chosen, planned_start__gte=start, planned_start__lt=end)
    )
    record_listing(
        request,
        "schedule",
        [session.patient_id for session in sessions],
        site=chosen,
        filters={"date": str(day)},
    )
    return {"site_id": chosen.pk, "date": day, "chairs": chosen.chairs, "sessions": sessions}
