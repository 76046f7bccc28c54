"""The director opens Billing, sees the authorizations about to lapse, and a self-pay
patient's superbill says plainly that no claim is sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import menu_link
from tests.browser.two_factor import enrol_demo_user, type_code

from ketaclinic.apps.billing.models import PriorAuthorization
from ketaclinic.apps.demo.organisation import DEMO_PASSWORD
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.treatment.models import Course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_director_sees_what_lapses_and_prints_a_self_pay_superbill(page):
    seed_demo_clinic(patient_count=60, seed=5)
    assert PriorAuthorization.objects.exists()
    enrol_demo_user("director")
    page.goto("/billing/authorizations/lapsing/")
    page.get_by_label("Username").fill("director")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    type_code(page, "director")
    expect(page.get_by_role("heading", name="Prior authorizations about to lapse")).to_be_visible()
    expect(menu_link(page, "Billing")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.get_by_text("ends soon").first).to_be_visible()
    expect(page.get_by_text("does not send claims electronically")).to_be_visible()

    self_pay = (
        Course.objects.filter(authorizations__isnull=True, route__in=("esketamine", "iv"))
        .order_by("id")
        .first()
    )
    page.goto(f"/billing/patients/{self_pay.patient_id}/superbill/?start=2026-01-01&end=2026-12-31")
    expect(page.get_by_text("No claims are sent electronically.")).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
