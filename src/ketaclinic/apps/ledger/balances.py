"""Stock on hand and what needs doing, per site: the numbers the dashboard and API show.

Each is a handful of aggregate queries whatever the size of the ledger (the book balance
lives on the container row, kept in step with the entries under its lock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from ketaclinic.apps.ledger.choices import DiscrepancyStatus, InventoryInterval
from ketaclinic.apps.ledger.models import (
    Container,
    Discrepancy,
    Inventory,
    LedgerEntry,
    LedgerSettings,
    LossReport,
    Product,
)
from ketaclinic.clinical import controlled_substances as cs

#: The dashboard lists at most this many doses with waste still to witness (oldest first).
WASTE_DUE_SHOWN = 200

__all__ = [
    "LedgerTasks",
    "StockLine",
    "ledger_tasks",
    "stock_by_product",
]


@dataclass(frozen=True)
class StockLine:
    product: Product
    containers: int
    opened: int
    on_hand: int
    expired_containers: int

    @property
    def on_hand_text(self) -> str:
        return self.product.quantity_text(self.on_hand)

    @property
    def on_hand_mg(self) -> Decimal:
        return self.product.mass_mg(self.on_hand)


def stock_by_product(site_id: int, today: dt.date | None = None) -> list[StockLine]:
    """What a site holds, product by product (containers with stock only)."""
    expired = Q(lot__expires_on__lt=today) if today else Q(pk__in=[])
    rows = (
        Container.objects.filter(site_id=site_id, on_hand__gt=0)
        .values("product_id")
        .annotate(
            containers=Count("id"),
            opened=Count("id", filter=Q(opened_at__isnull=False)),
            on_hand=Sum("on_hand"),
            expired=Count("id", filter=expired),
        )
        .order_by("product_id")
    )
    products = Product.objects.in_bulk([row["product_id"] for row in rows])
    lines = [
        StockLine(
            product=products[row["product_id"]],
            containers=row["containers"],
            opened=row["opened"],
            on_hand=row["on_hand"],
            expired_containers=row["expired"],
        )
        for row in rows
    ]
    return sorted(lines, key=lambda line: line.product.name)


@dataclass(frozen=True)
class LedgerTasks:
    """What the site's ledger asks of people now: loud until done."""

    open_discrepancies: list[Discrepancy]
    loss_reports: list[LossReport]
    waste_due: Sequence[LedgerEntry]
    last_inventory: Inventory | None
    inventory_due_on: dt.date | None
    interval: str

    @property
    def count(self) -> int:
        return (
            len(self.open_discrepancies)
            + len(self.loss_reports)
            + len(self.waste_due)
            + (1 if self.last_inventory is None else 0)
        )


def ledger_tasks(site_id: int) -> LedgerTasks:
    """Open discrepancies, DEA loss-report steps, syringe waste not yet witnessed, and when
    the next inventory is due (initial first, then biennial or annual per the site)."""
    discrepancies = list(
        Discrepancy.objects.filter(site_id=site_id, status=DiscrepancyStatus.OPEN)
        .select_related("container__product", "count_entry__user")
        .order_by("opened_at")
    )
    losses = list(
        LossReport.objects.filter(site_id=site_id)
        .filter(Q(field_office_notified_at__isnull=True) | Q(form_106_submitted_at__isnull=True))
        .select_related("entry__container__product")
    )
    # The stored open rows (``WasteAwaited``), not every dose the site gave: the list reads
    # the same few rows at any ledger size, oldest first.
    waste_due = list(
        LedgerEntry.objects.filter(waste_awaited__site_id=site_id)
        .annotate(
            wasted=Cast(KT("details__waste_due"), BigIntegerField()) - F("waste_awaited__due_units")
        )
        .select_related("container__product", "patient", "user")
        .order_by("waste_awaited__position")[:WASTE_DUE_SHOWN]
    )
    last = Inventory.objects.filter(site_id=site_id).order_by("-taken_at").first()
    settings = LedgerSettings.objects.filter(site_id=site_id).first()
    interval = settings.inventory_interval if settings else InventoryInterval.BIENNIAL
    due = (
        cs.next_inventory_due(last.taken_at.date(), cs.InventoryInterval(interval))
        if last
        else None
    )
    return LedgerTasks(discrepancies, losses, waste_due, last, due, interval)
