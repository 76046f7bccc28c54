"""The second step of log-in in a browser: type the persona's current code (tests/personas.py).

Demo users have no authenticator; ``enrol_demo_user`` gives one the persona way first."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from tests.personas import enrol_totp, totp_code

from ketaclinic.apps.accounts.models import User


def type_code(page, username: str) -> None:
    """After the password: wait for the code page and type the code the app would show."""
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/code/"))
    page.get_by_label("Code").fill(totp_code(User.objects.get(username=username)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def enrol_demo_user(username: str) -> None:
    enrol_totp(User.objects.get(username=username))
