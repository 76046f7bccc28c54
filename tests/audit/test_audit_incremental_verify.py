"""``audit verify --since-checkpoint``: the nightly run starts at the last verified checkpoint.

What it finds and what only the full run finds: tampering after the checkpoint, with the
checkpointed event, or with the stored checkpoint itself fails the incremental run; an event
altered *before* the checkpoint is found only by the full ``audit verify`` (which is why the
full run stays the default and should still run regularly).
"""

from __future__ import annotations

import json

from tests.audit.guard import tamper

from ketaclinic.apps.audit.chaining import chain_pending
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import VerifiedAuditCheckpoint
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.audit.verification import (
    newest_verified_checkpoint,
    verify_audit_chain,
    verify_audit_chain_since_checkpoint,
)
from ketaclinic.cli import main


def _events(count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        record_event(None, Action.VIEW, object_type="test", object_id=number)
    chain_pending()


def test_a_clean_full_run_records_a_signed_checkpoint_at_the_head(db):
    _events(4)
    assert verify_audit_chain().ok
    assert not VerifiedAuditCheckpoint.objects.exists()  # only when asked to record
    report = verify_audit_chain(record=True)
    assert report.ok
    stored = VerifiedAuditCheckpoint.objects.get()
    assert (stored.position, stored.full) == (4, True)
    checkpoint = newest_verified_checkpoint()
    assert checkpoint is not None
    assert checkpoint.position == 4


def test_without_a_recorded_checkpoint_the_incremental_run_verifies_in_full(db):
    _events(3)
    report = verify_audit_chain_since_checkpoint()
    assert (report.ok, report.checked) == (True, 3)
    assert "verified in full" in report.notes[0]
    assert VerifiedAuditCheckpoint.objects.get().position == 3


def test_the_incremental_run_checks_only_new_events_and_moves_the_checkpoint(db, capsys):
    _events(5)
    assert main(["audit", "verify"]) == 0  # the full run records the checkpoint at #5
    _events(3, start=5)
    report = verify_audit_chain_since_checkpoint()
    assert report.ok, report.summary()
    assert report.checked == 4  # the checkpointed event #5 (re-checked) and #6-#8
    assert [c.position for c in VerifiedAuditCheckpoint.objects.order_by("id")] == [5, 8]
    assert VerifiedAuditCheckpoint.objects.order_by("id").last().full is False
    capsys.readouterr()
    assert main(["audit", "verify", "--since-checkpoint"]) == 0
    out = capsys.readouterr().out
    assert "verified from verified checkpoint" in out
    assert "position 8" in out


def test_tampering_after_the_checkpoint_fails_the_incremental_run(db, capsys):
    _events(4)
    assert verify_audit_chain(record=True).ok
    _events(2, start=4)
    tamper("UPDATE audit_auditevent SET object_id = 'x' WHERE position = 6")
    report = verify_audit_chain_since_checkpoint()
    assert (report.ok, report.problem_position) == (False, 6)
    assert "altered" in report.problem
    assert VerifiedAuditCheckpoint.objects.count() == 1  # a broken run records nothing
    assert main(["audit", "verify", "--since-checkpoint"]) == 1


def test_tampering_before_the_checkpoint_is_found_only_by_the_full_run(db):
    """The documented limit: the incremental run trusts what the checkpoint vouched for."""
    _events(5)
    assert verify_audit_chain(record=True).ok
    _events(1, start=5)
    tamper("UPDATE audit_auditevent SET object_id = 'x' WHERE position = 2")
    assert verify_audit_chain_since_checkpoint().ok
    full = verify_audit_chain()
    assert (full.ok, full.problem_position) == (False, 2)
    assert main(["audit", "verify"]) == 1


def test_the_checkpointed_event_itself_is_checked(db):
    _events(4)
    assert verify_audit_chain(record=True).ok
    tamper("UPDATE audit_auditevent SET object_id = 'x' WHERE position = 4")  # content, same MAC
    report = verify_audit_chain_since_checkpoint()
    assert (report.ok, report.problem_position) == (False, 4)
    assert "altered" in report.problem


def test_an_event_removed_at_or_before_the_checkpoint_position_is_caught(db):
    _events(4)
    assert verify_audit_chain(record=True).ok
    tamper("DELETE FROM audit_auditevent WHERE position >= 4")  # the tail, checkpoint included
    report = verify_audit_chain_since_checkpoint()
    assert (report.ok, report.problem_position) == (False, 4)
    assert "missing or has another MAC" in report.problem


def test_a_stored_checkpoint_edited_to_start_later_is_caught(db, capsys):
    _events(4)
    assert verify_audit_chain(record=True).ok
    _events(3, start=4)
    stored = VerifiedAuditCheckpoint.objects.get()
    # move the start past an edit at #6: the signature no longer matches
    data = json.loads(stored.signed)
    data.update(position=6, count=6)
    VerifiedAuditCheckpoint.objects.filter(pk=stored.pk).update(position=6, signed=json.dumps(data))
    report = verify_audit_chain_since_checkpoint()
    assert not report.ok
    assert "signature does not match" in report.problem
    assert "full `audit verify`" in report.problem
    assert main(["audit", "verify", "--since-checkpoint"]) == 1


def test_a_stored_checkpoint_whose_position_column_was_changed_is_caught(db):
    _events(3)
    assert verify_audit_chain(record=True).ok
    VerifiedAuditCheckpoint.objects.update(position=99)
    report = verify_audit_chain_since_checkpoint()
    assert not report.ok
    assert "disagrees with what was signed" in report.problem


def test_a_checkpoint_file_still_starts_the_incremental_run_and_records_one(db, tmp_path):
    from ketaclinic.apps.audit.checkpoints import checkpoint_json, make_checkpoint

    _events(3)
    _report, signed = make_checkpoint()
    path = tmp_path / "head.json"
    path.write_text(checkpoint_json(signed))
    _events(2, start=3)
    assert main(["audit", "verify", "--since-checkpoint", str(path)]) == 0
    assert VerifiedAuditCheckpoint.objects.order_by("-position").first().position == 5
