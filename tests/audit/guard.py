"""Turn the audit tables' maintenance switch off for a block (tests of the guard itself)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from ketaclinic.apps.audit.database_guard import MAINTENANCE


@contextmanager
def audit_guard_enforced() -> Iterator[None]:
    MAINTENANCE.enabled = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET ketaclinic.audit_writable = 'off'")
    try:
        yield
    finally:
        MAINTENANCE.enabled = True
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET ketaclinic.audit_writable = 'on'")


def tamper(statement: str, params: list | tuple = ()) -> None:
    """What someone with database credentials (and the owner's switch) could do."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
