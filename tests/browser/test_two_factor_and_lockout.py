"""A prescriber sets up two-factor log-in at the first log-in and logs in with a code; a
nurse who mistypes the password five times is locked out, the right password included."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from playwright.sync_api import expect
from tests.personas import PASSWORD, build_clinic

from ketaclinic.apps.accounts.forms.login import LOCKED_MESSAGE
from ketaclinic.apps.accounts.models import RecoveryCode, TotpDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_prescriber_enrols_an_authenticator_then_logs_in_with_a_code(page, fixed_clock):
    clinic = build_clinic()
    TotpDevice.objects.filter(user=clinic.prescriber).delete()  # a new prescriber

    _password(page, "paul")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))
    expect(page.get_by_role("heading", name="Set up two-factor log-in")).to_be_visible()
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    page.goto("/patients/")  # nothing else opens until enrolled
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))

    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    authenticator = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(authenticator.at(fixed_clock.moment))
    page.get_by_role("button", name="Turn on two-factor log-in").click()
    expect(page.get_by_role("heading", name="Two-factor log-in is on")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    assert RecoveryCode.objects.filter(user=clinic.prescriber).count() == 10
    page.get_by_role("link", name="I have kept them").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    fixed_clock.moment += dt.timedelta(seconds=30)
    _password(page, "paul")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/code/"))
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code did not match")).to_be_visible()
    page.get_by_label("Code").fill(authenticator.at(fixed_clock.moment))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto("/patients/")
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()


def test_a_nurse_is_locked_out_after_five_wrong_passwords(page, fixed_clock):
    build_clinic()
    for attempt in range(5):
        _password(page, "nadia", f"wrong-password-{attempt}")
        expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    _password(page, "nadia")
    expect(page.get_by_text(LOCKED_MESSAGE)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    fixed_clock.moment += dt.timedelta(minutes=16)
    _password(page, "nadia")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
