"""The session chart page and today's session list."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketaclinic.apps.accounts.access import sites_for
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.access import sessions_for
from ketaclinic.apps.charting.context import chart_context
from ketaclinic.apps.charting.views.base import CHART, chart_session, require_any_permission
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate

LIST_PERMISSIONS = ("charting.view_session_chart", "charting.check_in_session")


def _day_bounds(day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(timezone))
    return start, start + dt.timedelta(days=1)


@require_any_permission(*LIST_PERMISSIONS)
def session_list(request: HttpRequest) -> HttpResponse:
    """Today's sessions at the user's sites (each site's own today), to check in or chart."""
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = None
    window = Q()
    for site in sites_for(request.user):
        start, end = _day_bounds(day or clock.today(site.timezone), site.timezone)
        window |= Q(site_id=site.pk, planned_start__gte=start, planned_start__lt=end)
    sessions = (
        sessions_for(request.user, *LIST_PERMISSIONS)
        .filter(window)
        .select_related("patient", "site", "course")
        .order_by("planned_start", "chair", "id")
        if window
        else sessions_for(request.user, *LIST_PERMISSIONS).none()
    )
    page = paginate(sessions, page_number(request.GET))
    record_listing(
        request,
        "session_list",
        [session.patient_id for session in page.items],
        page=page.number,
        filters={"day": str(day or "")},
    )
    return render(
        request,
        "charting/session_list.html",
        {
            "page": page,
            "day": day,
            "can_view_chart": request.user.has_perm("charting.view_session_chart"),
            "can_check_in": request.user.has_perm("charting.check_in_session"),
        },
    )


@require_any_permission("charting.view_session_chart")
def session_chart(request: HttpRequest, session_id: int) -> HttpResponse:
    session = chart_session(request, session_id, "charting.view_session_chart")
    record_event(
        request, Action.VIEW, object_type="session", object_id=session.pk, patient=session.patient
    )
    return render(request, CHART, chart_context(request, session))
