"""Tamper evidence (the hash chain and the balances) and two nurses withdrawing at once."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import (
    DatabaseError,
    OperationalError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from tests.audit.guard import audit_guard_enforced

from ketaclinic.apps.ledger.choices import EntryKind
from ketaclinic.apps.ledger.models import Container, LedgerEntry
from ketaclinic.apps.ledger.operations import record_administration
from ketaclinic.apps.ledger.verification import verify_ledger
from ketaclinic.cli import main
from ketaclinic.clinical.exceptions import InputError


def _tamper(statement: str, params: list) -> None:
    """What someone with database credentials could do with maintenance switched on."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _three_doses(clinic, receive):
    (vial,) = receive("k10")
    for _ in range(3):
        record_administration(
            container=vial,
            patient=clinic.alice,
            volume_drawn_ml="1",
            volume_given_ml="1",
            user=clinic.nurse,
        )
    return vial


def test_an_intact_ledger_verifies_and_the_command_says_so(clinic, receive, capsys):
    _three_doses(clinic, receive)
    report = verify_ledger()
    assert report.ok
    assert report.entries_checked == 4
    assert main(["ledger", "verify"]) == 0
    assert "chain intact" in capsys.readouterr().out
    assert main(["ledger", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_an_altered_entry_is_detected_and_named(clinic, receive, capsys):
    _three_doses(clinic, receive)
    _tamper(
        "UPDATE ledger_ledgerentry SET quantity = 500, delta = -500 WHERE position = 3 "
        "AND chain = %s",
        [f"ledger:{clinic.site_a.pk}"],
    )
    report = verify_ledger()
    assert not report.ok
    assert "position 3" in report.problem
    assert "altered" in report.problem
    assert main(["ledger", "verify", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    assert out["chains"][0]["problem_position"] == 3


def test_a_deleted_entry_is_detected_by_the_chain_and_the_balances(clinic, receive):
    _three_doses(clinic, receive)
    _tamper(
        "DELETE FROM ledger_ledgerentry WHERE position = 2 AND chain = %s",
        [f"ledger:{clinic.site_a.pk}"],
    )
    report = verify_ledger()
    assert not report.ok
    assert "record 2 is missing" in report.problem
    assert any("balance after is recorded" in p for p in report.problems)


def test_a_book_balance_changed_behind_the_ledgers_back_is_detected(clinic, receive, capsys):
    vial = _three_doses(clinic, receive)
    Container.objects.filter(pk=vial.pk).update(on_hand=18000)  # 1 mL "found"
    report = verify_ledger()
    assert not report.ok
    assert "holds 18000 on the book but its entries add up to 17000" in report.problem
    assert main(["ledger", "verify"]) == 1
    assert "PROBLEM" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_raw_update_and_delete_of_entries(clinic, receive):
    _three_doses(clinic, receive)
    statements = ["UPDATE ledger_ledgerentry SET quantity = 1", "DELETE FROM ledger_ledgerentry"]
    if connection.vendor == "postgresql":
        statements.append("TRUNCATE ledger_ledgerentry CASCADE")
    with audit_guard_enforced():
        for statement in statements:
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
                c.execute(statement)
    assert LedgerEntry.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_parallel_withdrawals_from_one_vial_never_overdraw_it_or_lose_an_update(clinic, receive):
    """Eight nurses' transactions at once, each on its own database connection, each
    drawing 3 mL from one 20 mL vial: exactly six fit (18 mL), two are refused, the book
    ends at 2 mL, and the chain has one entry per success with consecutive balances.

    On PostgreSQL the container row lock (``select_for_update``) makes each transaction wait
    for the one before and re-read the balance it leaves. On SQLite writers are serialised by
    ``BEGIN IMMEDIATE`` (the whole database); the test database there is in-memory with a
    shared cache, which refuses a busy lock at once ("database table is locked") instead of
    waiting, so each nurse simply tries the whole dose again, as a busy clinic would.
    """
    (vial,) = receive("k10")
    workers = 8
    barrier = threading.Barrier(workers)
    results: list[str] = []
    lock = threading.Lock()

    def draw() -> None:
        record_administration(
            container=Container.objects.get(pk=vial.pk),
            patient=clinic.alice,
            volume_drawn_ml="3",
            volume_given_ml="3",
            user=clinic.nurse,
        )

    def nurse_draws() -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            for _attempt in range(10_000):
                try:
                    draw()
                except OperationalError as error:
                    if connection.vendor != "sqlite" or "locked" not in str(error):
                        raise
                    continue  # SQLite's shared-cache test database: try the whole dose again
                break
            outcome = "ok"
        except InputError as error:
            outcome = f"refused:{error.field}"
        except Exception as error:  # reported in the assertion below
            outcome = f"error:{type(error).__name__}:{error}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=nurse_draws) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["ok"] * 6 + ["refused:volume_drawn_ml"] * 2, results
    vial.refresh_from_db()
    assert vial.on_hand == 2000
    doses = LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION).order_by("position")
    assert [e.balance_after for e in doses] == [17000, 14000, 11000, 8000, 5000, 2000]
    assert verify_ledger().ok


def _dose(clinic, vial):
    return record_administration(
        container=vial,
        patient=clinic.alice,
        volume_drawn_ml="1",
        volume_given_ml="1",
        user=clinic.nurse,
    )


def test_the_incremental_run_checks_only_new_entries_and_catches_tampering_among_them(
    clinic, receive, capsys
):
    from ketaclinic.apps.ledger.models import VerifiedCheckpoint
    from ketaclinic.apps.ledger.verification import verify_ledger_since_checkpoint

    vial = _three_doses(clinic, receive)
    assert verify_ledger().ok  # the full run leaves the checkpoint at #4
    assert VerifiedCheckpoint.objects.get(chain=f"ledger:{clinic.site_a.pk}").position == 4
    _dose(clinic, vial)
    _dose(clinic, vial)
    report = verify_ledger_since_checkpoint()
    assert report.ok, report.problems
    assert report.entries_checked == 2  # only #5 and #6
    assert main(["ledger", "verify", "--since-checkpoint"]) == 0  # nothing new: still clean
    capsys.readouterr()
    _dose(clinic, vial)  # #7, inside the next run's window
    _tamper(
        "UPDATE ledger_ledgerentry SET quantity = 500, delta = -500 WHERE position = 7 "
        "AND chain = %s",
        [f"ledger:{clinic.site_a.pk}"],
    )
    report = verify_ledger_since_checkpoint()
    assert not report.ok
    assert "position 7" in report.problem
    assert "altered" in report.problem
    assert main(["ledger", "verify", "--since-checkpoint"]) == 1


def test_tampering_before_the_checkpoint_is_left_to_the_full_run_which_catches_it(clinic, receive):
    from ketaclinic.apps.ledger.verification import verify_ledger_since_checkpoint

    vial = _three_doses(clinic, receive)
    assert verify_ledger().ok
    _tamper(
        "UPDATE ledger_ledgerentry SET quantity = 500, delta = -500, balance_after = 18500 "
        "WHERE position = 2 AND chain = %s",
        [f"ledger:{clinic.site_a.pk}"],
    )
    _dose(clinic, vial)
    assert verify_ledger_since_checkpoint().entries_checked == 1  # the window: #5 only
    report = verify_ledger()
    assert not report.ok
    assert "position 2" in report.problem
    assert "altered" in report.problem
