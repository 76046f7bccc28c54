"""The database-level guard on append-only tables, and its one maintenance switch.

Triggers refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) on append-only tables unless the
connection has switched maintenance on (the audit trail's triggers also let an unchained event
be chained once). On PostgreSQL the switch is the session setting
``ketaclinic.audit_writable = 'on'``, honoured only for the table's owner or a superuser
(migration ``audit/0004``): the application's own role, which owns nothing in production
(``database_roles``), gains nothing by setting it. On SQLite it is the per-connection SQL
function ``ketaclinic_audit_writable()``, which this module registers on every connection the
application opens and which answers from ``MAINTENANCE.enabled``; a client that is not this
application lacks the function unless it defines one itself, which anyone with the file can.

The switch exists for two legitimate jobs: a retention purge run deliberately by the schema
owner, and test databases, which must be emptied between tests. On SQLite it is no security
boundary; the keyed chain and checkpoints held outside the database are.
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
