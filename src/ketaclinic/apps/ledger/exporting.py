"""The inspector's export: every entry with everything 21 CFR 1304.22 asks, streamed.

Rows are produced from one query walked with ``iterator()``, so a two-year ledger comes
out in seconds without being held in memory (see ``benchmarks/ledger``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from ketaclinic.apps.ledger.models import LedgerEntry
from ketaclinic.apps.web import csv_export

__all__ = ["COLUMNS", "csv_lines", "entry_rows", "filtered_entries"]

COLUMNS = (
    "site",
    "site_dea",
    "position",
    "occurred_at",
    "recorded_at",
    "kind",
    "counts_as",
    "container",
    "product",
    "ndc",
    "lot",
    "expires_on",
    "quantity",
    "unit",
    "change",
    "change_mg",
    "balance_after",
    "book_at_count",
    "estimated",
    "patient_mrn",
    "session_id",
    "by",
    "witness",
    "second_witness",
    "corrects_position",
    "reason",
    "supplier",
    "supplier_dea",
    "invoice",
    "hash",
)


def filtered_entries(
    entries: QuerySet[LedgerEntry],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    tz: str = "UTC",
    product_id: int | None = None,
    lot: str = "",
    container: str = "",
    kind: str = "",
) -> QuerySet[LedgerEntry]:
    """``entries`` (already restricted to what the user may see) narrowed by the filters."""
    zone = ZoneInfo(tz)
    if date_from:
        entries = entries.filter(occurred_at__gte=dt.datetime.combine(date_from, dt.time.min, zone))
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, zone)
        entries = entries.filter(occurred_at__lt=end)
    if product_id:
        entries = entries.filter(container__product_id=product_id)
    if lot:
        entries = entries.filter(container__lot__lot_number__iexact=lot.strip())
    if container:
        entries = entries.filter(container__label__iexact=container.strip())
    if kind:
        entries = entries.filter(kind=kind)
    return entries.select_related(
        "site",
        "container__product",
        "container__lot",
        "user",
        "witness",
        "second_witness",
        "patient",
        "corrects",
    ).order_by("site_id", "position")


def _name(user: Any) -> str:
    return f"{user.display_name} ({user.username})" if user else ""


def entry_rows(entries: QuerySet[LedgerEntry]) -> Iterator[list[Any]]:
    for entry in entries.iterator(chunk_size=2000):
        container = entry.container
        product = container.product
        zone = ZoneInfo(entry.site.timezone)
        details = entry.details or {}
        yield [
            entry.site.name,
            entry.site.dea_registration,
            entry.position,
            entry.occurred_at.astimezone(zone).isoformat(timespec="seconds"),
            entry.recorded_at.astimezone(zone).isoformat(timespec="seconds"),
            entry.kind,
            entry.effect_kind,
            container.label,
            product.name,
            product.ndc,
            container.lot.lot_number,
            container.lot.expires_on.isoformat(),
            product.quantity_text(entry.quantity),
            product.measure,
            entry.delta,
            f"{product.mass_mg(entry.delta).normalize():f}",
            entry.balance_after,
            "" if entry.book_quantity is None else entry.book_quantity,
            "yes" if entry.estimated else "",
            entry.patient.mrn if entry.patient else "",
            entry.session_id or "",
            _name(entry.user),
            _name(entry.witness),
            _name(entry.second_witness),
            entry.corrects.position if entry.corrects else "",
            entry.reason,
            details.get("supplier_name", ""),
            details.get("supplier_dea", ""),
            details.get("invoice", ""),
            entry.hash,
        ]


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text line by line (for a streaming response), through the shared safe writer."""
    return csv_export.csv_lines(COLUMNS, rows)
