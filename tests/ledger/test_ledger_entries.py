"""Every entry kind, every invariant, and each way a balance could try to go below zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from tests.personas import PASSWORD

from ketaclinic.apps.alerts.choices import AlertKind
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.models import AppendOnlyError, AuditEvent
from ketaclinic.apps.ledger.choices import EntryKind
from ketaclinic.apps.ledger.models import Container, Discrepancy, LedgerEntry, LossReport
from ketaclinic.apps.ledger.operations import (
    correct_entry,
    outstanding_waste,
    record_administration,
    record_count,
    record_destruction,
    record_waste,
    report_loss,
    resolve_discrepancy,
    take_inventory,
    transfer_stock,
)
from ketaclinic.apps.ledger.verification import verify_ledger
from ketaclinic.clinical.exceptions import InputError


def _fresh(container: Container) -> Container:
    return Container.objects.get(pk=container.pk)


def _give(clinic, container, drawn="2.5", given="2.5", **kwargs):
    return record_administration(
        container=container,
        patient=clinic.alice,
        volume_drawn_ml=drawn,
        volume_given_ml=given,
        user=clinic.nurse,
        **kwargs,
    )


def _refused(field: str):
    class Refusal:
        def __enter__(self):
            self.raises = pytest.raises(InputError)
            self.info = self.raises.__enter__()
            return self.info

        def __exit__(self, *exc):
            result = self.raises.__exit__(*exc)
            assert self.info.value.field == field, self.info.value
            return result

    return Refusal()


# --- receipt --------------------------------------------------------------------------------


def test_a_receipt_creates_sealed_containers_with_the_supplier_on_every_entry(receive):
    containers = receive("k10", n=3)
    assert [c.on_hand for c in containers] == [20000, 20000, 20000]
    entries = LedgerEntry.objects.filter(kind=EntryKind.RECEIPT).order_by("position")
    assert [e.position for e in entries] == [1, 2, 3]
    assert entries[0].details["supplier_dea"] == "RH0123456"
    assert entries[0].details["invoice"] == "INV-2026-0042"
    assert all(c.opened_at is None for c in containers)
    assert AuditEvent.objects.filter(object_type="ledger_entry").count() == 3
    assert verify_ledger().ok


def test_a_lot_received_again_with_another_expiry_is_refused(receive):
    receive("k10", lot="L1", expires_on=dt.date(2027, 1, 31))
    with _refused("expires_on"):
        receive("k10", lot="L1", expires_on=dt.date(2027, 2, 28))


def test_a_receipt_at_a_site_the_user_does_not_work_at_is_refused(receive, clinic):
    with _refused("site"):
        receive("k10", site=clinic.site_b, user=clinic.nurse)


# --- administration -------------------------------------------------------------------------


def test_an_administration_takes_what_was_given_and_keeps_the_rest_as_waste_due(
    receive, clinic, session
):
    (vial,) = receive("k10")
    entry = _give(clinic, vial, drawn="3.5", given="3.2", session=session)
    vial = _fresh(vial)
    # 20 mL - 3.2 mL given = 16.8 mL; 0.3 mL drawn but not given waits for a witnessed waste
    assert vial.on_hand == 16800
    assert entry.delta == -3200
    assert entry.details["drawn"] == 3500
    assert entry.details["mass_mg"] == "32"  # 3200 uL x 10 ug/uL = 32000 ug
    assert outstanding_waste(entry) == 300
    assert vial.opened_at is not None
    assert AuditEvent.objects.filter(patient=clinic.alice, object_type="ledger_entry").exists()


def test_an_administration_may_empty_the_vial_exactly_but_not_one_microlitre_more(receive, clinic):
    (vial,) = receive("k100")  # 5 mL
    with _refused("volume_drawn_ml"):
        _give(clinic, vial, drawn="5.001", given="5")
    _give(clinic, vial, drawn="5", given="5")
    assert _fresh(vial).on_hand == 0
    with _refused("volume_drawn_ml"):
        _give(clinic, vial, drawn="0.001", given="0.001")


def test_given_more_than_drawn_finer_than_a_microlitre_or_missing_are_refused(receive, clinic):
    (vial,) = receive("k10")
    with _refused("volume_given_ml"):
        _give(clinic, vial, drawn="1", given="1.5")
    with _refused("volume_given_ml"):
        _give(clinic, vial, drawn="1", given="0.0005")
    with _refused("volume_drawn_ml"):
        _give(clinic, vial, drawn="", given="1")
    with _refused("volume_given_ml"):
        _give(clinic, vial, drawn="1", given=None)
    assert _fresh(vial).on_hand == 20000


def test_expired_stock_cannot_be_administered(receive, clinic):
    # fixed clock: 10 Mar 2026, 09:00 in New York; the lot expired the day before
    (vial,) = receive("k10", lot="OLD", expires_on=dt.date(2026, 3, 9))
    with _refused("container"):
        _give(clinic, vial)


def test_stock_expiring_today_can_still_be_administered(receive, clinic):
    (vial,) = receive("k10", lot="TODAY", expires_on=dt.date(2026, 3, 10))
    _give(clinic, vial, drawn="1", given="1")


def test_another_sites_patient_session_or_container_is_refused(receive, clinic, session):
    (vial,) = receive("k10")
    with _refused("patient"):
        record_administration(
            container=vial,
            patient=clinic.bob,
            volume_drawn_ml="1",
            volume_given_ml="1",
            user=clinic.nurse,
        )
    with _refused("container"):
        record_administration(
            container=vial,
            patient=clinic.alice,
            volume_drawn_ml="1",
            volume_given_ml="1",
            user=clinic.nurse_b,
        )
    session.status = "cancelled"
    session.save()
    with _refused("session"):
        _give(clinic, vial, session=session)


def test_a_device_is_given_in_whole_units(receive, clinic):
    devices = receive("spravato", n=3)
    entry = record_administration(
        container=devices[0], patient=clinic.alice, units_given="1", user=clinic.nurse
    )
    assert entry.quantity == 1
    assert entry.details["mass_mg"] == "28"
    with _refused("units_given"):
        record_administration(
            container=devices[1], patient=clinic.alice, units_given="2", user=clinic.nurse
        )
    with _refused("units_given"):
        record_administration(container=devices[1], patient=clinic.alice, user=clinic.nurse)


def test_an_administration_rolls_back_with_the_callers_transaction(receive, clinic):
    from django.db import transaction

    (vial,) = receive("k10")

    class ChartFailed(Exception):
        pass

    def chart_transaction():
        with transaction.atomic():
            _give(clinic, vial)
            raise ChartFailed

    with pytest.raises(ChartFailed):
        chart_transaction()
    assert _fresh(vial).on_hand == 20000
    assert not LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION).exists()
    assert verify_ledger().ok


# --- waste and witnesses --------------------------------------------------------------------


def test_a_witnessed_waste_after_a_dose_clears_the_waste_due(receive, clinic):
    (vial,) = receive("k10")
    dose = _give(clinic, vial, drawn="3.5", given="3.2")
    waste = record_waste(
        container=vial,
        quantity="0.3",
        user=clinic.nurse,
        witness=clinic.prescriber,
        witness_password=PASSWORD,
        administration=dose,
    )
    assert waste.witness == clinic.prescriber
    assert waste.patient == clinic.alice
    assert outstanding_waste(dose) == 0
    assert _fresh(vial).on_hand == 16500
    with _refused("quantity"):  # nothing left to waste for that dose
        record_waste(
            container=vial,
            quantity="0.001",
            user=clinic.nurse,
            witness=clinic.prescriber,
            witness_password=PASSWORD,
            administration=dose,
        )


def test_the_rest_of_a_single_dose_vial_is_wasted_with_a_reason(receive, clinic):
    (vial,) = receive("k100")
    _give(clinic, vial, drawn="0.35", given="0.35")
    record_waste(
        container=vial,
        quantity="4.65",
        user=clinic.nurse,
        witness=clinic.director,
        witness_password=PASSWORD,
        reason="Single-dose vial: remainder discarded",
    )
    assert _fresh(vial).on_hand == 0
    assert verify_ledger().ok


@pytest.mark.parametrize(
    ("witness", "password", "field"),
    [
        ("nurse", PASSWORD, "witness"),  # the same person
        # Not licensed to witness, or at the other site: refused like a wrong password.
        ("front_desk", PASSWORD, "witness_password"),
        ("therapist", PASSWORD, "witness_password"),
        ("nurse_b", PASSWORD, "witness_password"),
        ("prescriber", "wrong-password", "witness_password"),
        ("prescriber", "", "witness_password"),
        (None, PASSWORD, "witness"),
    ],
)
def test_a_witness_must_be_another_authorised_person_who_re_authenticates(
    receive, clinic, witness, password, field
):
    (vial,) = receive("k10")
    with _refused(field):
        record_waste(
            container=vial,
            quantity="1",
            user=clinic.nurse,
            witness=clinic.persona(witness) if witness else None,
            witness_password=password,
            reason="dropped",
        )
    assert _fresh(vial).on_hand == 20000


def test_an_inactive_witness_is_refused(receive, clinic):
    (vial,) = receive("k10")
    clinic.prescriber.is_active = False
    clinic.prescriber.save()
    with _refused("witness_password"):
        record_waste(
            container=vial,
            quantity="1",
            user=clinic.nurse,
            witness=clinic.prescriber,
            witness_password=PASSWORD,
            reason="x",
        )


def test_waste_without_a_dose_needs_a_reason_and_cannot_overdraw(receive, clinic):
    (vial,) = receive("k100")
    kwargs = {"user": clinic.nurse, "witness": clinic.prescriber, "witness_password": PASSWORD}
    with _refused("reason"):
        record_waste(container=vial, quantity="1", **kwargs)
    with _refused("quantity"):
        record_waste(container=vial, quantity="5.001", reason="dropped", **kwargs)


# --- destruction, transfer, loss ------------------------------------------------------------


def test_destruction_needs_two_different_witnesses_and_records_form_41(receive, clinic):
    (vial,) = receive("k10", lot="EXP", expires_on=dt.date(2026, 1, 31))
    base = {
        "container": vial,
        "quantity": "20",
        "method": "non_retrievable",
        "user": clinic.prescriber,
        "witness": clinic.nurse,
        "witness_password": PASSWORD,
        "reason": "Expired",
    }
    with _refused("second_witness"):
        record_destruction(**base, second_witness=clinic.nurse, second_witness_password=PASSWORD)
    with _refused("second_witness_password"):
        record_destruction(**base, second_witness=clinic.director, second_witness_password="no")
    with _refused("method"):
        record_destruction(
            **{**base, "method": "flushed"},
            second_witness=clinic.director,
            second_witness_password=PASSWORD,
        )
    entry = record_destruction(
        **base, second_witness=clinic.director, second_witness_password=PASSWORD
    )
    assert entry.details["form"] == "DEA Form 41"
    assert entry.details["mass_mg"] == "200"  # 20 mL x 10 mg/mL
    assert entry.details["witnesses"] == ["nadia", "dora"]
    assert _fresh(vial).on_hand == 0


def test_a_transfer_moves_stock_from_one_sites_chain_to_the_others(receive, clinic):
    clinic.prescriber.sites.add(clinic.site_b)
    (vial,) = receive("k10")
    out, into = transfer_stock(
        container=vial, to_site=clinic.site_b, quantity="5", user=clinic.prescriber
    )
    assert out.chain == f"ledger:{clinic.site_a.pk}"
    assert into.chain == f"ledger:{clinic.site_b.pk}"
    assert into.position == 1
    assert _fresh(vial).on_hand == 15000
    assert into.container.site == clinic.site_b
    assert into.container.on_hand == 5000
    assert into.container.transferred_from_id == vial.pk
    with _refused("to_site"):
        transfer_stock(container=vial, to_site=clinic.site_a, user=clinic.prescriber)
    assert verify_ledger().ok


def test_a_transfer_to_a_site_the_user_does_not_work_at_is_refused(receive, clinic):
    (vial,) = receive("k10")
    with _refused("to_site"):
        transfer_stock(container=vial, to_site=clinic.site_b, user=clinic.prescriber)


def test_a_loss_records_form_106_data_deadlines_and_an_urgent_alert(receive, clinic):
    (vial,) = receive("k10")
    entry = report_loss(
        container=vial,
        quantity="2",
        loss_type="employee_pilferage",
        discovered_on=dt.date(2026, 3, 6),
        description="Vial found short at count",
        police_notified=True,
        user=clinic.nurse,
    )
    report = LossReport.objects.get(entry=entry)
    # Friday 6 Mar -> notice by Monday 9 Mar; Form 106 by 6 Mar + 45 days = 20 Apr
    assert report.notify_by == dt.date(2026, 3, 9)
    assert report.form_106_by == dt.date(2026, 4, 20)
    assert entry.details["form"] == "DEA Form 106"
    assert _fresh(vial).on_hand == 18000
    assert Alert.objects.filter(kind=AlertKind.LEDGER_DISCREPANCY, source_id=entry.pk).exists()
    with _refused("discovered_on"):
        report_loss(
            container=vial,
            quantity="1",
            loss_type="other",
            discovered_on=dt.date(2026, 3, 11),
            description="x",
            police_notified=False,
            user=clinic.nurse,
        )


def test_the_one_business_day_notice_skips_the_sites_holidays(receive, clinic):
    from ketaclinic.apps.treatment.models import Holiday

    Holiday.objects.create(site=clinic.site_a, date=dt.date(2026, 3, 9), name="Closed")
    (vial,) = receive("k10")
    entry = report_loss(
        container=vial,
        quantity="1",
        loss_type="other",
        discovered_on=dt.date(2026, 3, 6),
        description="Short at count",
        police_notified=False,
        user=clinic.nurse,
    )
    # Friday 6 Mar; Monday 9 Mar closed -> Tuesday 10 Mar
    assert entry.loss_report.notify_by == dt.date(2026, 3, 10)


# --- counts, discrepancies, inventory -------------------------------------------------------


def test_a_count_that_matches_the_book_opens_nothing(receive, clinic):
    (vial,) = receive("k10")
    entry, discrepancy = record_count(container=vial, counted="20", user=clinic.nurse)
    assert discrepancy is None
    assert entry.delta == 0
    assert entry.book_quantity == 20000


def test_a_count_that_differs_opens_a_discrepancy_and_an_alert_until_resolved(receive, clinic):
    (vial,) = receive("k10")
    _give(clinic, vial, drawn="2", given="2")
    _entry, discrepancy = record_count(
        container=vial, counted="17.5", estimated=True, user=clinic.nurse
    )
    assert discrepancy.difference == -500  # 17.5 mL counted, 18 mL on the book
    assert discrepancy.alert.kind == AlertKind.LEDGER_DISCREPANCY
    assert _fresh(vial).on_hand == 18000  # a count never changes the book
    with _refused("user"):
        resolve_discrepancy(discrepancy=discrepancy, reason="miscount", user=clinic.nurse)
    with _refused("reason"):
        resolve_discrepancy(discrepancy=discrepancy, reason="  ", user=clinic.director)
    resolved = resolve_discrepancy(
        discrepancy=discrepancy, reason="Recounted: 18 mL, meniscus misread", user=clinic.director
    )
    assert not resolved.is_open
    assert Alert.objects.get(pk=discrepancy.alert_id).acknowledged_by == clinic.director
    with _refused("discrepancy"):
        resolve_discrepancy(discrepancy=discrepancy, reason="again", user=clinic.director)


def test_a_sealed_container_cannot_be_counted_by_estimate(receive, clinic):
    (vial,) = receive("k10")
    with _refused("estimated"):
        record_count(container=vial, counted="20", estimated=True, user=clinic.nurse)


def test_an_empty_container_counts_as_zero(receive, clinic):
    (vial,) = receive("k100")
    _give(clinic, vial, drawn="5", given="5")
    _entry, discrepancy = record_count(container=vial, counted="0", user=clinic.nurse)
    assert discrepancy is None


def test_an_inventory_counts_every_stocked_container_or_names_the_one_left_out(receive, clinic):
    first, second = receive("k10", n=2)
    with _refused(f"container_{second.pk}"):
        take_inventory(
            site=clinic.site_a,
            kind="initial",
            timing="opening",
            counts={first.pk: ("20", False)},
            user=clinic.director,
        )
    inventory, discrepancies = take_inventory(
        site=clinic.site_a,
        kind="initial",
        timing="opening",
        counts={first.pk: ("20", False), second.pk: ("19", False)},
        user=clinic.director,
    )
    assert inventory.counts.count() == 2
    assert [d.container_id for d in discrepancies] == [second.pk]


# --- corrections ----------------------------------------------------------------------------


def test_a_correction_references_the_entry_and_moves_the_balance_by_the_difference(receive, clinic):
    (vial,) = receive("k10")
    dose = _give(clinic, vial, drawn="3", given="3")
    correction = correct_entry(
        entry=dose, corrected_quantity="2.5", reason="Typed 3 for 2.5", user=clinic.prescriber
    )
    assert correction.corrects == dose
    assert correction.effect_kind == EntryKind.ADMINISTRATION
    assert correction.delta == 500  # 0.5 mL back on the shelf
    assert _fresh(vial).on_hand == 17500
    dose.refresh_from_db()
    assert dose.quantity == 3000  # the original is never edited
    assert verify_ledger().ok


def test_a_correction_that_would_take_the_balance_below_zero_is_refused(receive, clinic):
    (vial,) = receive("k100")  # 5 mL received
    _give(clinic, vial, drawn="4", given="4")
    receipt = LedgerEntry.objects.get(container=vial, kind=EntryKind.RECEIPT)
    with _refused("corrected_quantity"):  # received 3 mL would mean -1 mL on hand
        correct_entry(entry=receipt, corrected_quantity="3", reason="x", user=clinic.director)
    correct_entry(
        entry=receipt, corrected_quantity="4", reason="Short-filled", user=clinic.director
    )
    assert _fresh(vial).on_hand == 0
    assert _fresh(vial).initial_quantity == 4000


def test_counts_and_transfers_are_not_corrected_and_no_op_corrections_are_refused(receive, clinic):
    (vial,) = receive("k10")
    count, _ = record_count(container=vial, counted="20", user=clinic.nurse)
    with _refused("entry"):
        correct_entry(entry=count, corrected_quantity="19", reason="x", user=clinic.director)
    receipt = LedgerEntry.objects.get(container=vial, kind=EntryKind.RECEIPT)
    with _refused("corrected_quantity"):
        correct_entry(entry=receipt, corrected_quantity="20", reason="x", user=clinic.director)
    with _refused("reason"):
        correct_entry(entry=receipt, corrected_quantity="19", reason="", user=clinic.director)


# --- append-only ----------------------------------------------------------------------------


def test_the_orm_refuses_to_edit_or_delete_an_entry(receive):
    receive("k10")
    entry = LedgerEntry.objects.get()
    entry.quantity = 1
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.update(quantity=1)


def test_the_database_refuses_a_negative_container_balance(receive):
    from django.db import IntegrityError, transaction

    (vial,) = receive("k10")
    with pytest.raises(IntegrityError), transaction.atomic():
        Container.objects.filter(pk=vial.pk).update(on_hand=-1)


def test_the_ledger_equation_holds_after_every_kind_of_entry(receive, clinic):
    clinic.director.sites.add(clinic.site_b)
    first, second = receive("k10", n=2)
    dose = _give(clinic, first, drawn="3.5", given="3.2")
    kwargs = {"witness": clinic.prescriber, "witness_password": PASSWORD}
    record_waste(container=first, quantity="0.3", user=clinic.nurse, administration=dose, **kwargs)
    record_destruction(
        container=second,
        quantity="1",
        method="non_retrievable",
        user=clinic.director,
        witness=clinic.nurse,
        witness_password=PASSWORD,
        second_witness=clinic.prescriber,
        second_witness_password=PASSWORD,
        reason="Contaminated",
    )
    transfer_stock(container=second, to_site=clinic.site_b, quantity="4", user=clinic.director)
    report_loss(
        container=second,
        quantity="0.5",
        loss_type="spillage",
        discovered_on=dt.date(2026, 3, 10),
        description="Vial cracked",
        police_notified=False,
        user=clinic.nurse,
    )
    correct_entry(entry=dose, corrected_quantity="3.0", reason="x", user=clinic.director)
    report = verify_ledger()
    assert report.ok, report.problem
    # received 40 mL - given 3.0 - wasted 0.3 - destroyed 1 - out 4 - lost 0.5 = 31.2 mL at A
    on_hand_a = sum(c.on_hand for c in Container.objects.filter(site=clinic.site_a))
    assert on_hand_a == 40000 - 3000 - 300 - 1000 - 4000 - 500 == 31200
    assert Discrepancy.objects.count() == 0
    assert Decimal(first.product.mass_mg(on_hand_a)) == Decimal("312")


@pytest.mark.parametrize("kind", ["administration", "waste", "destruction", "loss", "transfer"])
def test_no_kind_of_withdrawal_can_take_a_vial_below_zero(receive, clinic, kind):
    """5 mL vial, 4 mL given: asking for 1.001 mL more is refused by every kind alike."""
    clinic.prescriber.sites.add(clinic.site_b)
    (vial,) = receive("k100")
    _give(clinic, vial, drawn="4", given="4")
    witnesses = {"witness": clinic.director, "witness_password": PASSWORD}
    attempts = {
        "administration": lambda: _give(clinic, vial, drawn="1.001", given="1"),
        "waste": lambda: record_waste(
            container=vial, quantity="1.001", user=clinic.nurse, reason="x", **witnesses
        ),
        "destruction": lambda: record_destruction(
            container=vial,
            quantity="1.001",
            method="non_retrievable",
            user=clinic.prescriber,
            reason="x",
            second_witness=clinic.nurse,
            second_witness_password=PASSWORD,
            **witnesses,
        ),
        "loss": lambda: report_loss(
            container=vial,
            quantity="1.001",
            loss_type="other",
            discovered_on=dt.date(2026, 3, 10),
            description="x",
            police_notified=False,
            user=clinic.nurse,
        ),
        "transfer": lambda: transfer_stock(
            container=vial, to_site=clinic.site_b, quantity="1.001", user=clinic.prescriber
        ),
    }
    field = "volume_drawn_ml" if kind == "administration" else "quantity"
    with _refused(field):
        attempts[kind]()
    assert _fresh(vial).on_hand == 1000
    assert verify_ledger().ok


def test_waste_still_due_is_listed_even_behind_a_page_of_doses_fully_wasted(
    receive, clinic, fixed_clock, monkeypatch
):
    # The dashboard shows the oldest doses with waste outstanding, up to a limit; the limit
    # applies to doses that still owe waste, never to all doses that once did.
    from ketaclinic.apps.ledger import balances

    monkeypatch.setattr(balances, "WASTE_DUE_SHOWN", 2)
    (vial,) = receive("k10")
    for _ in range(2):
        dose = _give(clinic, vial, drawn="1.5", given="1.2")
        record_waste(
            container=vial,
            quantity="0.3",
            user=clinic.nurse,
            witness=clinic.prescriber,
            witness_password=PASSWORD,
            administration=dose,
        )
    partly = _give(clinic, vial, drawn="1.5", given="1.2")
    record_waste(
        container=vial,
        quantity="0.1",
        user=clinic.nurse,
        witness=clinic.prescriber,
        witness_password=PASSWORD,
        administration=partly,
    )
    untouched = _give(clinic, vial, drawn="1.0", given="0.9")
    tasks = balances.ledger_tasks(clinic.site_a.pk)
    assert [entry.pk for entry in tasks.waste_due] == [partly.pk, untouched.pk]
    assert [entry.wasted for entry in tasks.waste_due] == [100, 0]


def test_waste_outstanding_past_the_first_200_doses_still_reaches_the_dashboard(
    receive, clinic, fixed_clock
):
    # 205 doses that owed waste and had it witnessed, then one still owing: it is row 206 of
    # the site's doses that ever owed waste, past the dashboard's 200, and must be listed.
    from ketaclinic.apps.ledger import balances

    vials = receive("k10", n=11)
    for n in range(205):
        dose = _give(clinic, vials[n // 20], drawn="1.0", given="0.9")
        record_waste(
            container=vials[n // 20],
            quantity="0.1",
            user=clinic.nurse,
            witness=clinic.prescriber,
            witness_password=PASSWORD,
            administration=dose,
        )
    owing = _give(clinic, vials[10], drawn="1.0", given="0.8")
    assert balances.WASTE_DUE_SHOWN == 200
    tasks = balances.ledger_tasks(clinic.site_a.pk)
    assert [entry.pk for entry in tasks.waste_due] == [owing.pk]
    assert tasks.waste_due[0].wasted == 0
