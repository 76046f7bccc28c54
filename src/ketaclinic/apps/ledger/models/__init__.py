"""Ledger models: stock (products, lots, containers), entries, reconciliation."""

from ketaclinic.apps.ledger.models.entries import (
    LedgerEntry,
    VerifiedCheckpoint,
    WasteAwaited,
    chain_name,
)
from ketaclinic.apps.ledger.models.reconciliation import (
    Discrepancy,
    Inventory,
    LedgerSettings,
    LossReport,
)
from ketaclinic.apps.ledger.models.stock import Container, Lot, Product

__all__ = [
    "Container",
    "Discrepancy",
    "Inventory",
    "LedgerEntry",
    "LedgerSettings",
    "LossReport",
    "Lot",
    "Product",
    "VerifiedCheckpoint",
    "WasteAwaited",
    "chain_name",
]
