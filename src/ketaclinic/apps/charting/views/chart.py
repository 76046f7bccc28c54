"""The session chart page and today's session list."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketaclinic.apps.accounts.scoping import restrict, sites_for
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.context import chart_context
from ketaclinic.apps.charting.views.base import CHART, chart_session, require_any_permission
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate

LIST_PERMISSIONS = ("charting.view_session_chart", "charting.check_in_session")


def _day_bounds(day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(timezone))
    return start, start + dt.timedelta(days=1)


@require_any_permission(*LIST_PERMISSIONS)
def session_list(request: HttpRequest) -> HttpResponse:
    """A day's sessions at the user's sites (each site's own day), to check in or chart.

    The date control picks the day (``?day=YYYY-MM-DD``; absent or unreadable: today). Only a
    session planned for its site's today can be checked in: other days are read-only.
    """
    sites = list(sites_for(request.user, *LIST_PERMISSIONS, any_of=True))
    today_by_site = {site.pk: clock.today(site.timezone) for site in sites}
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = None
    window = Q()
    for site in sites:
        start, end = _day_bounds(day or today_by_site[site.pk], site.timezone)
        window |= Q(site_id=site.pk, planned_start__gte=start, planned_start__lt=end)
    sessions = (
        restrict(Session, request.user, *LIST_PERMISSIONS, any_of=True)
        .filter(window)
        .select_related("patient", "site", "course")
        .order_by("planned_start", "chair", "id")
        if window
        else Session.objects.none()
    )
    page = paginate(sessions, page_number(request.GET))
    for session in page.items:
        local = session.planned_start.astimezone(ZoneInfo(session.site.timezone)).date()
        session.checkable_today = local == today_by_site[session.site_id]
    record_listing(
        request,
        "session_list",
        [session.patient_id for session in page.items],
        page=page.number,
        filters={"day": str(day or "")},
    )
    shown = day or (min(today_by_site.values()) if today_by_site else None)
    read_only = day is not None and any(day != today for today in today_by_site.values())
    return render(
        request,
        "charting/session_list.html",
        {
            "page": page,
            "day": day,
            "shown_day": shown,
            "previous_day": shown - dt.timedelta(days=1) if shown else None,
            "next_day": shown + dt.timedelta(days=1) if shown else None,
            "site_days": [(site, today_by_site[site.pk]) for site in sites],
            "read_only": read_only,
            "query": f"day={day:%Y-%m-%d}" if day else "",
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
