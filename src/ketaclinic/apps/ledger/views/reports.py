"""Reports for an inspector: the filtered ledger (page, CSV, PDF) and inventory reports."""

from __future__ import annotations

import importlib.util

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from ketaclinic.apps.accounts.scoping import (
    get_for_user_or_404,
    require_permission,
    restrict,
    sites_for,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.ledger.exporting import COLUMNS, csv_lines, entry_rows, filtered_entries
from ketaclinic.apps.ledger.forms import ReportFilterForm
from ketaclinic.apps.ledger.lookups import VIEW_PERMISSION
from ketaclinic.apps.ledger.models import Inventory, LedgerEntry
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate, query_without_page

# WeasyPrint lays a 29-column table out at roughly a tenth of a second per row on a quiet
# server (1,417 rows took 130 s, past gunicorn's timeout), so a PDF is made on the request
# only for a report it can finish in seconds; a larger one is refused with the way forward
# (narrow the dates, or take the CSV, which streams any size).
PDF_ROW_LIMIT = 200


def pdf_available() -> bool:
    return importlib.util.find_spec("weasyprint") is not None


def _filtered(request: HttpRequest):
    sites = sites_for(request.user, VIEW_PERMISSION).order_by("name")
    form = ReportFilterForm(request.GET or None, sites=sites)
    if form.is_bound and not form.is_valid():
        return form, None, None
    data = form.cleaned_data if form.is_bound else {}
    chosen = data.get("site")
    visible = restrict(LedgerEntry, request.user, VIEW_PERMISSION)
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
    if entries is not None:  # newest first on screen; exports keep chain order
        newest_first = entries.order_by("-occurred_at", "-site_id", "-position")
        page = paginate(newest_first, page_number(request.GET))
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
            "pdf_row_limit": PDF_ROW_LIMIT,
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
    if not pdf_available():
        raise Http404("PDF export needs WeasyPrint; use the CSV export.")
    form, entries, site_ids = _filtered(request)
    if entries is None:
        return HttpResponse(form.errors.as_text(), status=422, content_type="text/plain")
    if entries[: PDF_ROW_LIMIT + 1].count() > PDF_ROW_LIMIT:
        messages.error(
            request,
            f"More than {PDF_ROW_LIMIT} entries match: the PDF holds at most {PDF_ROW_LIMIT}. "
            "Narrow the dates (or product, lot, container) and export again, or export CSV, "
            "which has no limit.",
        )
        query = request.GET.urlencode()
        return redirect(reverse("ledger:reports") + (f"?{query}" if query else ""))
    rows = list(entry_rows(entries))
    record_event(
        request,
        Action.EXPORT,
        object_type="ledger_export",
        detail={"format": "pdf", "filters": dict(request.GET), "sites": site_ids},
    )
    html = render_to_string(
        "ledger/export_pdf.html",
        {
            "columns": COLUMNS,
            "rows": rows,
            "generated_at": clock.now(),
            "zone": sites_for(request.user, VIEW_PERMISSION)
            .filter(pk__in=site_ids)
            .order_by("name")
            .values_list("timezone", flat=True)
            .first()
            or "UTC",
            "user": request.user,
        },
    )
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ketaclinic-ledger-{stamp}.pdf"'
    return response


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
