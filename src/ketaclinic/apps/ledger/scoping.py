"""Which ledgers a person may see: their own sites only; another site's records are a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ketaclinic.apps.accounts.scoping import site_ids_for, sites_for
from ketaclinic.apps.ledger.models import Container, Discrepancy, LedgerEntry, LossReport

__all__ = [
    "VIEW_PERMISSION",
    "chosen_site",
    "container_for",
    "discrepancy_for",
    "entry_for",
    "ledger_site_ids",
    "loss_report_for",
]

VIEW_PERMISSION = "ledger.view_ledgerentry"


def ledger_site_ids(user: Any) -> list[int]:
    return site_ids_for(user) if user.has_perm(VIEW_PERMISSION) else []


def chosen_site(user: Any, requested: str | None):
    """The site a page shows: the one asked for if the user works there, else their first."""
    sites = list(sites_for(user).order_by("name"))
    if not sites:
        raise Http404("No site")
    for site in sites:
        if str(site.pk) == (requested or ""):
            return site, sites
    return sites[0], sites


def _get(queryset, pk, what: str):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {what}") from None


def container_for(user: Any, pk: object) -> Container:
    queryset = Container.objects.filter(site_id__in=ledger_site_ids(user)).select_related(
        "product", "lot", "site"
    )
    return _get(queryset, pk, "container")


def entry_for(user: Any, pk: object) -> LedgerEntry:
    queryset = LedgerEntry.objects.filter(site_id__in=ledger_site_ids(user)).select_related(
        "container__product", "container__lot", "container__site", "patient", "session"
    )
    return _get(queryset, pk, "entry")


def discrepancy_for(user: Any, pk: object) -> Discrepancy:
    queryset = Discrepancy.objects.filter(site_id__in=ledger_site_ids(user)).select_related(
        "container__product", "alert"
    )
    return _get(queryset, pk, "discrepancy")


def loss_report_for(user: Any, pk: object) -> LossReport:
    queryset = LossReport.objects.filter(site_id__in=ledger_site_ids(user))
    return _get(queryset, pk, "loss report")
