"""The demo ledger is believable and verifies; the ``ketaclinic ledger`` subcommands."""

from __future__ import annotations

import json
import random

from ketaclinic.apps.demo import organisation
from ketaclinic.apps.demo.ledger import create_ledger
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.ledger.choices import DiscrepancyStatus, EntryKind
from ketaclinic.apps.ledger.models import Discrepancy, LedgerEntry
from ketaclinic.apps.ledger.verification import verify_ledger
from ketaclinic.apps.web import clock
from ketaclinic.cli import main


def test_the_demo_ledger_follows_the_discharged_sessions_and_verifies(db, fixed_clock):
    seed_demo_clinic(patient_count=60, seed=3)
    doses = LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION)
    assert doses.exists()
    assert not doses.filter(session__isnull=True).exists()
    assert set(doses.values_list("session__status", flat=True)) == {"discharged"}
    wastes = LedgerEntry.objects.filter(kind=EntryKind.WASTE)
    assert wastes.exists()
    assert not wastes.filter(witness__isnull=True).exists()
    assert LedgerEntry.objects.filter(kind=EntryKind.DESTRUCTION).count() == 1
    open_ones = Discrepancy.objects.filter(status=DiscrepancyStatus.OPEN)
    assert open_ones.count() == 1
    assert open_ones.get().difference == -200  # 0.2 mL short at Riverside
    report = verify_ledger()
    assert report.ok, report.problem


def test_the_demo_ledger_stands_alone_without_treatment_sessions(db, fixed_clock):
    _org, sites, users = organisation.create_organisation()
    from ketaclinic.apps.demo import patients

    patients.create_patients(
        20, list(sites.values()), users["nurse"], random.Random(1), clock.today()
    )
    create_ledger(list(sites.values()), users, random.Random(2), clock.now())
    doses = LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION)
    assert doses.count() > 20
    assert not doses.filter(session__isnull=False).exists()
    assert verify_ledger().ok


def test_balances_command_prints_json_per_site_and_product(clinic, receive, capsys):
    receive("k10", n=2)
    receive("spravato", n=3, lot="SP1")
    assert main(["ledger", "balances", "--site", "riverside", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_product = {row["ndc"]: row for row in rows}
    assert by_product["0409-2051-05"]["on_hand"] == 40000
    assert by_product["0409-2051-05"]["on_hand_mg"] == 400  # 40 mL x 10 mg/mL
    assert by_product["50458-028-02"]["on_hand_text"] == "3 units"
    assert main(["ledger", "balances"]) == 0
    assert "riverside" in capsys.readouterr().out


def test_balances_for_an_unknown_site_is_one_line_and_exit_two(clinic, capsys):
    assert main(["ledger", "balances", "--site", "nowhere"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["ketaclinic: error: --site: no site with slug 'nowhere'"]


def test_deadlines_command_needs_no_database(capsys):
    # Friday 6 March 2026: notice by Monday 9 March; Form 106 by 20 April (6 Mar + 45 days).
    assert main(["ledger", "deadlines", "--discovered", "2026-03-06", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["notify_field_office_by"] == "2026-03-09"
    assert out["form_106_by"] == "2026-04-20"
    assert (
        main(["ledger", "deadlines", "--discovered", "2026-07-02", "--holiday", "2026-07-03"]) == 0
    )
    assert "2026-07-06" in capsys.readouterr().out


def test_a_bad_date_is_one_line_and_exit_two(capsys):
    assert main(["ledger", "deadlines", "--discovered", "yesterday"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
