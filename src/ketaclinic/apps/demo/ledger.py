"""Demo controlled-substance ledger: receipts, a dose entry for every discharged session,
witnessed waste, an expired lot (one vial destroyed), end-of-day counts and one open
discrepancy — all on real hash chains, so ``ketaclinic ledger verify`` passes on the demo.

Each site's history is played out in memory, in time order (``_SiteLedger``): which vial
each dose comes from, when a vial runs low and is wasted, when stock is reordered. That history
is written one of two ways. ``in_bulk`` (the demo's way) inserts lots and containers with
``bulk_create`` and hands the entries to the ledger's own batched append
(``ledger.appending.append_batch``), a chunk of ``LEDGER_CHUNK`` entries at a time so the
demo's memory stays flat in the clinic's size; the append checks their balances and gives
every entry its position, previous hash and hash by the same ``chain_hash`` over
``LedgerEntry.chained_fields`` as the live ``append_entry`` — the ledger is the one author
of its chains. ``one_by_one``
writes the very same history through the live ``append_entry`` (row lock, chain head, balance),
an entry at a time as the clinic would; the tests hold the two to identical hashes and the
benchmark times one against the other. Witnesses' password re-entry is the one step both skip
(it would hash a password per waste). The closing counts go through the live ``record_count``
either way (they audit and open the demo's one discrepancy). Without treatment sessions (the
treatment demo not installed) the generator doses random patients instead, so it stands alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ketaclinic.apps.accounts.models import Site, User
from ketaclinic.apps.accounts.scoping import at_sites
from ketaclinic.apps.ledger.appending import append_batch, append_entry
from ketaclinic.apps.ledger.choices import (
    DestructionMethod,
    Drug,
    EntryKind,
    InventoryKind,
    InventoryTiming,
    Measure,
    ProductForm,
)
from ketaclinic.apps.ledger.models import (
    Container,
    Inventory,
    LedgerEntry,
    Lot,
    Product,
)
from ketaclinic.apps.ledger.reconciling import record_count
from ketaclinic.apps.patients.models import Measurement, Patient
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.bulk_write import insert_objects, update_rows

__all__ = ["IN_BULK", "LEDGER_CHUNK", "ONE_BY_ONE", "PRODUCTS", "create_ledger"]

IN_BULK = "in_bulk"
ONE_BY_ONE = "one_by_one"

# key, name, NDC, drug, form, strength mg (per mL or per unit), measure, package, maker
PRODUCTS = (
    ("k10", "Ketamine HCl 10 mg/mL, 20 mL vial", "0409-2051-05", Drug.KETAMINE_HCL,
     ProductForm.SOLUTION, "10", Measure.MICROLITRE, 20000, "Hospira"),
    ("k50", "Ketamine HCl 50 mg/mL, 10 mL vial", "0409-2052-10", Drug.KETAMINE_HCL,
     ProductForm.SOLUTION, "50", Measure.MICROLITRE, 10000, "Hospira"),
    ("k100", "Ketamine HCl 100 mg/mL, 5 mL vial", "0409-2053-10", Drug.KETAMINE_HCL,
     ProductForm.SOLUTION, "100", Measure.MICROLITRE, 5000, "Hospira"),
    ("spravato", "Spravato 28 mg nasal spray device", "50458-028-02", Drug.ESKETAMINE,
     ProductForm.NASAL_DEVICE, "28", Measure.UNIT, 1, "Janssen"),
)  # fmt: skip
PRODUCT_FOR_ROUTE = {"iv": "k10", "im": "k50", "esketamine": "spravato"}
LEDGER_CHUNK = 20_000
"""Entries played out before the demo writes them (``IN_BULK``): the history is written a
chunk at a time, so memory does not grow with the clinic."""


REORDER = {"k10": 10, "k50": 6, "spravato": 12}
SUPPLIER = {
    "supplier_name": "Henry Schein Medical",
    "supplier_address": "135 Duryea Road, Melville, NY 11747",
    "supplier_dea": "RH0123456",
}


@dataclass(eq=False)
class _Entry:
    """One ledger entry of the played-out history, before it has a key or a place in the
    chain. Its attribute names are ``LedgerEntry``'s, so the model's own ``chained_fields``
    reads it (``chained_fields`` below is that very function)."""

    container: Container
    kind: str
    quantity: int
    delta: int
    balance_after: int
    occurred_at: dt.datetime
    user_id: int
    witness_id: int | None = None
    second_witness_id: int | None = None
    patient_id: int | None = None
    session_id: int | None = None
    related: _Entry | None = None
    reason: str = ""
    details: dict = field(default_factory=dict)
    # Set when written:
    id: int | None = None
    chain: str = ""
    position: int = 0
    prev_hash: str = ""
    hash: str = ""
    effect_kind: str = ""
    book_quantity: int | None = None
    estimated: bool = False
    corrects_id: int | None = None
    inventory_id: int | None = None

    chained_fields = LedgerEntry.chained_fields

    def __post_init__(self) -> None:
        self.effect_kind = self.kind

    @property
    def recorded_at(self) -> dt.datetime:
        return self.occurred_at  # the demo writes each entry as it happens

    @property
    def site_id(self) -> int:
        return self.container.site_id

    @property
    def container_id(self) -> int:
        return self.container.pk

    @property
    def related_entry_id(self) -> int | None:
        return self.related.id if self.related is not None else None


class _SiteLedger:
    """One site's stock while its history is played out in time order, in memory."""

    def __init__(
        self, site: Site, products: dict, lots: dict, users: dict, rng: random.Random
    ) -> None:
        self.site = site
        self.products = products
        self.lots = lots  # (product id, lot number) -> Lot, saved or not, shared by sites
        self.rng = rng
        self.nurse = users["nurse" if site.slug == "riverside" else "nurse.lakeview"]
        self.witnesses = [users["prescriber"], users["director"]]
        self.people = {user.pk: user for user in users.values()}
        self.sealed: dict[str, list[Container]] = {key: [] for key in products}
        self.opened: dict[str, Container | None] = dict.fromkeys(products)
        self.invoice = 0
        self.labelled = Container.objects.filter(site=site).count()
        # Since the last write (``_write_in_bulk``): containers received, entries played,
        # and the stored containers whose balance moved.
        self.containers: list[Container] = []
        self.entries: list[_Entry] = []
        self.moved: dict[int, Container] = {}

    def _append(self, container: Container, kind: str, delta: int, quantity: int, **fields):
        """The history's next entry; moves the container's balance as ``append_entry`` does."""
        balance = container.on_hand + delta
        assert balance >= 0, f"{container.label} would go below zero"
        entry = _Entry(container, kind, quantity, delta, balance, user_id=self.nurse.pk, **fields)
        container.on_hand = balance
        if delta < 0 and container.opened_at is None:
            container.opened_at = entry.occurred_at
        if container.pk is not None:
            self.moved[container.pk] = container
        self.entries.append(entry)
        return entry

    def receive(self, key: str, count: int, moment: dt.datetime, expires_on=None) -> None:
        product = self.products[key]
        self.invoice += 1
        lot_number = f"{self.rng.choice('ABCDEFGH')}{self.rng.randint(10000, 99999)}"
        expires_on = expires_on or (moment + dt.timedelta(days=540)).date().replace(day=1)
        lot = self.lots.setdefault(
            (product.pk, lot_number),
            Lot(product=product, lot_number=lot_number, expires_on=expires_on),
        )
        details = {
            **SUPPLIER,
            "invoice": f"INV-{self.site.slug[:3].upper()}-{moment:%y%m%d}-{self.invoice:03d}",
            "lot_number": lot_number,
            "expires_on": lot.expires_on.isoformat(),
            "ndc": product.ndc,
        }
        for _ in range(count):
            self.labelled += 1
            container = Container(
                site=self.site,
                product=product,
                lot=lot,
                label=f"{self.site.slug[:3].upper()}-{self.labelled:05d}",
                initial_quantity=product.package_quantity,
                on_hand=0,
                received_at=moment,
            )
            self.containers.append(container)
            quantity = product.package_quantity
            self._append(
                container, EntryKind.RECEIPT, quantity, quantity, occurred_at=moment,
                details=details,
            )  # fmt: skip
            self.sealed[key].append(container)

    def _next(self, key: str, moment: dt.datetime) -> Container:
        if not self.sealed[key]:
            self.receive(key, REORDER[key], moment - dt.timedelta(hours=2))
        container = self.sealed[key].pop(0)
        self.opened[key] = container
        return container

    def _waste(self, container, amount: int, moment, reason: str, dose=None) -> None:
        self._append(
            container,
            EntryKind.WASTE,
            -amount,
            amount,
            witness_id=self.rng.choice(self.witnesses).pk,
            reason=reason,
            related=dose,
            patient_id=dose.patient_id if dose else None,
            session_id=dose.session_id if dose else None,
            occurred_at=moment,
        )

    def dose_solution(self, key: str, dose_mg: Decimal, patient_id, session_id, moment) -> None:
        product = self.products[key]
        given = int((dose_mg / product.strength_mg * 1000).to_integral_value(ROUND_HALF_UP))
        extra = 0 if self.rng.random() < 0.7 else self.rng.choice((100, 200, 300))
        container = self.opened[key]
        if container is not None and container.on_hand < given + extra:
            self._waste(
                container,
                container.on_hand,
                moment - dt.timedelta(minutes=5),
                "Remainder less than a dose: multi-dose vial discarded",
            )
            container = None
        if container is None:
            container = self._next(key, moment)
        dose = self._append(
            container,
            EntryKind.ADMINISTRATION,
            -given,
            given,
            patient_id=patient_id,
            session_id=session_id,
            occurred_at=moment,
            details={
                "drawn": given + extra,
                "waste_due": extra,
                "mass_mg": product.mass_text(given),
            },
        )
        if extra:
            self._waste(container, extra, moment + dt.timedelta(minutes=2), "", dose=dose)

    def dose_devices(self, devices: int, patient_id, session_id, moment) -> None:
        product = self.products["spravato"]
        for offset in range(devices):
            container = self._next("spravato", moment)
            when = moment + dt.timedelta(minutes=5 * offset)
            self._append(
                container,
                EntryKind.ADMINISTRATION,
                -1,
                1,
                patient_id=patient_id,
                session_id=session_id,
                occurred_at=when,
                details={"drawn": 1, "waste_due": 0, "mass_mg": product.mass_text(1)},
            )
            self.opened["spravato"] = None

    def destroy(self, container: Container, moment: dt.datetime, destroyer, witnesses) -> None:
        product = container.product
        entry = self._append(
            container,
            EntryKind.DESTRUCTION,
            -container.on_hand,
            container.on_hand,
            witness_id=witnesses[0].pk,
            second_witness_id=witnesses[1].pk,
            reason="Expired lot",
            occurred_at=moment,
            details={
                "form": "DEA Form 41",
                "registrant_dea": self.site.dea_registration,
                "drug": product.get_drug_display(),
                "ndc": product.ndc,
                "strength": product.strength_text,
                "dosage_form": product.get_form_display(),
                "lot_number": container.lot.lot_number,
                "quantity": product.quantity_text(container.on_hand),
                "mass_mg": product.mass_text(container.on_hand),
                "method": DestructionMethod.NON_RETRIEVABLE,
                "witnesses": [witnesses[0].username, witnesses[1].username],
            },
        )
        entry.user_id = destroyer.pk


