"""A nurse gives a dose from a vial, wastes the syringe remainder with a witness who types
their own password, counts the vial short; the medical director resolves the discrepancy."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import menu_link
from tests.browser.two_factor import type_code
from tests.personas import PASSWORD, build_clinic

from ketaclinic.apps.ledger.choices import Drug, EntryKind, Measure, ProductForm
from ketaclinic.apps.ledger.models import Container, Discrepancy, LedgerEntry, Product
from ketaclinic.apps.ledger.operations import receive_stock
from ketaclinic.apps.ledger.verification import verify_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if username in ("dora", "paul", "adam"):
        type_code(page, username)


def test_nurse_doses_wastes_with_a_witness_counts_and_the_director_resolves(page):
    clinic = build_clinic()
    product = Product.objects.create(
        name="Ketamine HCl 10 mg/mL, 20 mL vial",
        ndc="0409-2051-05",
        drug=Drug.KETAMINE_HCL,
        form=ProductForm.SOLUTION,
        strength_mg=Decimal("10"),
        measure=Measure.MICROLITRE,
        package_quantity=20000,
    )
    (entry,) = receive_stock(
        site=clinic.site_a,
        product=product,
        lot_number="L100",
        expires_on=dt.date(2099, 6, 30),
        containers=1,
        supplier_name="Henry Schein",
        supplier_address="135 Duryea Road, Melville, NY",
        supplier_dea="RH0123456",
        invoice="INV-1",
        user=clinic.nurse,
    )
    vial = entry.container

    _log_in(page, "nadia")
    menu_link(page, "Ledger").click()
    expect(page.get_by_role("heading", name="Controlled-substance ledger")).to_be_visible()
    page.get_by_role("link", name="Containers", exact=True).click()
    page.get_by_role("link", name=vial.label).click()
    expect(page.get_by_label("On hand")).to_contain_text("20 mL")

    page.get_by_role("link", name="Administer").click()
    page.get_by_label("Patient MRN").fill(clinic.alice.mrn)
    page.get_by_label("Volume drawn (mL)").fill("3.5")
    page.get_by_label("Volume given (mL)").fill("3.2")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Waste 0.3 mL with a witness now.")).to_be_visible()
    expect(page.get_by_label("On hand")).to_contain_text("16.8 mL")

    menu_link(page, "Ledger").click()
    page.get_by_role("link", name=vial.label).first.click()  # from "Waste due"
    expect(page.get_by_role("heading", name="Record waste with a witness")).to_be_visible()
    expect(page.get_by_label("Quantity wasted (mL)")).to_have_value("0.3")
    page.locator("select[name=witness]").select_option(label="Paul (paul)")
    page.get_by_label("Witness's password").fill("not-his-password")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("the witness could not be confirmed")).to_be_visible()
    page.get_by_label("Witness's password").fill(PASSWORD)
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("witnessed by Paul")).to_be_visible()
    expect(page.get_by_label("On hand")).to_contain_text("16.5 mL")

    page.get_by_role("link", name="Count", exact=True).click()
    page.get_by_label("Counted (mL)").fill("16.2")
    page.get_by_label("Estimated").check()
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text(re.compile("differs from the book by 0.3 mL"))).to_be_visible()
    menu_link(page, "Ledger").click()
    expect(page.get_by_role("heading", name=re.compile("1 discrepancy"))).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    _log_in(page, "dora")
    page.goto("/ledger/discrepancies/")
    page.get_by_label("What explains the difference").fill(
        "Recounted with Paul: 16.5 mL; the estimate misread the meniscus."
    )
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text(f"Discrepancy on {vial.label} resolved.")).to_be_visible()
    expect(page.get_by_text("No open discrepancies")).to_be_visible()

    discrepancy = Discrepancy.objects.get()
    assert discrepancy.resolved_by == clinic.director
    assert Container.objects.get(pk=vial.pk).on_hand == 16500
    kinds = list(LedgerEntry.objects.order_by("position").values_list("kind", flat=True))
    assert kinds == [EntryKind.RECEIPT, EntryKind.ADMINISTRATION, EntryKind.WASTE, EntryKind.COUNT]
    assert verify_ledger().ok
