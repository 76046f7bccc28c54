"""A prescriber records a pharmacy refill from the patient's home program page: a day too
early is refused on the date field with the earliest date, the right day is recorded and the
page shows the refill and the new total dispensed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.browser.two_factor import type_code
from tests.homeprogram.factories import make_prescription
from tests.personas import PASSWORD, build_clinic

from ketaclinic.apps.homeprogram.models import RefillDispensing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_prescriber_records_a_refill_after_an_early_one_is_refused(page):
    clinic = build_clinic()
    # 6 troches at 2 a week from 3 March 2026: 85% used by 21 March.
    make_prescription(clinic, refills_authorised=2)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(clinic.prescriber.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    type_code(page, clinic.prescriber.username)
    page.goto(f"/homeprogram/patient/{clinic.alice.pk}/")
    page.get_by_role("link", name="Record a refill").click()

    page.get_by_label("Dispensed on").fill("2026-03-20")
    page.get_by_role("group", name="Dispensed").get_by_label("Pharmacy").check()
    page.get_by_label("Pharmacy name").fill("Main Street Pharmacy")
    page.get_by_role("button", name="Record refill").click()
    expect(page.get_by_text("Too early: 85% of the last supply")).to_contain_text("2026-03-21")
    assert not RefillDispensing.objects.exists()

    page.get_by_label("Dispensed on").fill("2026-03-21")
    page.get_by_role("button", name="Record refill").click()
    expect(page.get_by_text("Refill of 6 troches recorded (pharmacy).")).to_be_visible()
    expect(page.get_by_role("cell", name="Pharmacy · Main Street Pharmacy")).to_be_visible()
    expect(page.locator("dd", has_text="12 troches")).to_be_visible()
    assert RefillDispensing.objects.get().pharmacy == "Main Street Pharmacy"
