"""The keyed chain: each forgery someone with database access (but not the key) could try fails.

Tampering here uses the test database's maintenance switch, i.e. the powers of the schema
owner; ``test_audit_roles_postgres`` shows the application's own role does not have them.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from tests.audit.guard import audit_guard_enforced, tamper

from ketaclinic.apps.audit.chaining import chain_pending
from ketaclinic.apps.audit.checkpoints import checkpoint_json, make_checkpoint
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.hashchain import canonical_bytes
from ketaclinic.apps.audit.keyedchain import (
    CheckpointError,
    event_mac,
    parse_checkpoint,
)
from ketaclinic.apps.audit.models import CHAINED_COLUMNS, AuditEvent, chained_fields_of
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.audit.verification import verify_audit_chain
from ketaclinic.cli import main


def _events(count: int) -> None:
    for number in range(count):
        record_event(None, Action.VIEW, object_type="test", object_id=number)
    chain_pending()


def _checkpoint(tmp_path, name: str = "head.json"):
    report, signed = make_checkpoint()
    assert report.ok, report.summary()
    path = tmp_path / name
    path.write_text(checkpoint_json(signed))
    return path


def _rewrite_chain_from(position: int, mac_of) -> None:
    """Renumber and re-MAC every event from ``position`` on, as a forger without the key would."""
    previous = AuditEvent.objects.get(position=position - 1).mac if position > 1 else "0" * 64
    rows = AuditEvent.objects.filter(position__gte=position).order_by("position")
    for number, row in enumerate(rows.values_list("id", *CHAINED_COLUMNS), start=position):
        values = dict(zip(CHAINED_COLUMNS, row[1:], strict=True))
        values["position"] = number
        previous = mac_of(previous, chained_fields_of(values))
        tamper(
            "UPDATE audit_auditevent SET position = %s, mac = %s WHERE id = %s",
            [-number, previous, row[0]],
        )
    tamper("UPDATE audit_auditevent SET position = -position WHERE position < 0")


def test_the_chainer_numbers_events_in_commit_order_and_the_chain_verifies(db):
    _events(4)
    ordered = AuditEvent.objects.order_by("position").values_list("position", "object_id")
    assert list(ordered) == [(1, "0"), (2, "1"), (3, "2"), (4, "3")]
    report = verify_audit_chain()
    assert (report.ok, report.checked) == (True, 4)


def test_an_edited_event_is_detected_and_named(db):
    _events(3)
    tamper("UPDATE audit_auditevent SET object_id = '999' WHERE position = 2")
    report = verify_audit_chain()
    assert (report.ok, report.problem_position) == (False, 2)
    assert "altered" in report.problem


def test_a_deleted_event_rehashed_with_plain_sha256_is_detected(db):
    _events(4)
    tamper("DELETE FROM audit_auditevent WHERE position = 2")

    def sha256(previous: str, fields: dict) -> str:
        return hashlib.sha256(previous.encode() + b"\n" + canonical_bytes(fields)).hexdigest()

    _rewrite_chain_from(2, sha256)
    report = verify_audit_chain()
    assert (report.ok, report.problem_position) == (False, 2)


def test_a_deleted_event_rechained_with_another_key_is_detected(db):
    _events(4)
    tamper("DELETE FROM audit_auditevent WHERE position = 2")
    wrong_key = bytes(32)
    _rewrite_chain_from(2, lambda previous, fields: event_mac(wrong_key, previous, fields))
    report = verify_audit_chain()
    assert (report.ok, report.problem_position) == (False, 2)


def test_a_deleted_middle_event_without_rehashing_is_missing(db):
    _events(3)
    tamper("DELETE FROM audit_auditevent WHERE position = 2")
    report = verify_audit_chain()
    assert (report.ok, report.problem_position) == (False, 2)
    assert "missing" in report.problem


def test_truncation_passes_alone_but_fails_against_a_checkpoint(db, tmp_path):
    _events(5)
    checkpoint = _checkpoint(tmp_path)
    tamper("DELETE FROM audit_auditevent WHERE position >= 4")
    assert verify_audit_chain().ok  # what the old chain head could be rolled back to hide
    assert main(["audit", "verify", "--checkpoint", str(checkpoint)]) == 1


def test_a_chain_rewritten_after_its_checkpoint_fails_against_it(db, tmp_path, capsys):
    _events(3)
    checkpoint = _checkpoint(tmp_path)
    tamper("UPDATE audit_auditevent SET mac = %s WHERE position = 3", ["f" * 64])
    assert main(["audit", "verify", "--json", "--checkpoint", str(checkpoint)]) == 1
    assert json.loads(capsys.readouterr().out)["problem_position"] == 3


def test_a_checkpoint_file_that_was_edited_is_refused(db, tmp_path, capsys):
    _events(2)
    path = _checkpoint(tmp_path)
    data = json.loads(path.read_text())
    data["position"] = 1
    data["count"] = 1
    path.write_text(json.dumps(data))
    assert main(["audit", "verify", "--checkpoint", str(path)]) == 2
    assert "signature does not match" in capsys.readouterr().err


def test_a_checkpoint_signed_with_another_key_is_refused(db, tmp_path, settings):
    _events(1)
    text = _checkpoint(tmp_path).read_text()
    with pytest.raises(CheckpointError, match="signed with audit key"):
        parse_checkpoint(bytes(32), text)


def test_checkpoint_holds_the_signed_head(db, tmp_path, capsys):
    _events(3)
    assert main(["audit", "checkpoint", "--out", str(tmp_path / "c.json")]) == 0
    data = json.loads((tmp_path / "c.json").read_text())
    head = AuditEvent.objects.get(position=3)
    assert (data["position"], data["count"], data["mac"]) == (3, 3, head.mac)
    # a checkpoint file is never overwritten
    assert main(["audit", "checkpoint", "--out", str(tmp_path / "c.json")]) == 2


def test_checkpoint_refuses_a_broken_chain(db, capsys):
    _events(2)
    tamper("UPDATE audit_auditevent SET action = 'export' WHERE position = 1")
    assert main(["audit", "checkpoint"]) == 1
    assert "no checkpoint" in capsys.readouterr().err


def test_incremental_verify_starts_at_the_checkpoint_and_still_checks_its_head(db, tmp_path):
    _events(3)
    since = _checkpoint(tmp_path)
    _events(2)
    report_ok = main(["audit", "verify", "--since-checkpoint", str(since)])
    assert report_ok == 0
    tamper("UPDATE audit_auditevent SET object_id = 'x' WHERE position = 5")
    assert main(["audit", "verify", "--since-checkpoint", str(since)]) == 1
    tamper("UPDATE audit_auditevent SET object_id = '1' WHERE position = 5")
    tamper("DELETE FROM audit_auditevent WHERE position = 3")
    assert main(["audit", "verify", "--since-checkpoint", str(since)]) == 1


def test_an_event_left_unchained_past_the_grace_period_fails_verify(db, fixed_clock, capsys):
    _events(1)
    record_event(None, Action.VIEW, object_type="waiting")
    assert verify_audit_chain(grace_seconds=10).ok  # recorded "now": still within grace
    fixed_clock.moment = fixed_clock.moment.replace(minute=5)
    report = verify_audit_chain(grace_seconds=10)
    assert not report.ok
    assert "1 event(s) unchained" in report.problem
    assert main(["audit", "chain"]) == 0
    assert "Chained 1 event(s)." in capsys.readouterr().out
    assert verify_audit_chain(grace_seconds=10).ok


def test_the_database_lets_an_unchained_event_be_chained_once_and_nothing_else(db):
    _events(1)
    record_event(None, Action.VIEW, object_type="waiting")
    waiting = AuditEvent.objects.get(object_type="waiting")
    refused = [
        ("UPDATE audit_auditevent SET position = 9, mac = 'x' WHERE position = 1", []),
        (
            "UPDATE audit_auditevent SET position = 2, mac = 'x', object_id = 'forged' "
            "WHERE id = %s",
            [waiting.pk],
        ),
        ("UPDATE audit_auditevent SET object_id = 'forged' WHERE id = %s", [waiting.pk]),
        ("DELETE FROM audit_auditevent WHERE id = %s", [waiting.pk]),
    ]
    with audit_guard_enforced():
        for statement, params in refused:
            with pytest.raises(DatabaseError), transaction.atomic():
                tamper(statement, params)
        tamper("UPDATE audit_auditevent SET position = 2, mac = 'x' WHERE id = %s", [waiting.pk])
    assert AuditEvent.objects.get(pk=waiting.pk).position == 2


@pytest.mark.django_db(transaction=True)
def test_a_client_that_bypasses_the_triggers_is_caught_by_the_chain():
    _events(3)
    if connection.vendor == "sqlite":
        import sqlite3

        other = sqlite3.connect(connection.settings_dict["NAME"])
        other.create_function("ketaclinic_audit_writable", 0, lambda: 1)  # the bypass
        other.execute("UPDATE audit_auditevent SET action = 'export' WHERE position = 2")
        other.commit()
        other.close()
    else:  # a superuser switches every trigger off for its session
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("UPDATE audit_auditevent SET action = 'export' WHERE position = 2")
            cursor.execute("SET session_replication_role = DEFAULT")
    report = verify_audit_chain()
    assert (report.ok, report.problem_position) == (False, 2)


@pytest.mark.django_db(transaction=True)
def test_a_second_chainer_leaves_while_the_first_holds_the_lock():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks between connections: run with PostgreSQL")
    import psycopg

    from ketaclinic.apps.audit.chaining import ADVISORY_LOCK

    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"]
    ) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK])
        record_event(None, Action.VIEW, object_type="waiting")
        result = chain_pending()
        assert (result.chained, result.busy) == (0, True)
        assert AuditEvent.objects.get(object_type="waiting").position is None
        holder.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])
    assert chain_pending().chained == 1
    assert AuditEvent.objects.get(object_type="waiting").position == 1


def test_deploy_check_refuses_a_chain_keyed_from_the_secret_key(settings):
    from ketaclinic.apps.audit.checks import audit_key_configured

    settings.KETACLINIC_AUDIT_KEY_CONFIGURED = False
    assert [message.id for message in audit_key_configured(None)] == ["audit.E001"]
    settings.KETACLINIC_AUDIT_KEY_CONFIGURED = True
    assert audit_key_configured(None) == []


@pytest.mark.parametrize("value", ["short", "q5X0cF3n9wGm4Yk0s8VtZ2bJr7LhPd1eUa6NoTiWfC", "é" * 44])
def test_a_malformed_audit_key_stops_start_up_without_repeating_it(value):
    from django.core.exceptions import ImproperlyConfigured

    from ketaclinic.apps.audit.keyedchain import parse_audit_key
    from ketaclinic.config.environment import Environment

    with pytest.raises(ImproperlyConfigured) as error:
        Environment({"KETACLINIC_AUDIT_KEY": value}).secret(
            "KETACLINIC_AUDIT_KEY", parse_audit_key, None
        )
    assert str(error.value).startswith("KETACLINIC_AUDIT_KEY: expected 32 random bytes")
    assert value not in str(error.value)


def test_new_key_prints_a_key_the_setting_accepts(capsys):
    from ketaclinic.apps.audit.keyedchain import parse_audit_key

    assert main(["audit", "new-key"]) == 0
    assert len(parse_audit_key(capsys.readouterr().out)) == 32


def test_app_role_sql_names_the_role_and_refuses_a_strange_one(capsys):
    assert main(["audit", "app-role-sql", "ketaclinic_app"]) == 0
    out = capsys.readouterr().out
    assert "GRANT UPDATE (position, mac, key_id) ON audit_auditevent TO ketaclinic_app;" in out
    assert main(["audit", "app-role-sql", "app; DROP TABLE x"]) == 2
    assert capsys.readouterr().err.startswith("ketaclinic: error: role:")
