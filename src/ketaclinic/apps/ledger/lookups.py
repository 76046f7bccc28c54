"""The ledger's records as its pages show them (what each fetches with it).

Which site's records a person may see or act on is ``accounts.scoping``'s answer:
``get_for_user_or_404(CONTAINERS, user, VIEW_PERMISSION, pk=...)``.
"""

from __future__ import annotations

from ketaclinic.apps.ledger.models import Container, Discrepancy, LedgerEntry

__all__ = ["CONTAINERS", "DISCREPANCIES", "ENTRIES", "VIEW_PERMISSION"]

VIEW_PERMISSION = "ledger.view_ledgerentry"

CONTAINERS = Container.objects.select_related("product", "lot", "site")
ENTRIES = LedgerEntry.objects.select_related(
    "container__product", "container__lot", "container__site", "patient", "session"
)
DISCREPANCIES = Discrepancy.objects.select_related("container__product", "alert")
