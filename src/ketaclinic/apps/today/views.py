"""Today: the first page after log-in — the user's sites, recent patients and open alerts.

It reads patients and alerts, so it sits with the feature apps, not in the shared web kit.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketaclinic.apps.accounts.scoping import restrict, sites_for
from ketaclinic.apps.alerts.raising import alerts_for, most_urgent_first
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.patients.models import Patient


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Today: the user's sites and where to start for their role."""
    sites = list(sites_for(request.user))
    can_see_patients = request.user.has_perm("patients.view_patient")
    recent = []
    if can_see_patients:
        recent = list(
            restrict(Patient, request.user, "patients.view_patient")
            .select_related("site")
            .order_by("-updated_at")[:8]
        )
    open_alerts = list(
        most_urgent_first(
            alerts_for(request.user).filter(acknowledged_at__isnull=True)
        ).select_related("patient", "site", "assigned_to")[:5]
    )
    if can_see_patients or open_alerts:
        record_listing(
            request,
            "home",
            [patient.pk for patient in recent] + [alert.patient_id for alert in open_alerts],
        )
    return render(
        request,
        "today/home.html",
        {
            "sites": sites,
            "recent_patients": recent,
            "can_see_patients": can_see_patients,
            "open_alerts": open_alerts,
            "can_acknowledge": request.user.has_perm("alerts.acknowledge_alert"),
        },
    )
