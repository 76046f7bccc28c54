"""The second step of log-in in a browser: type the persona's current code (tests/personas.py).

Demo users have no authenticator; ``enrol_demo_user`` gives one the persona way first."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from tests.personas import enrol_totp, totp_code

from ketaclinic.apps.accounts import mfa
from ketaclinic.apps.accounts.models import User


def type_code(page, username: str) -> None:
    """After the password: wait for the code page and type the code the app would show."""
    pass_second_factor(page, username)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def pass_second_factor(page, username: str) -> None:
    """The code step alone (on a phone the Log out button is folded into the menu)."""
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/code/"))
    page.get_by_label("Code").fill(totp_code(User.objects.get(username=username)))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/"))


def ready_for_log_in(username: str) -> bool:
    """Enrol a demo user whose role needs a second factor; True when a code will be asked."""
    user = User.objects.get(username=username)
    if not mfa.mfa_required(user):
        return False
    if not mfa.is_enrolled(user):
        enrol_totp(user)
    return True


def enrol_demo_user(username: str) -> None:
    enrol_totp(User.objects.get(username=username))
