"""The database refuses UPDATE and DELETE on ledger entries (SQLite and PostgreSQL).

The same guard as the audit trail (``audit/migrations/0002_append_only_triggers.py``): the
ORM refuses through ``AppendOnlyModel``; these triggers stop raw SQL and other clients; the
one maintenance switch in ``audit.database_guard`` lets test databases be emptied. The hash
chain (``ketaclinic ledger verify``) catches whatever gets past both.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER ledger_ledgerentry_no_update BEFORE UPDATE ON ledger_ledgerentry
       WHEN NOT ketaclinic_audit_writable()
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    """CREATE TRIGGER ledger_ledgerentry_no_delete BEFORE DELETE ON ledger_ledgerentry
       WHEN NOT ketaclinic_audit_writable()
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_ledgerentry_no_update",
    "DROP TRIGGER IF EXISTS ledger_ledgerentry_no_delete",
]
POSTGRES = [
    """CREATE TRIGGER ledger_ledgerentry_append_only BEFORE UPDATE OR DELETE
       ON ledger_ledgerentry FOR EACH ROW EXECUTE FUNCTION ketaclinic_refuse_change()""",
    """CREATE TRIGGER ledger_ledgerentry_no_truncate BEFORE TRUNCATE ON ledger_ledgerentry
       FOR EACH STATEMENT EXECUTE FUNCTION ketaclinic_refuse_change()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_ledgerentry_append_only ON ledger_ledgerentry",
    "DROP TRIGGER IF EXISTS ledger_ledgerentry_no_truncate ON ledger_ledgerentry",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
