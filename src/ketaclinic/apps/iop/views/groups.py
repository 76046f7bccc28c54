"""Group pages: the list, a group's page (roster with each patient's ketamine course,
upcoming sessions, hours per week), creating and editing a group, enrolling, discharging
and adding sessions. Another site's group is a 404; reads of the roster are audited."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.db.models import Case, Count, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import require_permission
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.iop.choices import GroupStatus, SessionStatus
from ketaclinic.apps.iop.forms import DischargeForm, EnrolForm, GroupForm, SessionForm
from ketaclinic.apps.iop.leading import (
    ADD,
    ROSTER,
    RUN,
    SCHEDULE,
    SEE_ATTENDANCE,
    VIEW,
    group_for,
    groups_for,
    may_take_attendance,
)
from ketaclinic.apps.iop.models import IopEnrolment, IopGroup
from ketaclinic.apps.iop.program import (
    current_courses,
    discharge,
    enrol,
    plan_sessions,
    schedule_session,
    weekly_hours_for,
)
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.intensive_outpatient import MINIMUM_WEEKLY_HOURS, week_start

UPCOMING_SHOWN = 8
WEEKS_ON_GROUP_PAGE = 4
RECENT_SHOWN = 8


@require_permission(VIEW)
def group_list(request: HttpRequest) -> HttpResponse:
    """The groups at the user's sites, running ones first, with how full each is."""
    groups = (
        groups_for(request.user)
        .select_related("site")
        .prefetch_related("facilitators")
        .annotate(enrolled=Count("enrolments", filter=Q(enrolments__ended_on__isnull=True)))
        .annotate(
            running_first=Case(
                When(status=GroupStatus.ACTIVE, then=Value(0)),
                When(status=GroupStatus.PLANNED, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("running_first", "name", "id")
    )
    page = paginate(groups, page_number(request.GET))
    context = {"page": page, "can_add": request.user.has_perm(ADD)}
    return render(request, "iop/group_list.html", context)


@require_permission(VIEW)
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = group_for(request.user, group_id)
    today = clock.today(group.site.timezone)
    enrolments = list(
        group.enrolments.select_related("patient").order_by(
            "ended_on", "patient__family_name", "patient__given_name"
        )
    )
    current = [e for e in enrolments if e.ended_on is None]
    past = [e for e in enrolments if e.ended_on is not None][:20]
    courses = current_courses([e.patient_id for e in current])
    can_see_attendance = request.user.has_perm(SEE_ATTENDANCE)
    weeks = (
        weekly_hours_for(current, as_of=today, weeks=WEEKS_ON_GROUP_PAGE)
        if can_see_attendance
        else {}
    )
    this_monday = week_start(today)
    week_starts = [
        this_monday - dt.timedelta(weeks=n) for n in range(WEEKS_ON_GROUP_PAGE - 1, -1, -1)
    ]
    sessions = group.sessions.select_related("facilitator")
    upcoming = list(
        sessions.filter(held_on__gte=today)
        .exclude(status=SessionStatus.HELD)
        .order_by("held_on", "starts_at")[:UPCOMING_SHOWN]
    )
    recent = list(
        sessions.filter(held_on__lte=today).order_by("-held_on", "-starts_at")[:RECENT_SHOWN]
    )
    roster = []
    for e in current:
        by_week = {w.starts_on: w for w in weeks.get(e.pk, [])}
        roster.append(
            {
                "enrolment": e,
                "course": courses.get(e.patient_id),
                "weeks": [by_week.get(monday) for monday in week_starts],
            }
        )
    record_event(
        request,
        Action.VIEW,
        object_type="iop_group",
        object_id=group.pk,
        site=group.site_id,
        detail={"patients": [e.patient_id for e in enrolments]},
    )
    context = {
        "group": group,
        "facilitators": list(group.facilitators.all()),
        "roster": roster,
        "past": past,
        "week_starts": week_starts,
        "upcoming": upcoming,
        "recent": recent,
        "minimum": MINIMUM_WEEKLY_HOURS[group.population],
        "can_see_attendance": can_see_attendance,
        "can_take_attendance": may_take_attendance(request.user, group),
        "can_roster": request.user.has_perm(ROSTER),
        "can_schedule": request.user.has_perm(SCHEDULE),
        "can_edit": request.user.has_perm(RUN),
        "open_places": group.capacity - len(current),
    }
    return render(request, "iop/group_detail.html", context)


@require_permission(VIEW, ADD)
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    return _group_form(request, None)


@require_permission(VIEW, RUN)
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    return _group_form(request, group_for(request.user, group_id))


def _group_form(request: HttpRequest, group: IopGroup | None) -> HttpResponse:
    form = GroupForm(request.POST or None, instance=group, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if group is None:
                saved.created_at = clock.now()
            saved.save()
            form.save_m2m()
            record_event(
                request,
                Action.CREATE if group is None else Action.UPDATE,
                object_type="iop_group",
                object_id=saved.pk,
                site=saved.site_id,
                detail={"name": saved.name, "status": saved.status},
            )
        messages.success(request, f"Group “{saved.name}” saved.")
        return redirect("iop:group", group_id=saved.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "group": group}
    return render(request, "iop/group_form.html", context, status=status)


@require_permission(VIEW, ROSTER)
@require_http_methods(["GET", "POST"])
def enrol_patient(request: HttpRequest, group_id: int) -> HttpResponse:
    group = group_for(request.user, group_id)
    today = clock.today(group.site.timezone)
    form = EnrolForm(
        request.POST or None, group=group, initial={"starts_on": max(today, group.starts_on)}
    )
    if request.method == "POST" and form.is_valid():
        patient = form.cleaned_data["mrn"]
        try:
            enrol(
                group=group,
                patient=patient,
                starts_on=form.cleaned_data["starts_on"],
                planned_hours_per_week=form.cleaned_data["planned_hours_per_week"],
                by=request.user,
                request=request,
            )
        except InputError as error:
            field = {"patient": "mrn", "group": None}.get(error.field, error.field)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, f"{patient.full_name} is on the roster.")
            return redirect("iop:group", group_id=group.pk)
    status = 422 if form.errors else 200
    return render(request, "iop/enrol.html", {"group": group, "form": form}, status=status)


@require_permission(VIEW, ROSTER)
@require_http_methods(["GET", "POST"])
def discharge_patient(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    try:
        enrolment = IopEnrolment.objects.select_related("patient", "group__site").get(
            pk=enrolment_id, group__in=groups_for(request.user)
        )
    except IopEnrolment.DoesNotExist:
        raise Http404("No such enrolment") from None
    group = enrolment.group
    form = DischargeForm(
        request.POST or None, initial={"ended_on": clock.today(group.site.timezone)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            discharge(
                enrolment=enrolment,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except InputError as error:
            form.add_error("ended_on", error.message)
        else:
            messages.success(request, f"{enrolment.patient.full_name} has left the group.")
            return redirect("iop:group", group_id=group.pk)
    status = 422 if form.errors else 200
    context = {"group": group, "enrolment": enrolment, "form": form}
    return render(request, "iop/discharge.html", context, status=status)


@require_permission(VIEW, SCHEDULE)
@require_http_methods(["GET", "POST"])
def add_session(request: HttpRequest, group_id: int) -> HttpResponse:
    group = group_for(request.user, group_id)
    today = clock.today(group.site.timezone)
    next_day = _next_meeting_day(group, today)
    form = SessionForm(
        request.POST or None,
        group=group,
        initial={
            "held_on": next_day,
            "starts_at": group.session_starts_at,
            "duration_minutes": group.session_minutes,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            schedule_session(
                group=group,
                held_on=data["held_on"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                topic=data["topic"],
                facilitator=data["facilitator"],
                request=request,
            )
        except InputError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Session on {data['held_on']:%a %d %b} added.")
            return redirect("iop:group", group_id=group.pk)
    status = 422 if form.errors else 200
    return render(request, "iop/session_form.html", {"group": group, "form": form}, status=status)


def _next_meeting_day(group: IopGroup, today: dt.date) -> dt.date:
    start = max(today, group.starts_on)
    for offset in range(7):
        day = start + dt.timedelta(days=offset)
        if day.weekday() in (group.meeting_weekdays or []):
            return day
    return start


@require_permission(VIEW, SCHEDULE)
@require_http_methods(["POST"])
def plan_group_sessions(request: HttpRequest, group_id: int) -> HttpResponse:
    """Plan the group's regular sessions for the coming weeks from its schedule."""
    group = group_for(request.user, group_id)
    try:
        weeks = int(request.POST.get("weeks", "2"))
        created = plan_sessions(
            group=group,
            first_day=clock.today(group.site.timezone),
            weeks=weeks,
            request=request,
        )
    except ValueError as error:
        message = getattr(error, "message", "weeks: give a whole number of weeks")
        messages.error(request, f"Nothing planned: {message}.")
    else:
        messages.success(request, f"{len(created)} session(s) planned from the schedule.")
    return redirect("iop:group", group_id=group.pk)
