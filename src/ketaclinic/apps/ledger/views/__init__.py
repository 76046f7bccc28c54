"""Ledger pages: stock, containers and their history, entries, reconciliation, reports."""