def _ensure_products() -> dict[str, Product]:
    products = {}
    for key, name, ndc, drug, form, strength, measure, package, maker in PRODUCTS:
        products[key], _ = Product.objects.get_or_create(
            ndc=ndc,
            defaults={
                "name": name,
                "drug": drug,
                "form": form,
                "strength_mg": Decimal(strength),
                "measure": measure,
                "package_quantity": package,
                "manufacturer": maker,
            },
        )
    return products


def _doses(site: Site, rng: random.Random, now: dt.datetime) -> Iterator[tuple]:
    """(moment, route, dose_mg, patient id, session id) for each dose given at the site, in
    time order, read a few thousand sessions at a time."""
    from ketaclinic.apps.treatment.models import Session

    sessions = (
        Session.objects.filter(
            site=site,
            status="discharged",
            kind="dosing",
            course__route__in=list(PRODUCT_FOR_ROUTE),
        )
        .order_by("dose_started_at", "id")
        .values_list(
            "id",
            "patient_id",
            "dose_started_at",
            "planned_start",
            "course__route",
            "course__target_dose_mg",
            "course__target_dose_mg_per_kg",
        )
    )
    weights = {}
    for patient_id, weight in (
        Measurement.objects.filter(patient__site=site)
        .order_by("patient_id", "measured_on")
        .values_list("patient_id", "weight_kg")
    ):
        weights[patient_id] = weight
    given = False
    for session_id, patient_id, started, planned, route, dose_mg, per_kg in sessions.iterator(
        chunk_size=5000
    ):
        weight = weights.get(patient_id, Decimal("70"))
        mg = dose_mg if dose_mg is not None else (per_kg or Decimal("0.5")) * weight
        mg = mg.quantize(Decimal("0.1"))
        given = True
        yield (started or planned, route, mg, patient_id, session_id)
    if given:
        return
    # Standalone: no treatment demo — dose a few patients of the site over the last month.
    patients = list(
        Patient.objects.filter(site=site).order_by("id").values_list("id", flat=True)[:20]
    )
    doses = []
    for day in range(28, 0, -1):
        for patient_id in rng.sample(patients, min(2, len(patients))):
            moment = (now - dt.timedelta(days=day)).replace(hour=14, minute=0, second=0)
            mg = (weights.get(patient_id, Decimal("70")) * Decimal("0.5")).quantize(Decimal("0.1"))
            doses.append((moment, "iv", mg, patient_id, None))
    yield from doses  # all drawn before the first dose is played


