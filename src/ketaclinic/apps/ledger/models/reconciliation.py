"""Reconciliation: discrepancies, inventories, loss reports, and each site's ledger settings.

These are working records around the append-only entries: a discrepancy opens when a count
disagrees with the book and stays open until a prescriber or medical director resolves it;
a loss report carries the two DEA deadlines until both steps are done.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.ledger.choices import (
    DiscrepancyStatus,
    InventoryInterval,
    InventoryKind,
    InventoryTiming,
)


class Discrepancy(models.Model):
    """A count that differs from the book: loud on the site's dashboard until resolved."""

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    container = models.ForeignKey(
        "ledger.Container", on_delete=models.PROTECT, related_name="discrepancies"
    )
    count_entry = models.OneToOneField(
        "ledger.LedgerEntry", on_delete=models.PROTECT, related_name="discrepancy"
    )
    book_quantity = models.IntegerField()
    counted_quantity = models.IntegerField()
    opened_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=DiscrepancyStatus.choices, default=DiscrepancyStatus.OPEN
    )
    alert = models.ForeignKey(
        "alerts.Alert", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    resolving_entry = models.ForeignKey(
        "ledger.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name_plural = "discrepancies"
        permissions = [("resolve_discrepancy", "Can resolve a ledger discrepancy")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DiscrepancyStatus.OPEN, resolved_at__isnull=True)
                | Q(
                    status=DiscrepancyStatus.RESOLVED,
                    resolved_at__isnull=False,
                    resolved_by__isnull=False,
                )
                & ~Q(resolution=""),
                name="discrepancy_resolved_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["site", "status"], name="discrepancy_site_status_idx")]

    def __str__(self) -> str:
        return f"Discrepancy on {self.container.label}: {self.difference:+d}"

    @property
    def difference(self) -> int:
        return self.counted_quantity - self.book_quantity

    @property
    def is_open(self) -> bool:
        return self.status == DiscrepancyStatus.OPEN


class Inventory(models.Model):
    """An initial, biennial or annual inventory: when, at opening or close, and by whom."""

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=InventoryKind.choices)
    timing = models.CharField(max_length=10, choices=InventoryTiming.choices)
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name_plural = "inventories"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.taken_at:%Y-%m-%d}"


class LossReport(models.Model):
    """The DEA steps after a theft or significant loss, shown as tasks until done."""

    entry = models.OneToOneField(
        "ledger.LedgerEntry", on_delete=models.PROTECT, related_name="loss_report"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    discovered_on = models.DateField()
    notify_by = models.DateField()
    form_106_by = models.DateField()
    field_office_notified_at = models.DateTimeField(null=True, blank=True)
    form_106_submitted_at = models.DateTimeField(null=True, blank=True)
    form_106_reference = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["notify_by", "id"]

    def __str__(self) -> str:
        return f"Loss report for entry {self.entry_id}"

    @property
    def is_done(self) -> bool:
        return bool(self.field_office_notified_at and self.form_106_submitted_at)


class LedgerSettings(models.Model):
    """Per-site ledger rules a clinic configures (inventory interval: biennial or annual)."""

    site = models.OneToOneField(
        "accounts.Site", on_delete=models.PROTECT, related_name="ledger_settings"
    )
    inventory_interval = models.CharField(
        max_length=10, choices=InventoryInterval.choices, default=InventoryInterval.BIENNIAL
    )

    class Meta:
        verbose_name_plural = "ledger settings"

    def __str__(self) -> str:
        return f"Ledger settings for {self.site}"
