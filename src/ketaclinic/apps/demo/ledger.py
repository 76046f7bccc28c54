"""Demo controlled-substance ledger: receipts, a dose entry for every discharged session,
witnessed waste, an expired lot (one vial destroyed), end-of-day counts and one open
discrepancy — all on real hash chains, so ``ketaclinic ledger verify`` passes on the demo.

Entries go through the ledger's own ``append_entry`` (row lock, chain, balance), in time
order, with the clock set to each event; witnesses' password re-entry is the one step the
generator skips (it would hash a password per waste). Without treatment sessions (the
treatment demo not installed) the generator doses random patients instead, so it stands
alone.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ketaclinic.apps.accounts.models import Site, User
from ketaclinic.apps.ledger.appending import append_entry
from ketaclinic.apps.ledger.choices import (
    DestructionMethod,
    Drug,
    EntryKind,
    InventoryKind,
    InventoryTiming,
    Measure,
    ProductForm,
)
from ketaclinic.apps.ledger.models import Container, Inventory, LedgerEntry, Lot, Product
from ketaclinic.apps.ledger.operations import record_count
from ketaclinic.apps.patients.models import Measurement, Patient
from ketaclinic.apps.web import clock

__all__ = ["PRODUCTS", "create_ledger"]

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
REORDER = {"k10": 10, "k50": 6, "spravato": 12}
SUPPLIER = {
    "supplier_name": "Henry Schein Medical",
    "supplier_address": "135 Duryea Road, Melville, NY 11747",
    "supplier_dea": "RH0123456",
}


class _SiteLedger:
    """One site's stock while its history is written in time order."""

    def __init__(self, site: Site, products: dict, users: dict, rng: random.Random) -> None:
        self.site = site
        self.products = products
        self.rng = rng
        self.nurse = users["nurse" if site.slug == "riverside" else "nurse.lakeview"]
        self.witnesses = [users["prescriber"], users["director"]]
        self.sealed: dict[str, list[Container]] = {key: [] for key in products}
        self.opened: dict[str, Container | None] = dict.fromkeys(products)
        self.invoice = 0

    def _at(self, moment: dt.datetime) -> None:
        clock.install(clock.FixedClock(moment))

    def receive(self, key: str, count: int, moment: dt.datetime, expires_on=None) -> None:
        product = self.products[key]
        self.invoice += 1
        lot_number = f"{self.rng.choice('ABCDEFGH')}{self.rng.randint(10000, 99999)}"
        expires_on = expires_on or (moment + dt.timedelta(days=540)).date().replace(day=1)
        lot, _ = Lot.objects.get_or_create(
            product=product, lot_number=lot_number, defaults={"expires_on": expires_on}
        )
        self._at(moment)
        details = {
            **SUPPLIER,
            "invoice": f"INV-{self.site.slug[:3].upper()}-{moment:%y%m%d}-{self.invoice:03d}",
            "lot_number": lot_number,
            "expires_on": lot.expires_on.isoformat(),
            "ndc": product.ndc,
        }
        start = Container.objects.filter(site=self.site).count() + 1
        for index in range(count):
            container = Container.objects.create(
                site=self.site,
                product=product,
                lot=lot,
                label=f"{self.site.slug[:3].upper()}-{start + index:05d}",
                initial_quantity=product.package_quantity,
                on_hand=0,
                received_at=moment,
            )
            append_entry(
                container,
                kind=EntryKind.RECEIPT,
                delta=product.package_quantity,
                quantity=product.package_quantity,
                user=self.nurse,
                occurred_at=moment,
                details=details,
            )
            self.sealed[key].append(container)

    def _next(self, key: str, moment: dt.datetime) -> Container:
        if not self.sealed[key]:
            self.receive(key, REORDER[key], moment - dt.timedelta(hours=2))
        container = self.sealed[key].pop(0)
        self.opened[key] = container
        return container

    def _waste(self, container, amount: int, moment, reason: str, dose=None) -> None:
        self._at(moment)
        append_entry(
            container,
            kind=EntryKind.WASTE,
            delta=-amount,
            quantity=amount,
            user=self.nurse,
            witness=self.rng.choice(self.witnesses),
            reason=reason,
            related_entry=dose,
            patient=dose.patient if dose else None,
            session=dose.session if dose else None,
            occurred_at=moment,
        )

    def dose_solution(self, key: str, dose_mg: Decimal, patient, session, moment) -> None:
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
        self._at(moment)
        dose = append_entry(
            container,
            kind=EntryKind.ADMINISTRATION,
            delta=-given,
            quantity=given,
            user=self.nurse,
            patient=patient,
            session=session,
            occurred_at=moment,
            details={
                "drawn": given + extra,
                "waste_due": extra,
                "mass_mg": product.mass_text(given),
            },
        )
        if extra:
            self._waste(container, extra, moment + dt.timedelta(minutes=2), "", dose=dose)

    def dose_devices(self, devices: int, patient, session, moment) -> None:
        product = self.products["spravato"]
        for offset in range(devices):
            container = self._next("spravato", moment)
            when = moment + dt.timedelta(minutes=5 * offset)
            self._at(when)
            append_entry(
                container,
                kind=EntryKind.ADMINISTRATION,
                delta=-1,
                quantity=1,
                user=self.nurse,
                patient=patient,
                session=session,
                occurred_at=when,
                details={"drawn": 1, "waste_due": 0, "mass_mg": product.mass_text(1)},
            )
            self.opened["spravato"] = None


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


