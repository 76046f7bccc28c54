"""The keyed chain: events are inserted unchained and chained later; the guard allows only that.

- ``position`` becomes nullable, ``mac`` (HMAC-SHA256) replaces ``prev_hash``/``hash``; events
  written before this migration are unchained again and the chainer re-chains them, in their
  old order, with the key (verify the old SHA-256 chain before upgrading if it matters).
- The append-only triggers now allow exactly one UPDATE: setting ``position`` and ``mac`` on
  an unchained row, every other column unchanged. DELETE, TRUNCATE and any other UPDATE are
  refused as before.
- PostgreSQL: the maintenance switch ``ketaclinic.audit_writable`` (retention purges, test
  databases) now works only for the table's owner (or a superuser). Any role can SET the
  setting; the application role, which owns nothing (``database_roles``), gains nothing by
  it. The ledger's triggers share the function, so the same holds for ledger entries.
"""

from django.db import migrations, models

CHAIN_FIELDS_UNCHANGED = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "id",
        "occurred_at",
        "actor_id",
        "actor_username",
        "site_id",
        "patient_id",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "request_id",
        "client_address",
        "path",
        "detail",
    )
)
SETS_CHAIN_FIELDS_ONCE = (
    "OLD.position IS NULL AND OLD.mac IS NULL "
    "AND NEW.position IS NOT NULL AND NEW.mac IS NOT NULL"
)

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]
SQLITE_CREATE = [
    f"""CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       WHEN NOT ketaclinic_audit_writable()
        AND NOT ({SETS_CHAIN_FIELDS_ONCE} AND {CHAIN_FIELDS_UNCHANGED})
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT ketaclinic_audit_writable()
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_OLD = [
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       WHEN NOT ketaclinic_audit_writable()
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    SQLITE_CREATE[1],
]

POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
]
POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION ketaclinic_maintenance_allowed(relation oid) RETURNS boolean
       AS $$
         SELECT coalesce(current_setting('ketaclinic.audit_writable', true), '') = 'on'
            AND pg_has_role(current_user,
                            (SELECT relowner FROM pg_class WHERE oid = relation), 'MEMBER')
       $$ LANGUAGE sql STABLE""",
    """CREATE OR REPLACE FUNCTION ketaclinic_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF ketaclinic_maintenance_allowed(TG_RELID) THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; ELSIF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
           RETURN NULL;
         END IF;
         RAISE EXCEPTION '%% rows are append-only', TG_TABLE_NAME;
       END;
       $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION ketaclinic_audit_chain_once() RETURNS trigger AS $$
       BEGIN
         IF ketaclinic_maintenance_allowed(TG_RELID) THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
           RETURN NEW;
         END IF;
         IF TG_OP = 'UPDATE'
            AND OLD.position IS NULL AND OLD.mac IS NULL
            AND NEW.position IS NOT NULL AND NEW.mac IS NOT NULL
            AND (to_jsonb(NEW) - 'position' - 'mac') = (to_jsonb(OLD) - 'position' - 'mac')
         THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'audit events are append-only (only an unchained event may be chained)';
       END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION ketaclinic_audit_chain_once()""",
]
POSTGRES_OLD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    """CREATE OR REPLACE FUNCTION ketaclinic_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF coalesce(current_setting('ketaclinic.audit_writable', true), '') = 'on' THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; ELSIF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
           RETURN NULL;
         END IF;
         RAISE EXCEPTION '%% rows are append-only', TG_TABLE_NAME;
       END;
       $$ LANGUAGE plpgsql""",
    "DROP FUNCTION IF EXISTS ketaclinic_audit_chain_once()",
    "DROP FUNCTION IF EXISTS ketaclinic_maintenance_allowed(oid)",
    """CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION ketaclinic_refuse_change()""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def unchain_existing_events(apps, schema_editor):
    """Old events lose their SHA-256 positions; the chainer re-chains them in id order."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET position = NULL WHERE position IS NOT NULL")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_more_actions")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
            _run({"sqlite": SQLITE_OLD, "postgresql": POSTGRES_OLD}),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-id"],
                "permissions": [("export_auditevent", "Can export the audit trail")],
            },
        ),
        migrations.RemoveField(model_name="auditevent", name="hash"),
        migrations.RemoveField(model_name="auditevent", name="prev_hash"),
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="position",
            field=models.BigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("position__isnull", True)),
                fields=["id"],
                name="audit_unchained_idx",
            ),
        ),
        migrations.RunPython(unchain_existing_events, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": []}),
        ),
    ]
