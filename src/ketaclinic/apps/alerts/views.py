"""The alerts page: open alerts first, each closed only with a clinician's note."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.apps.accounts.scoping import require_permission
from ketaclinic.apps.alerts.forms import AcknowledgeForm, AlertFilterForm
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.raising import (
    AlertAlreadyAcknowledged,
    acknowledge_alert,
    alerts_for,
    most_urgent_first,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web.pagination import page_number, paginate, query_without_page
from ketaclinic.apps.web.rendering import render_page_or_fragment


@require_permission("alerts.view_alert")
def alert_list(request: HttpRequest) -> HttpResponse:
    form = AlertFilterForm(request.GET or None)
    state = form.cleaned_data.get("state") if form.is_valid() else "open"
    alerts = alerts_for(request.user).select_related(
        "patient", "site", "assigned_to", "acknowledged_by"
    )
    if state in ("", None, "open"):
        alerts = most_urgent_first(alerts.filter(acknowledged_at__isnull=True))
    elif state == "acknowledged":
        alerts = alerts.filter(acknowledged_at__isnull=False)
    page = paginate(alerts, page_number(request.GET))
    record_listing(
        request,
        "alert",
        [alert.patient_id for alert in page.items],
        page=page.number,
        filters={"state": state or "open"},
    )
    context = {
        "form": form,
        "state": state or "open",
        "page": page,
        "query": query_without_page(request.GET),
        "can_acknowledge": request.user.has_perm("alerts.acknowledge_alert"),
        "ack_form": AcknowledgeForm(),
    }
    return render_page_or_fragment(
        request, "alerts/alert_list.html", "alerts/_alert_rows.html", context
    )


@require_permission("alerts.view_alert")
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    """One alert with everything that happened to it: who was paged, how, and the answer."""
    try:
        alert = (
            alerts_for(request.user)
            .select_related("patient", "site", "assigned_to", "acknowledged_by")
            .get(pk=alert_id)
        )
    except Alert.DoesNotExist:
        raise Http404("No such alert") from None
    record_event(
        request,
        Action.VIEW,
        object_type="alert",
        object_id=alert.pk,
        patient=alert.patient,
        site=alert.site_id,
    )
    context = {
        "alert": alert,
        "pages": list(alert.pages.select_related("recipient")),
        "can_acknowledge": request.user.has_perm("alerts.acknowledge_alert"),
        "detail": True,
    }
    return render(request, "alerts/alert_detail.html", context)


@require_permission("alerts.view_alert", "alerts.acknowledge_alert")
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert = alerts_for(request.user).select_related("patient", "site").get(pk=alert_id)
    except Alert.DoesNotExist:
        raise Http404("No such alert") from None
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "alerts/alert_acknowledge.html",
            {"alert": alert, "ack_form": form},
            status=422,
        )
    try:
        acknowledge_alert(alert, user=request.user, note=form.cleaned_data["note"], request=request)
    except AlertAlreadyAcknowledged:
        messages.warning(request, "Someone acknowledged this alert a moment ago.")
    else:
        messages.success(request, f"Alert acknowledged: {alert.title}")
    return redirect(request.POST.get("next") or "alerts:list")
