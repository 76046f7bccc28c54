"""IOP over the API: groups at the user's sites, one group with its roster (and hours this
week for those who see attendance), and recording a session's attendance (facilitators).

Site scoping as on the pages (another site's group is a 404); bad lines are a 422 naming
``records.<index>.<field>``; reads of the roster and every attendance line are audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from ketaclinic.apps.api.edge import FieldErrors, Page, Paging, page_of, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.iop.choices import GroupStatus
from ketaclinic.apps.iop.leading import (
    SEE_ATTENDANCE,
    VIEW,
    group_for,
    groups_for,
    may_take_attendance,
    session_for,
)
from ketaclinic.apps.iop.models import IopGroup
from ketaclinic.apps.iop.program import (
    check_attendance,
    current_courses,
    save_attendance,
    weekly_hours_for,
)
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.intensive_outpatient import week_start

router = Router(tags=["Intensive outpatient programs"])


class GroupOut(Schema):
    id: int
    site_id: int
    name: str
    focus: str
    population: str
    status: str
    meeting_weekdays: list[int]
    session_starts_at: dt.time
    session_minutes: int
    capacity: int
    enrolled: int
    starts_on: dt.date
    ends_on: dt.date | None
    facilitators: list[str]


class RosterCourseOut(Schema):
    id: int
    protocol_id: str
    route: str
    status: str


class RosterLine(Schema):
    enrolment_id: int
    patient_id: int
    mrn: str
    given_name: str
    family_name: str
    starts_on: dt.date
    planned_hours_per_week: Decimal
    course: RosterCourseOut | None
    hours_this_week: Decimal | None


class GroupSessionOut(Schema):
    id: int
    held_on: dt.date
    starts_at: dt.time
    duration_minutes: int
    topic: str
    status: str


class GroupDetail(GroupOut):
    roster: list[RosterLine]
    upcoming_sessions: list[GroupSessionOut]


class AttendanceRecordIn(Schema):
    model_config = {"extra": "forbid"}
    enrolment_id: int
    status: str
    late_minutes: int = 0
    left_early_minutes: int = 0


class AttendanceIn(Schema):
    """The sheet for one session: a line per patient (a subset of the roster is allowed)."""

    model_config = {"extra": "forbid"}
    records: list[AttendanceRecordIn]


class AttendanceOut(Schema):
    session_id: int
    recorded: int
    alerts_raised: int
    hours_this_week: dict[int, Decimal]


def _group_out(group: IopGroup, enrolled: int) -> dict:
    return {
        **{name: getattr(group, name) for name in GroupOut.model_fields if hasattr(group, name)},
        "enrolled": enrolled,
        "facilitators": [f.username for f in group.facilitators.all()],
    }


@router.get("/groups", response=responses(Page[GroupOut]), summary="IOP groups at your sites")
@requires(VIEW)
def list_groups(request: HttpRequest, paging: Query[Paging], status: str = "") -> dict:
    groups = (
        groups_for(request.user)
        .prefetch_related("facilitators")
        .annotate(open_count=Count("enrolments", filter=Q(enrolments__ended_on__isnull=True)))
        .order_by("name", "id")
    )
    if status:
        if status not in GroupStatus.values:
            raise InputError("status", f"expected one of {', '.join(GroupStatus.values)}")
        groups = groups.filter(status=status)
    return page_of(groups, paging, lambda g: _group_out(g, g.open_count))


@router.get(
    "/groups/{group_id}", response=responses(GroupDetail), summary="One group with its roster"
)
@requires(VIEW)
def get_group(request: HttpRequest, group_id: int) -> dict:
    group = group_for(request.user, group_id)
    today = clock.today(group.site.timezone)
    roster = list(group.enrolments.filter(ended_on__isnull=True).select_related("patient"))
    courses = current_courses([e.patient_id for e in roster])
    see_hours = request.user.has_perm(SEE_ATTENDANCE)
    weeks = weekly_hours_for(roster, as_of=today, weeks=1) if see_hours else {}
    lines = []
    for e in roster:
        course = courses.get(e.patient_id)
        this_week = weeks.get(e.pk, [])
        lines.append(
            {
                "enrolment_id": e.pk,
                "patient_id": e.patient_id,
                "mrn": e.patient.mrn,
                "given_name": e.patient.given_name,
                "family_name": e.patient.family_name,
                "starts_on": e.starts_on,
                "planned_hours_per_week": e.planned_hours_per_week,
                "course": course,
                "hours_this_week": this_week[-1].attended_hours if this_week else None,
            }
        )
    upcoming = list(group.sessions.filter(held_on__gte=today).order_by("held_on", "starts_at")[:8])
    record_event(
        request,
        Action.VIEW,
        object_type="iop_group",
        object_id=group.pk,
        site=group.site_id,
        detail={"patients": [e.patient_id for e in roster], "via": "api"},
    )
    return {**_group_out(group, len(roster)), "roster": lines, "upcoming_sessions": upcoming}


@router.post(
    "/sessions/{session_id}/attendance",
    response=responses(AttendanceOut),
    summary="Record attendance at one session (the group's facilitators)",
)
@requires("iop.take_attendance")
def record_attendance(request: HttpRequest, session_id: int, payload: AttendanceIn) -> dict:
    session = session_for(request.user, session_id)
    group = session.group
    if not may_take_attendance(request.user, group, session):
        raise HttpError(403, "Only the group's facilitators take its attendance.")
    today = clock.today(group.site.timezone)
    if session.held_on > today:
        raise FieldErrors(
            {"session_id": [{"message": "the session has not happened yet", "code": "future"}]}
        )
    rows = [r.model_dump() for r in payload.records]
    checked, problems = check_attendance(session, rows)
    if problems:
        errors: dict[str, list] = {}
        for p in problems:
            key = f"records.{p['index']}.{p['field']}"
            errors.setdefault(key, []).append({"message": p["message"], "code": p["code"]})
        raise FieldErrors(errors)
    alerts = save_attendance(session, checked, by=request.user, request=request)
    enrolments = [row.enrolment for row in checked]
    weeks_back = max(1, (week_start(today) - week_start(session.held_on)).days // 7 + 1)
    hours = weekly_hours_for(enrolments, as_of=today, weeks=weeks_back)
    monday = week_start(session.held_on)
    this_week = {
        pk: next((w.attended_hours for w in weeks if w.starts_on == monday), Decimal("0.0"))
        for pk, weeks in hours.items()
    }
    return {
        "session_id": session.pk,
        "recorded": len(checked),
        "alerts_raised": len(alerts),
        "hours_this_week": this_week,
    }
