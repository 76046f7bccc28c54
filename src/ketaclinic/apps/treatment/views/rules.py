"""A site's screening thresholds: the medical director's overrides of the sourced defaults."""

from __future__ import annotations

import json

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.access import require_permission, sites_for
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.treatment.forms import RuleSettingsForm
from ketaclinic.apps.treatment.models import ClinicRuleSettings, Holiday
from ketaclinic.apps.treatment.screenings import plain_json, screening_parameters
from ketaclinic.apps.web import clock
from ketaclinic.clinical.eligibility import DEFAULT_LEVELS, ScreeningParameters


@require_permission("treatment.change_clinicrulesettings")
@require_http_methods(["GET", "POST"])
def rule_settings(request: HttpRequest) -> HttpResponse:
    sites = list(sites_for(request.user))
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
        },
        status=422 if form.errors else 200,
    )
