"""The ledger report as a PDF, made by a background job (``ketaclinic jobs work``).

The job re-reads the filters as its owner: if the owner lost the right to export the ledger,
or a filter no longer holds (a site they left), the job fails with the reason, never with
another person's view of the ledger.
"""

from __future__ import annotations

from django.http import QueryDict
from django.template.loader import render_to_string

from ketaclinic.apps.accounts.scoping import sites_for
from ketaclinic.apps.jobs.registry import JobRefused, JobResult
from ketaclinic.apps.ledger.exporting import COLUMNS, entry_rows
from ketaclinic.apps.ledger.lookups import VIEW_PERMISSION
from ketaclinic.apps.web import clock

__all__ = ["make_ledger_pdf"]

PROGRESS_EVERY_ROWS = 100


def make_ledger_pdf(job, progress) -> JobResult:
    from ketaclinic.apps.ledger.views.reports import filtered_for

    user = job.owner
    if not (user.is_active and user.has_perms([VIEW_PERMISSION, "ledger.export_ledger"])):
        raise JobRefused("Your role no longer allows exporting the ledger.")
    params = QueryDict(mutable=True)
    for name, values in job.params.get("query", {}).items():
        params.setlist(name, [str(value) for value in values])
    form, entries, site_ids = filtered_for(user, params)
    if entries is None:
        raise JobRefused(form.errors.as_text()[:300])
    total = max(entries.count(), 1)
    rows = []
    for number, row in enumerate(entry_rows(entries), start=1):
        rows.append(row)
        if number % PROGRESS_EVERY_ROWS == 0:
            progress(number * 30 // total)
    progress(30)
    zone = (
        sites_for(user, VIEW_PERMISSION)
        .filter(pk__in=site_ids)
        .order_by("name")
        .values_list("timezone", flat=True)
        .first()
    )
    html = render_to_string(
        "ledger/export_pdf.html",
        {
            "columns": COLUMNS,
            "rows": rows,
            "generated_at": clock.now(),
            "zone": zone or "UTC",
            "user": user,
        },
    )
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return JobResult(pdf, f"ketaclinic-ledger-{stamp}.pdf", "application/pdf")
