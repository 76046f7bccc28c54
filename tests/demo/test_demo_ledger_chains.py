"""The demo ledger written in bulk is the ledger the live service would have written.

The bulk path computes every entry's position and hash itself; these tests hold it to the
live ``append_entry`` path entry for entry, and to both verifiers (the ledger's own and the
audit trail's) on a whole seeded demo.
"""

from __future__ import annotations

import random

import pytest
from django.db import transaction
from django.db.models import Sum

from ketaclinic.apps.audit.chaining import chain_pending
from ketaclinic.apps.audit.models import ChainHead
from ketaclinic.apps.audit.verification import verify_audit_chain
from ketaclinic.apps.demo import organisation, patients
from ketaclinic.apps.demo import treatment as demo_treatment
from ketaclinic.apps.demo.ledger import IN_BULK, LEDGER_CHUNK, ONE_BY_ONE, create_ledger
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.ledger.models import Container, LedgerEntry, chain_name
from ketaclinic.apps.ledger.verification import verify_ledger
from ketaclinic.apps.web import clock


def test_a_seeded_demo_passes_both_chain_verifications_and_balances_add_up(db, fixed_clock):
    seed_demo_clinic(patient_count=80, seed=5)
    ledger = verify_ledger()
    assert ledger.ok, ledger.problem
    assert ledger.entries_checked == LedgerEntry.objects.count() > 300
    chain_pending()  # what the commits (or cron) do outside the test's transaction
    audit = verify_audit_chain()
    assert audit.ok, audit.summary()
    for container in Container.objects.all():
        moved = container.entries.aggregate(total=Sum("delta"))["total"]
        assert moved == container.on_hand, container.label
        last = container.entries.order_by("-position").first()
        assert last.balance_after == container.on_hand, container.label
    for site_id in set(LedgerEntry.objects.values_list("site_id", flat=True)):
        head = ChainHead.objects.get(name=chain_name(site_id))
        newest = LedgerEntry.objects.filter(site_id=site_id).order_by("-position").first()
        assert (head.position, head.last_hash) == (newest.position, newest.hash)
        assert head.position == LedgerEntry.objects.filter(site_id=site_id).count()


def _ledger_as_written() -> list[tuple]:
    """Every entry's content with keys replaced by what they name, so two databases whose
    sequences differ (PostgreSQL does not roll a sequence back) still compare."""
    label = dict(Container.objects.values_list("id", "label"))
    where = {
        pk: (chain, position)
        for pk, chain, position in LedgerEntry.objects.values_list("id", "chain", "position")
    }
    rows = []
    for entry in LedgerEntry.objects.order_by("chain", "position"):
        fields = entry.chained_fields()
        fields["container_id"] = label[fields["container_id"]]
        fields["related_entry_id"] = where.get(fields["related_entry_id"])
        rows.append(tuple(sorted((k, repr(v)) for k, v in fields.items())))
    on_hand = sorted(Container.objects.values_list("label", "on_hand", "opened_at"))
    return [*rows, *on_hand]


class _Undo(Exception):
    pass


@pytest.mark.parametrize(
    ("patient_count", "chunk"),
    [(0, LEDGER_CHUNK), (24, LEDGER_CHUNK), (24, 7)],  # 7: vials carried over many writes
)
def test_the_bulk_ledger_matches_the_live_service_entry_for_entry(
    db, fixed_clock, patient_count, chunk
):
    _org, sites, users = organisation.create_organisation()
    rng = random.Random(9)
    site_list = list(sites.values())
    patients.create_patients(patient_count, site_list, users["nurse"], rng, clock.today())
    demo_treatment.create_treatment(list(sites.values()), users, rng, clock.now())
    state = rng.getstate()
    written = {}
    for way in (ONE_BY_ONE, IN_BULK):
        try:
            with transaction.atomic():
                rng.setstate(state)
                create_ledger(list(sites.values()), users, rng, clock.now(), write=way, chunk=chunk)
                report = verify_ledger()
                assert report.ok, (way, report.problem)
                written[way] = _ledger_as_written()
                raise _Undo
        except _Undo:
            pass
    assert written[IN_BULK] == written[ONE_BY_ONE]
    assert len(written[IN_BULK]) > 40


def test_the_bulk_ledger_continues_a_chain_that_already_has_entries(db, fixed_clock):
    _org, sites, users = organisation.create_organisation()
    site_list = list(sites.values())
    patients.create_patients(20, site_list, users["nurse"], random.Random(1), clock.today())
    create_ledger(list(sites.values()), users, random.Random(2), clock.now(), write=ONE_BY_ONE)
    before = LedgerEntry.objects.count()
    create_ledger(list(sites.values()), users, random.Random(3), clock.now(), write=IN_BULK)
    assert LedgerEntry.objects.count() > before + 100
    report = verify_ledger()
    assert report.ok, report.problem
    assert Container.objects.values("label").distinct().count() == Container.objects.count()


def test_an_unknown_way_of_writing_is_refused_by_name(db):
    with pytest.raises(ValueError, match="write must be 'in_bulk' or 'one_by_one', not 'x'"):
        create_ledger([], {}, random.Random(3), clock.now(), write="x")
