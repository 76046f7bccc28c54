"""The stored "waste outstanding" (``WasteAwaited``) follows the entries that change it.

The dashboard and the waste form read these rows instead of totalling the waste of every dose
a site ever gave, so they must be exactly the doses ``outstanding_waste`` says still owe waste:
after single entries (``append_entry``), after a played-out history (``append_batch``, the
demo's path), and after the migration fills them in for a ledger that already has doses.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from tests.personas import PASSWORD

from ketaclinic.apps.ledger.choices import EntryKind
from ketaclinic.apps.ledger.forms import doses_awaiting_waste
from ketaclinic.apps.ledger.models import LedgerEntry, WasteAwaited
from ketaclinic.apps.ledger.operations import (
    outstanding_waste,
    record_administration,
    record_waste,
)


def _give(clinic, container, drawn: str, given: str):
    return record_administration(
        container=container,
        patient=clinic.alice,
        volume_drawn_ml=drawn,
        volume_given_ml=given,
        user=clinic.nurse,
    )


def _waste(clinic, container, quantity: str, dose):
    return record_waste(
        container=container,
        quantity=quantity,
        user=clinic.nurse,
        witness=clinic.prescriber,
        witness_password=PASSWORD,
        administration=dose,
    )


def _owing() -> dict[int, int]:
    """The truth, recomputed from the entries: dose -> units still to waste."""
    doses = LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION)
    return {dose.pk: outstanding_waste(dose) for dose in doses if outstanding_waste(dose) > 0}


def _stored() -> dict[int, int]:
    return dict(WasteAwaited.objects.values_list("administration_id", "due_units"))


def test_a_dose_with_a_remainder_waits_until_its_waste_is_all_witnessed(receive, clinic):
    (vial,) = receive("k10")
    exact = _give(clinic, vial, drawn="1.0", given="1.0")
    dose = _give(clinic, vial, drawn="3.5", given="3.2")
    assert _stored() == {dose.pk: 300}
    assert exact.pk not in _stored()
    _waste(clinic, vial, "0.1", dose)
    assert _stored() == {dose.pk: 200}
    assert list(doses_awaiting_waste(vial)) == [dose]
    _waste(clinic, vial, "0.2", dose)
    assert _stored() == {}
    assert list(doses_awaiting_waste(vial)) == []


def test_the_dashboard_lists_stored_rows_with_what_was_wasted_so_far(receive, clinic):
    from ketaclinic.apps.ledger.balances import ledger_tasks

    (vial,) = receive("k10")
    first = _give(clinic, vial, drawn="1.5", given="1.2")
    second = _give(clinic, vial, drawn="1.5", given="1.0")
    _waste(clinic, vial, "0.1", second)
    tasks = ledger_tasks(clinic.site_a.pk)
    assert [(dose.pk, dose.wasted) for dose in tasks.waste_due] == [(first.pk, 0), (second.pk, 100)]
    assert ledger_tasks(clinic.site_b.pk).waste_due == []


def test_a_played_out_history_stores_exactly_the_doses_still_owing(db, fixed_clock):
    from ketaclinic.apps.demo.seeding import seed_demo_clinic

    seed_demo_clinic(patient_count=6, seed=7)
    assert _stored() == _owing()


def test_the_migration_fills_in_the_doses_of_a_ledger_that_already_has_them(receive, clinic):
    (vial,) = receive("k10")
    owing = _give(clinic, vial, drawn="2.0", given="1.5")
    settled = _give(clinic, vial, drawn="2.0", given="1.8")
    _waste(clinic, vial, "0.2", settled)
    _waste(clinic, vial, "0.1", owing)
    WasteAwaited.objects.all().delete()
    migration = importlib.import_module(
        "ketaclinic.apps.ledger.migrations.0004_waste_awaited_for_the_dashboard"
    )
    migration.backfill(django_apps, None)
    assert _stored() == {owing.pk: 400} == _owing()


@pytest.mark.parametrize("remaining", ["0.3", "0.2"])
def test_waste_for_an_earlier_dose_in_a_later_batch_lowers_or_clears_its_row(
    receive, clinic, remaining
):
    from ketaclinic.apps.ledger.appending import track_waste_awaited

    (vial,) = receive("k10")
    dose = _give(clinic, vial, drawn="3.5", given="3.2")
    later = LedgerEntry(
        kind=EntryKind.WASTE, related_entry_id=dose.pk, quantity=int(float(remaining) * 1000)
    )
    track_waste_awaited([later])
    assert _stored() == ({} if remaining == "0.3" else {dose.pk: 100})