def create_ledger(
    sites: list[Site],
    users: dict[str, User],
    rng: random.Random,
    now: dt.datetime,
    *,
    write: str = IN_BULK,
    chunk: int = LEDGER_CHUNK,
) -> int:
    """Write each site's ledger in time order; returns the number of entries written.

    ``write`` is ``IN_BULK`` (the demo) or ``ONE_BY_ONE`` (the live service, entry by entry:
    the same rows, for the tests and the benchmark); ``chunk`` is how many entries
    ``IN_BULK`` plays before it writes them (``LEDGER_CHUNK``)."""
    if write not in (IN_BULK, ONE_BY_ONE):
        raise ValueError(f"write must be {IN_BULK!r} or {ONE_BY_ONE!r}, not {write!r}")
    previous_clock = clock.clock
    products = _ensure_products()
    lots = {
        (lot.product_id, lot.lot_number): lot
        for lot in Lot.objects.filter(product__in=products.values())
    }
    try:
        for site in sites:
            if write == IN_BULK:
                ledger = _play(site, products, lots, users, rng, now, _write_in_bulk, chunk)
            else:
                ledger = _play(site, products, lots, users, rng, now)
                _write_one_by_one(ledger)
            _closing_count(ledger, now)
    finally:
        clock.install(previous_clock)
    return at_sites(LedgerEntry, sites).count()


