"""The schedule of a site for one day: chairs by time, and the day's list."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.accounts.scoping import require_permission, sites_for
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.treatment.forms import ScheduleForm
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.treatment.schedule_grid import build_grid, day_bounds
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.rendering import render_page_or_fragment


def sessions_on(site: Site, day: dt.date) -> QuerySet[Session]:
    start, end = day_bounds(day, site.timezone)
    return (
        Session.objects.filter(site=site, planned_start__gte=start, planned_start__lt=end)
        .select_related("patient", "course")
        .order_by("planned_start", "chair", "id")
    )


@require_permission("treatment.view_session")
def schedule(request: HttpRequest) -> HttpResponse:
    sites = list(sites_for(request.user, "treatment.view_session"))
    if not sites:
        return render(request, "treatment/schedule.html", {"sites": [], "site": None})
    form = ScheduleForm(request.GET or None, sites=sites, today=clock.today())
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    site = next((s for s in sites if s.pk == data.get("site")), sites[0])
    day = data.get("date") or clock.today(site.timezone)
    sessions = list(sessions_on(site, day))
    record_listing(
        request,
        "schedule",
        [session.patient_id for session in sessions],
        site=site,
        filters={"date": day.isoformat()},
    )
    context = {
        "form": form,
        "sites": sites,
        "site": site,
        "day": day,
        "today": clock.today(site.timezone),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "grid": build_grid(sessions, site.chairs, day, site.timezone),
        "sessions": sessions,
        "tz": site.timezone,
        "can_reschedule": request.user.has_perm("treatment.reschedule_session"),
    }
    return render_page_or_fragment(
        request, "treatment/schedule.html", "treatment/_schedule_day.html", context
    )
