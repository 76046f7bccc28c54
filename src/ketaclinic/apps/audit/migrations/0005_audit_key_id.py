"""Audit key rotation: each chained event records the id of the key its MAC was made with.

``key_id`` is set by the chainer together with ``position`` and ``mac``, once, on an unchained
row; the append-only guard now allows exactly those three columns in that one change.
Events chained before this migration keep ``key_id`` NULL: ``audit verify`` tries the current
key and the retired ones on them (``KETACLINIC_AUDIT_RETIRED_KEYS``).
"""

import importlib

from django.db import migrations, models

keyed = importlib.import_module("ketaclinic.apps.audit.migrations.0004_keyed_chain")

SETS_CHAIN_FIELDS_ONCE = keyed.SETS_CHAIN_FIELDS_ONCE + " AND OLD.key_id IS NULL"

SQLITE_CREATE = [
    f"""CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       WHEN NOT ketaclinic_audit_writable()
        AND NOT ({SETS_CHAIN_FIELDS_ONCE} AND {keyed.CHAIN_FIELDS_UNCHANGED})
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION ketaclinic_audit_chain_once() RETURNS trigger AS $$
       BEGIN
         IF ketaclinic_maintenance_allowed(TG_RELID) THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
           RETURN NEW;
         END IF;
         IF TG_OP = 'UPDATE'
            AND OLD.position IS NULL AND OLD.mac IS NULL AND OLD.key_id IS NULL
            AND NEW.position IS NOT NULL AND NEW.mac IS NOT NULL
            AND (to_jsonb(NEW) - 'position' - 'mac' - 'key_id')
                = (to_jsonb(OLD) - 'position' - 'mac' - 'key_id')
         THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'audit events are append-only (only an unchained event may be chained)';
       END;
       $$ LANGUAGE plpgsql""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_auditevent_no_update"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_keyed_chain")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_DROP}),
            _run({"sqlite": keyed.SQLITE_CREATE[:1]}),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run(
                {
                    "sqlite": SQLITE_DROP + keyed.SQLITE_CREATE[:1],
                    "postgresql": keyed.POSTGRES_CREATE[2:3],
                }
            ),
        ),
    ]
