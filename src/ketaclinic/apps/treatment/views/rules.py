"""A site's screening thresholds: the medical director's overrides of the sourced defaults."""

from __future__ import annotations

import json

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.authenticated import AuthenticatedRequest
from ketaclinic.apps.accounts.scoping import require_permission, restrict, sites_for
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.forms import HolidayForm, RuleSettingsForm
from ketaclinic.apps.treatment.models import ClinicRuleSettings, Holiday, Session
from ketaclinic.apps.treatment.schedule_grid import day_bounds
from ketaclinic.apps.treatment.screenings import plain_json, screening_parameters
from ketaclinic.apps.web import clock
from ketaclinic.clinical.eligibility import DEFAULT_LEVELS, ScreeningParameters


@require_permission("treatment.change_clinicrulesettings")
@require_http_methods(["GET", "POST"])
def rule_settings(request: AuthenticatedRequest) -> HttpResponse:
    sites = list(sites_for(request.user, "treatment.change_clinicrulesettings"))
    try:
        wanted = int(request.GET.get("site", ""))
    except ValueError:
        wanted = None
    site = next((s for s in sites if s.pk == wanted), sites[0] if sites else None)
    if site is None:
        return render(request, "treatment/rule_settings.html", {"site": None})
    stored = ClinicRuleSettings.objects.filter(site=site).first()
    current = stored.screening_overrides if stored else {}
    form = RuleSettingsForm(
        request.POST or None,
        initial={"overrides": json.dumps(current, indent=2) if current else ""},
    )
    if request.method == "POST" and form.is_valid():
        overrides = form.cleaned_data["overrides"]
        with transaction.atomic():
            settings_row, _ = ClinicRuleSettings.objects.select_for_update().get_or_create(
                site=site
            )
            before = settings_row.screening_overrides
            settings_row.screening_overrides = overrides
            settings_row.updated_by = request.user
            settings_row.updated_at = clock.now()
            settings_row.save()
            record_event(
                request,
                Action.UPDATE,
                object_type="clinic_rule_settings",
                object_id=settings_row.pk,
                site=site,
                detail={"from": before, "to": overrides},
            )
        messages.success(
            request, f"Screening settings for {site.name} saved; new screenings use them."
        )
        return redirect(f"{reverse('treatment:rule-settings')}?site={site.pk}")
    effective = screening_parameters(site)
    defaults = ScreeningParameters()
    rows = [
        (name, value, getattr(defaults, name) if name != "levels" else None)
        for name, value in plain_json(effective.to_dict()).items()
        if name != "levels"
    ]
    levels = [
        (code, effective.level_for(code).value, default.value)
        for code, default in sorted(DEFAULT_LEVELS.items())
    ]
    return render(
        request,
        "treatment/rule_settings.html",
        {
            "form": form,
            "site": site,
            "sites": sites,
            "stored": stored,
            "rows": rows,
            "levels": levels,
            "holidays": list(Holiday.objects.filter(site=site, date__gte=clock.today())[:30]),
            "holiday_form": HolidayForm(),
        },
        status=422 if form.errors else 200,
    )


def _settings_url(site_id: int) -> str:
    return f"{reverse('treatment:rule-settings')}?site={site_id}"


@require_permission("treatment.add_holiday")
@require_http_methods(["POST"])
def holiday_add(request: HttpRequest) -> HttpResponse:
    """Close a site on a day; sessions already planned on it are counted, never moved."""
    site = (
        sites_for(request.user, "treatment.add_holiday")
        .filter(pk=request.GET.get("site") or 0)
        .first()
    )
    if site is None:
        raise Http404("No such site")
    form = HolidayForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the holiday a date and a name.")
        return redirect(_settings_url(site.pk))
    day, name = form.cleaned_data["date"], form.cleaned_data["name"]
    with transaction.atomic():
        holiday, created = Holiday.objects.get_or_create(
            site=site, date=day, defaults={"name": name}
        )
        if created:
            record_event(
                request,
                Action.CREATE,
                object_type="holiday",
                object_id=holiday.pk,
                site=site,
                detail={"date": day.isoformat(), "name": name},
            )
    if not created:
        messages.error(request, f"{day:%Y-%m-%d} is already a holiday ({holiday.name}).")
        return redirect(_settings_url(site.pk))
    start, end = day_bounds(day, site.timezone)
    planned = Session.objects.filter(
        site=site, planned_start__gte=start, planned_start__lt=end, status=SessionStatus.PLANNED
    ).count()
    messages.success(request, f"{site.name} is closed on {day:%a %Y-%m-%d} for new plans.")
    if planned:
        messages.warning(
            request, f"{planned} planned session(s) fall on that day: move them on the schedule."
        )
    return redirect(_settings_url(site.pk))


@require_permission("treatment.delete_holiday")
@require_http_methods(["POST"])
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    holiday = (
        restrict(Holiday, request.user, "treatment.delete_holiday").filter(pk=holiday_id).first()
    )
    if holiday is None:
        raise Http404("No such holiday")
    with transaction.atomic():
        record_event(
            request,
            Action.DELETE,
            object_type="holiday",
            object_id=holiday.pk,
            site=holiday.site_id,
            detail={"date": holiday.date.isoformat(), "name": holiday.name},
        )
        holiday.delete()
    messages.success(request, f"{holiday.date:%Y-%m-%d} is an open day again.")
    return redirect(_settings_url(holiday.site_id))
