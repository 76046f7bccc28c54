"""The database-level guard on append-only tables, and its one maintenance switch.

Triggers refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) on append-only tables unless the
connection has switched maintenance on: on PostgreSQL the session setting
``ketaclinic.audit_writable = 'on'``; on SQLite the per-connection SQL function
``ketaclinic_audit_writable()``, which this module registers on every connection the
application opens and which answers from ``MAINTENANCE.enabled``. A SQLite client that is
not this application lacks the function, so its trigger fails and the change is refused.

The switch exists for two legitimate jobs: a retention purge run deliberately by an
administrator, and test databases, which must be emptied between tests. It is not a
security boundary against someone with database credentials — the hash chain is; it makes
accidental or application-level changes impossible.
"""

from __future__ import annotations

from django.db.backends.signals import connection_created
from django.dispatch import receiver


class MaintenanceSwitch:
    enabled: bool = False


MAINTENANCE = MaintenanceSwitch()


@receiver(connection_created)
def register_sqlite_guard(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "ketaclinic_audit_writable", 0, lambda: int(MAINTENANCE.enabled)
        )
