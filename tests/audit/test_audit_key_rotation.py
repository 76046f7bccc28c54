"""Rotating the audit key: events name their key, retired keys verify, nothing re-chains."""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from ketaclinic.apps.audit.chaining import chain_pending
from ketaclinic.apps.audit.checkpoints import read_checkpoint
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.keyedchain import key_id, parse_retired_keys
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.audit.verification import verify_audit_chain
from ketaclinic.cli import main
from ketaclinic.config.environment import Environment

OLD = bytes(range(32))
NEW = bytes(range(32, 64))


def _text(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def _events(count: int, label: str) -> None:
    for number in range(count):
        record_event(None, Action.VIEW, object_type=label, object_id=number)
    chain_pending()


@pytest.fixture
def old_key(settings):
    settings.KETACLINIC_AUDIT_KEY = OLD
    settings.KETACLINIC_AUDIT_RETIRED_KEYS = ()
    return settings


def test_each_chained_event_records_the_id_of_its_key(db, old_key):
    _events(2, "before")
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {key_id(OLD)}


def test_after_a_rotation_old_and_new_events_verify_with_the_old_key_retired(db, old_key):
    _events(3, "before")
    old_key.KETACLINIC_AUDIT_KEY = NEW
    old_key.KETACLINIC_AUDIT_RETIRED_KEYS = (OLD,)
    _events(2, "after")
    by_key = dict(
        AuditEvent.objects.order_by("position").values_list("object_type", "key_id").distinct()
    )
    assert by_key == {"before": key_id(OLD), "after": key_id(NEW)}
    report = verify_audit_chain()
    assert report.ok, report.summary()
    assert report.checked == 5


def test_without_the_retired_key_verify_names_the_unknown_key(db, old_key):
    _events(2, "before")
    old_key.KETACLINIC_AUDIT_KEY = NEW
    _events(1, "after")
    report = verify_audit_chain()
    assert not report.ok
    assert report.problem_position == 1
    assert key_id(OLD) in report.summary()
    assert "KETACLINIC_AUDIT_RETIRED_KEYS" in report.summary()


def test_a_retired_key_verifies_but_never_chains(db, old_key):
    old_key.KETACLINIC_AUDIT_KEY = NEW
    old_key.KETACLINIC_AUDIT_RETIRED_KEYS = (OLD,)
    _events(2, "after")
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {key_id(NEW)}


def test_an_event_chained_before_keys_were_named_verifies_with_any_key_of_the_ring(db, old_key):
    from tests.audit.guard import tamper

    _events(2, "legacy")
    tamper("UPDATE audit_auditevent SET key_id = NULL")  # as migration 0005 leaves old rows
    old_key.KETACLINIC_AUDIT_KEY = NEW
    old_key.KETACLINIC_AUDIT_RETIRED_KEYS = (OLD,)
    _events(1, "after")
    assert verify_audit_chain().ok


def test_a_forger_cannot_relabel_an_event_with_another_known_key(db, old_key):
    from tests.audit.guard import tamper

    _events(2, "before")
    old_key.KETACLINIC_AUDIT_KEY = NEW
    old_key.KETACLINIC_AUDIT_RETIRED_KEYS = (OLD,)
    tamper("UPDATE audit_auditevent SET key_id = %s WHERE position = 2", [key_id(NEW)])
    report = verify_audit_chain()
    assert not report.ok
    assert report.problem_position == 2


def test_rotate_key_seals_the_chain_and_prints_the_new_key(db, old_key, tmp_path, capsys):
    _events(3, "before")
    sealed = tmp_path / "sealed.json"
    assert main(["audit", "rotate-key", "--out", str(sealed)]) == 0
    out = capsys.readouterr().out
    checkpoint = json.loads(sealed.read_text())
    assert checkpoint["position"] == 3
    assert checkpoint["key_id"] == key_id(OLD)
    new_text = re.search(r"KETACLINIC_AUDIT_KEY=(\S+)", out).group(1)
    assert "KETACLINIC_AUDIT_RETIRED_KEYS=<the current KETACLINIC_AUDIT_KEY>" in out
    assert _text(OLD) not in out  # the old key is not repeated on the terminal
    new = base64.urlsafe_b64decode(new_text)
    assert len(new) == 32
    assert new != OLD
    # The servers restart with the new key and the old one retired:
    old_key.KETACLINIC_AUDIT_KEY = new
    old_key.KETACLINIC_AUDIT_RETIRED_KEYS = (OLD,)
    _events(2, "after")
    assert read_checkpoint(sealed).position == 3  # signed with the retired key, still read
    assert main(["audit", "verify", "--checkpoint", str(sealed)]) == 0
    assert main(["audit", "checkpoint", "--since-checkpoint", str(sealed)]) == 0


def test_rotate_key_refuses_a_broken_chain_and_an_existing_file(db, old_key, tmp_path, capsys):
    from tests.audit.guard import tamper

    _events(2, "before")
    existing = tmp_path / "exists.json"
    existing.write_text("{}")
    assert main(["audit", "rotate-key", "--out", str(existing)]) == 2
    assert capsys.readouterr().err.strip().endswith("already exists")
    tamper("UPDATE audit_auditevent SET object_id = 'forged' WHERE position = 1")
    assert main(["audit", "rotate-key", "--out", str(tmp_path / "new.json")]) == 1
    assert "no rotation" in capsys.readouterr().err
    assert not (tmp_path / "new.json").exists()


def test_retired_keys_are_parsed_strictly_without_repeating_them():
    assert parse_retired_keys(f"{_text(OLD)},{_text(NEW)}") == (OLD, NEW)
    with pytest.raises(ImproperlyConfigured) as refused:
        Environment({"KETACLINIC_AUDIT_RETIRED_KEYS": f"{_text(OLD)},not-a-key"}).secret(
            "KETACLINIC_AUDIT_RETIRED_KEYS", parse_retired_keys, ()
        )
    assert str(refused.value).startswith("KETACLINIC_AUDIT_RETIRED_KEYS: key 2: expected")
    assert "not-a-key" not in str(refused.value)
