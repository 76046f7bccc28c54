"""Home, health check and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required, login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ketaclinic.apps.accounts.scoping import restrict, sites_for
from ketaclinic.apps.alerts.raising import alerts_for, most_urgent_first
from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
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
        "web/home.html",
        {
            "sites": sites,
            "recent_patients": recent,
            "can_see_patients": can_see_patients,
            "open_alerts": open_alerts,
            "can_acknowledge": request.user.has_perm("alerts.acknowledge_alert"),
        },
    )


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        record_event(request, Action.ACCESS_DENIED, object_type="page", outcome=Outcome.DENIED)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may be the database the context processors query.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