def _doses(site: Site, rng: random.Random, now: dt.datetime) -> list[tuple]:
    """(moment, route, dose_mg, patient, session) for each dose given at the site."""
    from ketaclinic.apps.treatment.models import Session

    sessions = (
        Session.objects.filter(
            site=site,
            status="discharged",
            kind="dosing",
            course__route__in=list(PRODUCT_FOR_ROUTE),
        )
        .select_related("course", "patient")
        .order_by("dose_started_at", "id")
    )
    weights = {}
    for patient_id, weight in (
        Measurement.objects.filter(patient__site=site)
        .order_by("patient_id", "measured_on")
        .values_list("patient_id", "weight_kg")
    ):
        weights[patient_id] = weight
    doses = []
    for session in sessions:
        course = session.course
        weight = weights.get(session.patient_id, Decimal("70"))
        if course.target_dose_mg is not None:
            mg = course.target_dose_mg
        else:
            mg = (course.target_dose_mg_per_kg or Decimal("0.5")) * weight
        moment = session.dose_started_at or session.planned_start
        doses.append((moment, course.route, mg.quantize(Decimal("0.1")), session.patient, session))
    if doses:
        return doses
    # Standalone: no treatment demo — dose a few patients of the site over the last month.
    patients = list(Patient.objects.filter(site=site).order_by("id")[:20])
    for day in range(28, 0, -1):
        for patient in rng.sample(patients, min(2, len(patients))):
            moment = (now - dt.timedelta(days=day)).replace(hour=14, minute=0, second=0)
            mg = (weights.get(patient.pk, Decimal("70")) * Decimal("0.5")).quantize(Decimal("0.1"))
            doses.append((moment, "iv", mg, patient, None))
    return doses


def create_ledger(
    sites: list[Site], users: dict[str, User], rng: random.Random, now: dt.datetime
) -> int:
    """Write each site's ledger in time order; returns the number of entries written."""
    previous_clock = clock.clock
    products = _ensure_products()
    try:
        for site in sites:
            _site(site, products, users, rng, now)
    finally:
        clock.install(previous_clock)
    return LedgerEntry.objects.filter(site__in=sites).count()


def _site(site: Site, products: dict, users: dict, rng: random.Random, now: dt.datetime) -> None:
    ledger = _SiteLedger(site, products, users, rng)
    doses = _doses(site, rng, now)
    first = doses[0][0] if doses else now - dt.timedelta(days=30)
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
    for moment, route, mg, patient, session in doses:
        key = PRODUCT_FOR_ROUTE[route]
        if key == "spravato":
            ledger.dose_devices(max(1, int(mg // 28)), patient, session, moment)
        else:
            ledger.dose_solution(key, mg, patient, session, moment)
    _closing_count(ledger, users, now)


def _expired_lot(ledger: _SiteLedger, start: dt.datetime, now: dt.datetime) -> None:
    """Two 100 mg/mL vials whose lot expired ten days ago: one destroyed, one awaiting it."""
    ledger.receive("k100", 2, start, expires_on=(now - dt.timedelta(days=10)).date())
    doomed, _kept = ledger.sealed["k100"]
    ledger.sealed["k100"] = []
    moment = now - dt.timedelta(days=3, hours=2)
    ledger._at(moment)
    product = doomed.product
    append_entry(
        doomed,
        kind=EntryKind.DESTRUCTION,
        delta=-doomed.on_hand,
        quantity=doomed.on_hand,
        user=ledger.witnesses[1],
        witness=ledger.nurse,
        second_witness=ledger.witnesses[0],
        reason="Expired lot",
        occurred_at=moment,
        details={
            "form": "DEA Form 41",
            "registrant_dea": ledger.site.dea_registration,
            "drug": product.get_drug_display(),
            "ndc": product.ndc,
            "strength": product.strength_text,
            "dosage_form": product.get_form_display(),
            "lot_number": doomed.lot.lot_number,
            "quantity": product.quantity_text(doomed.on_hand),
            "mass_mg": product.mass_text(doomed.on_hand),
            "method": DestructionMethod.NON_RETRIEVABLE,
            "witnesses": [ledger.nurse.username, ledger.witnesses[0].username],
        },
    )


def _closing_count(ledger: _SiteLedger, users: dict[str, Any], now: dt.datetime) -> None:
    """Yesterday's close-of-business count of the opened vials; at Riverside one is short."""
    moment = now - dt.timedelta(days=1)
    moment = moment.replace(hour=22, minute=0, second=0, microsecond=0)
    opened = [c for c in ledger.opened.values() if c is not None and c.on_hand > 0]
    for index, container in enumerate(opened):
        ledger._at(moment)
        short = ledger.site.slug == "riverside" and index == 0 and container.on_hand > 200
        counted = container.on_hand - (200 if short else 0)
        record_count(
            container=Container.objects.get(pk=container.pk),
            counted=str(Decimal(counted) / 1000),
            estimated=True,
            user=ledger.nurse,
        )
