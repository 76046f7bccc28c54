"""Reports for an inspector: the filtered ledger (page, CSV, PDF) and inventory reports.

The PDF is made by a background job (``ledger/pdf_job.py``): WeasyPrint lays a 29-column
table out at roughly a tenth of a second per row (1,417 rows took 130 s, past gunicorn's
timeout), so the request only queues it and sends the person to the job's progress page.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ketaclinic.apps.accounts.scoping import (
    get_for_user_or_404,
    require_permission,
    restrict,
    sites_for,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.ledger.exporting import csv_lines, entry_rows, filtered_entries
from ketaclinic.apps.ledger.forms import ReportFilterForm
from ketaclinic.apps.ledger.lookups import VIEW_PERMISSION
from ketaclinic.apps.ledger.models import Inventory, LedgerEntry
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import keyset_page_for, query_without_page

#: Newest first; ``ledger_report_order_idx`` serves it. A ledger only grows, so the page is
#: read past the last entry shown, not by OFFSET.
REPORT_ORDER = ("-occurred_at", "-id")

FilteredReport = tuple[ReportFilterForm, QuerySet[LedgerEntry] | None, list[int]]
"""The form, the matching entries (None if the form is invalid) and their sites' ids."""


def pdf_available() -> bool:
    return importlib.util.find_spec("weasyprint") is not None


def _filtered(request: HttpRequest) -> FilteredReport:
    return filtered_for(request.user, request.GET)


def filtered_for(user: Any, params: QueryDict) -> FilteredReport:
    """The report's form, the matching entries (None and no sites if the form is invalid)
    and the ids of the sites they are from."""
    sites = sites_for(user, VIEW_PERMISSION).order_by("name")
    form = ReportFilterForm(params or None, sites=sites)
    if form.is_bound and not form.is_valid():
        return form, None, []
    data = form.cleaned_data if form.is_bound else {}
    chosen = data.get("site")
    visible = restrict(LedgerEntry, user, VIEW_PERMISSION)
    site_ids = [chosen.pk] if chosen else [site.pk for site in sites]
    tz = chosen.timezone if chosen else (sites[0].timezone if sites else "UTC")
    entries = filtered_entries(
        visible.filter(site=chosen) if chosen else visible,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        tz=tz,
        product_id=data["product"].pk if data.get("product") else None,
        lot=data.get("lot", ""),
        container=data.get("container", ""),
        kind=data.get("kind", ""),
    )
    return form, entries, site_ids


@require_permission(VIEW_PERMISSION)
def reports(request: HttpRequest) -> HttpResponse:
    form, entries, _site_ids = _filtered(request)
    page = None
    if entries is not None:  # newest first on screen, paged by key; exports keep chain order
        page = keyset_page_for(entries, REPORT_ORDER, request.GET)
    if entries is not None:
        record_event(request, Action.VIEW, object_type="ledger_report", detail=dict(request.GET))
    return render(
        request,
        "ledger/reports.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request.GET),
            "can_export": request.user.has_perm("ledger.export_ledger"),
            "pdf_available": pdf_available(),
            "inventories": restrict(Inventory, request.user, VIEW_PERMISSION)
            .select_related("site", "taken_by")
            .order_by("-taken_at")[:20],
        },
        status=200 if entries is not None else 422,
    )


@require_permission(VIEW_PERMISSION, "ledger.export_ledger")
def export_csv(request: HttpRequest) -> HttpResponse:
    form, entries, site_ids = _filtered(request)
    if entries is None:
        return HttpResponse(form.errors.as_text(), status=422, content_type="text/plain")
    record_event(
        request,
        Action.EXPORT,
        object_type="ledger_export",
        detail={"format": "csv", "filters": dict(request.GET), "sites": site_ids},
    )
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        csv_lines(entry_rows(entries)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="ketaclinic-ledger-{stamp}.csv"'
    return response


@require_permission(VIEW_PERMISSION, "ledger.export_ledger")
def export_pdf(request: HttpRequest) -> HttpResponse:
    """Queue the PDF and show its progress page; any number of entries."""
    if not pdf_available():
        raise Http404("PDF export needs WeasyPrint; use the CSV export.")
    form, entries, site_ids = _filtered(request)
    if entries is None:
        return HttpResponse(form.errors.as_text(), status=422, content_type="text/plain")
    from ketaclinic.apps.jobs.choices import JobKind
    from ketaclinic.apps.jobs.work import enqueue

    query = dict(request.GET.lists())
    job = enqueue(JobKind.LEDGER_PDF, request.user, site_ids[0], {"query": query})
    record_event(
        request,
        Action.EXPORT,
        object_type="ledger_export",
        detail={"format": "pdf", "filters": query, "sites": site_ids, "job": str(job.pk)},
    )
    return redirect(reverse("jobs:progress", args=[job.pk]))


@require_permission(VIEW_PERMISSION)
def inventory_report(request: HttpRequest, inventory_id: int) -> HttpResponse:
    inventory = get_for_user_or_404(
        Inventory.objects.select_related("taken_by"), request.user, VIEW_PERMISSION, pk=inventory_id
    )
    counts = inventory.counts.select_related("container__product", "container__lot", "user")
    record_event(
        request,
        Action.VIEW,
        object_type="ledger_inventory",
        object_id=inventory.pk,
        site=inventory.site_id,
    )
    return render(
        request, "ledger/inventory_report.html", {"inventory": inventory, "counts": counts}
    )
