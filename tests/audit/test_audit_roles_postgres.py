"""PostgreSQL's two roles: the application role cannot get around the audit table's guard.

The test creates a schema-owner role and an application role inside the test's transaction
(rolled back with it), hands the audit table to the owner, applies ``app_role_grants`` — the
SQL ``docs/foundation.md`` tells the owner to run — and then, as the application role, tries
every way around the guard.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

from ketaclinic.apps.audit.chaining import chain_pending
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.database_roles import app_role_grants
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.audit.recorder import record_event

pytestmark = pytest.mark.postgres_only


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    _sql(f"SET ROLE {role}")
    try:
        yield
    finally:
        _sql("RESET ROLE")


@pytest.fixture
def roles(db):
    if connection.vendor != "postgresql":
        pytest.skip("database roles: run with PostgreSQL")
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"kc_owner_{suffix}", f"kc_app_{suffix}"
    _sql(f"CREATE ROLE {owner} NOLOGIN")
    _sql(f"CREATE ROLE {app} NOLOGIN")
    _sql(f"GRANT USAGE, CREATE ON SCHEMA public TO {owner}")
    _sql(f"ALTER TABLE audit_auditevent OWNER TO {owner}")
    _sql(f"ALTER TABLE ledger_ledgerentry OWNER TO {owner}")
    for statement in app_role_grants(app):
        _sql(statement)
    return owner, app


def _refused(statement: str, params: list | None = None) -> bool:
    try:
        with transaction.atomic():
            _sql(statement, params)
    except DatabaseError:
        return True
    return False


def test_the_application_role_appends_and_chains_but_cannot_change_or_remove(roles):
    _owner, app = roles
    with acting_as(app):
        record_event(None, Action.VIEW, object_type="first")
        assert chain_pending().chained == 1
        record_event(None, Action.VIEW, object_type="second")
        attempts = {
            "edit": "UPDATE audit_auditevent SET object_id = 'forged'",
            "re-chain": "UPDATE audit_auditevent SET position = 7, mac = 'x' WHERE position = 1",
            "chain and edit": (
                "UPDATE audit_auditevent SET position = 2, mac = 'x', path = '/forged' "
                "WHERE position IS NULL"
            ),
            "delete": "DELETE FROM audit_auditevent",
            "truncate": "TRUNCATE audit_auditevent CASCADE",
            "disable triggers": "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
            "drop trigger": "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
            "replica mode": "SET session_replication_role = replica",
            "ledger edit": "UPDATE ledger_ledgerentry SET quantity = 0",
            "ledger delete": "DELETE FROM ledger_ledgerentry",
        }
        allowed = [name for name, statement in attempts.items() if not _refused(statement)]
        assert allowed == []
        assert chain_pending().chained == 1
    assert AuditEvent.objects.filter(position__isnull=False).count() == 2


def test_the_maintenance_switch_does_nothing_for_the_application_role(roles):
    _owner, app = roles
    record_event(None, Action.VIEW, object_type="kept")
    chain_pending()
    # Even with table privileges it should never have, the switch does not open the trigger.
    _sql(f"GRANT UPDATE, DELETE ON audit_auditevent TO {app}")
    with acting_as(app):
        _sql("SET ketaclinic.audit_writable = 'on'")
        assert _refused("UPDATE audit_auditevent SET object_id = 'forged'")
        assert _refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(object_type="kept").count() == 1


def test_the_owner_keeps_the_switch_for_a_deliberate_purge(roles):
    owner, _app = roles
    record_event(None, Action.VIEW, object_type="old")
    with acting_as(owner):
        _sql("SET ketaclinic.audit_writable = 'off'")
        assert _refused("DELETE FROM audit_auditevent")
        _sql("SET ketaclinic.audit_writable = 'on'")
        assert not _refused("DELETE FROM audit_auditevent")
    assert not AuditEvent.objects.exists()
