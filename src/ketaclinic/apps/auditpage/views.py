"""The medical director's audit page and its CSV export (itself audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from ketaclinic.apps.accounts.scoping import require_permission, restrict, staff_at
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.auditpage.forms import AuditFilterForm
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.csv_export import csv_lines
from ketaclinic.apps.web.pagination import keyset_page_for, query_without_page
from ketaclinic.apps.web.rendering import render_page_or_fragment

CSV_COLUMNS = [
    "position",
    "occurred_at",
    "actor_username",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "patient_mrn",
    "site",
    "client_address",
    "request_id",
    "path",
    "mac",
]


def filtered_events(request: HttpRequest, form: AuditFilterForm) -> QuerySet[AuditEvent]:
    """Events at the viewer's sites, plus site-less events (logins) of staff at those sites."""
    at_sites = restrict(AuditEvent, request.user, "audit.view_auditevent")
    colleagues = staff_at(request.user, "audit.view_auditevent")
    events = at_sites | AuditEvent.objects.filter(
        Q(site__isnull=True, actor__in=colleagues) | Q(site__isnull=True, actor__isnull=True)
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["mrn"]:
            events = events.filter(patient__mrn=data["mrn"])
        if data["user"]:
            events = events.filter(actor_username__iexact=data["user"])
        if data["action"]:
            events = events.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz)
            events = events.filter(occurred_at__gte=start)
        if data["date_to"]:
            end = dt.datetime.combine(
                data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
            events = events.filter(occurred_at__lt=end)
    return events.select_related("patient", "site").order_by("-id")


@require_permission("audit.view_auditevent")
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    # The trail only grows: paged by event id (newest first), never by OFFSET.
    page = keyset_page_for(filtered_events(request, form), ("-id",), request.GET, page_size=50)
    record_listing(
        request,
        "audit_event",
        [event.patient_id for event in page.items],
        page=page.audit_page,
        search_text=form.cleaned_data["mrn"] or None if form.is_valid() else None,
        filters={
            "used": sorted(name for name in form.changed_data if name != "mrn"),
            "events": [event.pk for event in page.items],
        },
    )
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request.GET),
        "can_export": request.user.has_perm("audit.export_auditevent"),
    }
    return render_page_or_fragment(
        request, "audit/audit_list.html", "audit/_audit_rows.html", context
    )


@require_permission("audit.view_auditevent", "audit.export_auditevent")
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = filtered_events(request, form)
    record_event(
        request,
        Action.EXPORT,
        object_type="audit_trail",
        detail={k: str(v) for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v},
    )

    def rows() -> Iterator[list[Any]]:
        for event in events.iterator(chunk_size=2000):
            yield (
                [
                    event.position or "",
                    event.occurred_at.isoformat(),
                    event.actor_username,
                    event.action,
                    event.outcome,
                    event.object_type,
                    event.object_id,
                    event.patient.mrn if event.patient else "",
                    event.site.name if event.site else "",
                    event.client_address or "",
                    event.request_id,
                    event.path,
                    event.mac or "",
                ]
            )

    response = StreamingHttpResponse(
        csv_lines(CSV_COLUMNS, rows()), content_type="text/csv; charset=utf-8"
    )
    stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="ketaclinic-audit-{stamp}.csv"'
    return response
