"""A nurse makes an API token for a script from the user menu, copies it once, and revokes it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect
from tests.browser.conftest import ARTIFACTS
from tests.browser.two_factor import pass_second_factor, ready_for_log_in
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nurse_makes_a_token_sees_it_once_and_revokes_it(page, clinic):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if ready_for_log_in("nadia"):
        pass_second_factor(page, "nadia")
    page.locator(".accountmenu summary").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()

    page.locator("#id_name").fill("Nightly vitals export")
    page.get_by_label("patients.view_patient").check()
    page.get_by_label("Riverside").check()
    page.get_by_role("button", name="Make token").click()
    shown = page.locator("#new-token")
    expect(shown).to_have_text(re.compile(r"^kc_[0-9a-f]{8}_\S{40,}$"))
    text = shown.inner_text()
    # Into the test artifacts, not docs/images: the token differs each run, and a test run
    # must not leave the working tree changed (docs/images/api-tokens.png is the one shown).
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-tokens.png"), full_page=True)

    script = Client(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert script.get("/api/v1/patients").status_code == 200

    page.goto("/accounts/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Revoked by nadia")).to_be_visible()
    assert script.get("/api/v1/patients").status_code == 401
