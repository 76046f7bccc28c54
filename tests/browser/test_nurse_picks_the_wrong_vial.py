"""Issue 12's walk in the browser: 34 mg ordered at 10 mg/mL (3.4 mL); the nurse picks the
50 mg/mL vial and draws 3.4 mL (170 mg). The chart refuses, naming both strengths, and
nothing starts; the right vial starts the dose."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from tests.charting.bedside import ready_to_dose, stock
from tests.personas import PASSWORD, build_clinic

from ketaclinic.apps.charting.models import Administration
from ketaclinic.apps.treatment.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nurse_picking_the_wrong_vial_is_refused(page, live_server, fixed_clock):
    clinic = build_clinic()
    session = ready_to_dose(clinic, mg_per_kg="0.5", concentration_mg_per_ml="10", duration_min=40)
    right = stock(clinic, "10")
    wrong = stock(clinic, "50")

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/sessions/{session.pk}/")

    # The chart header names the patient twice over, and the ledger list warns before start.
    expect(page.locator("#patient-identifiers")).to_contain_text("DOB 1984-06-02")
    expect(page.locator("#patient-identifiers")).to_contain_text("MRN K000001")
    dose = page.locator("#dose")
    container = dose.get_by_label("Ledger container")
    expect(container.locator(f'option[value="{wrong.pk}"]')).to_contain_text("NOT FOR THIS ORDER")

    container.select_option(str(wrong.pk))
    dose.get_by_label("Volume drawn from the vial (mL)").fill("3.4")
    dose.get_by_role("button", name="Start dose").click()
    error = page.locator("#dose .error").first
    expect(error).to_contain_text("is 50 mg/mL but the order is for 10 mg/mL")
    expect(error).to_contain_text("170 mg, not 34 mg")
    expect(page.locator(".status-pill").first).to_have_text("Checked in")
    assert not Administration.objects.exists()

    page.locator("#dose").get_by_label("Ledger container").select_option(str(right.pk))
    page.locator("#dose").get_by_label("Volume drawn from the vial (mL)").fill("3.4")
    page.locator("#dose").get_by_role("button", name="Start dose").click()
    expect(page.locator(".status-pill").first).to_have_text("Dosing")
    given = Administration.objects.get()
    assert (given.strength_mg, given.expected_volume_ml) == (Decimal("10"), Decimal("3.4"))
    assert Session.objects.get(pk=session.pk).status == "dosing"
