"""A REMS form that failed to send is loud: the director sees it on the REMS dashboard, the
nurse opens the form (every printed section, the attempts, the PDF) and sends it again;
both pages pass axe-core (no serious or critical violations)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from tests.browser.test_accessibility_and_menu import axe_source, serious_violations  # noqa: F401
from tests.browser.two_factor import type_code
from tests.charting.rems_world import discharged_with_form
from tests.personas import PASSWORD, build_clinic

from ketaclinic.apps.charting.models import RemsRecord
from ketaclinic.apps.charting.rems_sending import MAX_ATTEMPTS, send_due_forms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if username == "dora":
        type_code(page, username)


def test_a_failed_rems_form_is_seen_opened_and_sent_again(page, axe_source):  # noqa: F811
    clinic = build_clinic()
    # The site's channel is not set up yet.
    session = discharged_with_form(clinic, channel="none")
    for step in range(MAX_ATTEMPTS):
        send_due_forms(NOW + dt.timedelta(hours=3 * step))

    log_in(page, "dora")
    page.goto("/sessions/rems/")
    failed = page.locator("#rems-failed")
    expect(failed).to_contain_text("Rivera, Alice")
    expect(failed).to_contain_text("no REMS channel is configured for this site")
    assert serious_violations(page, axe_source) == []
    page.get_by_role("button", name="Log out").click()

    log_in(page, "nadia")
    page.goto("/sessions/rems/")
    page.locator("#rems-failed").get_by_role("link", name=re.compile("Rivera")).click()
    expect(
        page.get_by_role("heading", name="SPRAVATO REMS Patient Monitoring Form")
    ).to_be_visible()
    expect(page.locator("#rems-status")).to_contain_text("Failed")
    for legend in ("Patient Information", "Concomitant Medication", "Healthcare Setting"):
        expect(page.locator("legend", has_text=legend)).to_be_visible()
    expect(page.get_by_label("Lot number")).to_have_value("ESK-778")
    expect(page.get_by_role("link", name="The form as a PDF")).to_have_attribute(
        "href", f"/sessions/{session.pk}/rems/form.pdf"
    )
    assert serious_violations(page, axe_source) == []
    page.get_by_role("button", name="Send again").click()
    expect(page.locator("#rems-status")).to_contain_text("Queued to send")
    assert RemsRecord.objects.get().status == "queued"
