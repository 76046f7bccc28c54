"""Ledger fixtures: the four products the clinic stocks, and stock received at site A."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest


@pytest.fixture
def products(db):
    from ketaclinic.apps.ledger.choices import Drug, Measure, ProductForm
    from ketaclinic.apps.ledger.models import Product

    def make(name, ndc, drug, form, strength, measure, package):
        return Product.objects.create(
            name=name,
            ndc=ndc,
            drug=drug,
            form=form,
            strength_mg=Decimal(strength),
            measure=measure,
            package_quantity=package,
        )

    solution, ul = ProductForm.SOLUTION, Measure.MICROLITRE
    return {
        "k10": make(
            "Ketamine HCl 10 mg/mL 20 mL",
            "0409-2051-05",
            Drug.KETAMINE_HCL,
            solution,
            "10",
            ul,
            20000,
        ),
        "k100": make(
            "Ketamine HCl 100 mg/mL 5 mL",
            "0409-2053-10",
            Drug.KETAMINE_HCL,
            solution,
            "100",
            ul,
            5000,
        ),
        "k50": make(
            "Ketamine HCl 50 mg/mL 10 mL",
            "0409-2052-10",
            Drug.KETAMINE_HCL,
            solution,
            "50",
            ul,
            10000,
        ),
        "spravato": make(
            "Spravato 28 mg nasal device",
            "50458-028-02",
            Drug.ESKETAMINE,
            ProductForm.NASAL_DEVICE,
            "28",
            Measure.UNIT,
            1,
        ),
    }


@pytest.fixture
def receive(clinic, products, fixed_clock):
    """Receive ``n`` sealed containers of a product at a site; returns the containers."""
    from ketaclinic.apps.ledger.operations import receive_stock

    def run(key="k10", n=1, site=None, lot="L100", expires_on=dt.date(2027, 6, 30), user=None):
        entries = receive_stock(
            site=site or clinic.site_a,
            product=products[key],
            lot_number=lot,
            expires_on=expires_on,
            containers=n,
            supplier_name="Henry Schein",
            supplier_address="135 Duryea Road, Melville, NY 11747",
            supplier_dea="RH0123456",
            invoice="INV-2026-0042",
            user=user or clinic.nurse,
        )
        return [entry.container for entry in entries]

    return run


@pytest.fixture
def session(clinic, fixed_clock):
    """A dosing session for Alice at site A, under way today."""
    from ketaclinic.apps.treatment.models import Course, Session

    course = Course.objects.create(
        patient=clinic.alice,
        site=clinic.site_a,
        protocol_id="iv_racemic_induction",
        route="iv",
        prescriber=clinic.prescriber,
        starts_on=dt.date(2026, 3, 1),
    )
    return Session.objects.create(
        course=course,
        patient=clinic.alice,
        site=clinic.site_a,
        number=1,
        planned_start=dt.datetime(2026, 3, 10, 13, 0, tzinfo=dt.UTC),
        status="dosing",
    )