def _play(site, products, lots, users, rng, now, write=None, chunk=LEDGER_CHUNK) -> _SiteLedger:
    """The site's history in the order it is chained: all of it in memory, or, given
    ``write``, handed to it whenever ``chunk`` entries are waiting (always between
    doses, so a dose and its witnessed waste go together) and at the end."""
    ledger = _SiteLedger(site, products, lots, users, rng)
    doses = _doses(site, rng, now)
    first_dose = next(doses, None)
    first = first_dose[0] if first_dose else now - dt.timedelta(days=30)
    opening = first - dt.timedelta(days=3)
    Inventory.objects.create(
        site=site,
        kind=InventoryKind.INITIAL,
        timing=InventoryTiming.OPENING,
        taken_at=opening,
        taken_by=users["director"],
        note="Initial inventory before the first receipt: nothing on hand.",
    )
    start = opening + dt.timedelta(hours=2)
    for key in ("k10", "k50", "spravato"):
        ledger.receive(key, REORDER[key], start)
    if site.slug == "riverside":
        _expired_lot(ledger, start, now)
    for moment, route, mg, patient_id, session_id in itertools.chain(
        [first_dose] if first_dose else [], doses
    ):
        key = PRODUCT_FOR_ROUTE[route]
        if key == "spravato":
            ledger.dose_devices(max(1, int(mg // 28)), patient_id, session_id, moment)
        else:
            ledger.dose_solution(key, mg, patient_id, session_id, moment)
        if write is not None and len(ledger.entries) >= chunk:
            write(ledger)
    if write is not None:
        write(ledger)
    return ledger


def _expired_lot(ledger: _SiteLedger, start: dt.datetime, now: dt.datetime) -> None:
    """Two 100 mg/mL vials whose lot expired ten days ago: one destroyed, one awaiting it."""
    ledger.receive("k100", 2, start, expires_on=(now - dt.timedelta(days=10)).date())
    doomed, _kept = ledger.sealed["k100"]
    ledger.sealed["k100"] = []
    moment = now - dt.timedelta(days=3, hours=2)
    ledger.destroy(doomed, moment, ledger.witnesses[1], (ledger.nurse, ledger.witnesses[0]))


def _write_in_bulk(ledger: _SiteLedger) -> None:
    """The entries played since the last write: new lots and containers in bulk, the
    entries through the ledger's own batched append (``append_batch``: keys, chain and
    balance checks under the chain head's lock), then the balances of containers stored
    by an earlier write that moved since. Forgets what it wrote."""
    new_lots = [lot for lot in ledger.lots.values() if lot.pk is None]
    Lot.objects.bulk_create(new_lots)
    insert_objects(Container, ledger.containers)
    append_batch(ledger.site.pk, ledger.entries)
    update_rows(
        Container,
        ("on_hand", "opened_at"),
        ((c.pk, c.on_hand, c.opened_at) for c in ledger.moved.values()),
    )
    ledger.containers, ledger.entries, ledger.moved = [], [], {}


def _write_one_by_one(ledger: _SiteLedger) -> None:
    """The same history through the live ``append_entry``, entry by entry, each container
    created when it is received and each lot when first seen, as the clinic would."""
    final = {id(c): (c.on_hand, c.opened_at) for c in ledger.containers}
    for entry in ledger.entries:
        container = entry.container
        if entry.kind == EntryKind.RECEIPT:
            lot = container.lot
            if lot.pk is None:
                lot.save()
            container.lot = lot
            container.on_hand, container.opened_at = 0, None
            container.save()
        clock.install(clock.FixedClock(entry.recorded_at))
        saved = append_entry(
            container,
            kind=entry.kind,
            delta=entry.delta,
            quantity=entry.quantity,
            user=ledger.people[entry.user_id],
            witness=ledger.people.get(entry.witness_id),
            second_witness=ledger.people.get(entry.second_witness_id),
            patient_id=entry.patient_id,
            session_id=entry.session_id,
            related_entry_id=entry.related_entry_id,
            reason=entry.reason,
            details=entry.details,
            occurred_at=entry.occurred_at,
        )
        entry.id, entry.chain, entry.position = saved.pk, saved.chain, saved.position
        entry.prev_hash, entry.hash = saved.prev_hash, saved.hash
    for container in ledger.containers:
        assert (container.on_hand, container.opened_at) == final[id(container)], container.label


def _closing_count(ledger: _SiteLedger, now: dt.datetime) -> None:
    """Yesterday's close-of-business count of the opened vials; at Riverside one is short."""
    moment = now - dt.timedelta(days=1)
    moment = moment.replace(hour=22, minute=0, second=0, microsecond=0)
    opened = [c for c in ledger.opened.values() if c is not None and c.on_hand > 0]
    for index, container in enumerate(opened):
        clock.install(clock.FixedClock(moment))
        short = ledger.site.slug == "riverside" and index == 0 and container.on_hand > 200
        counted = container.on_hand - (200 if short else 0)
        record_count(
            container=Container.objects.get(pk=container.pk),
            counted=str(Decimal(counted) / 1000),
            estimated=True,
            user=ledger.nurse,
        )
