"""Log-in throttling and lock-out, per user name and per address, on both log-in pages
(issue 14, item 3). Before: 50 wrong passwords, then the right one logged in."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.personas import PASSWORD

from ketaclinic.apps.accounts.forms.login import LOCKED_MESSAGE
from ketaclinic.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

STAFF_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _try(client, url: str, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def _locked(response) -> bool:
    return LOCKED_MESSAGE in response.content.decode()


@pytest.mark.parametrize("url", [STAFF_LOGIN, ADMIN_LOGIN])
def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(
    client, clinic, fixed_clock, url
):
    for _ in range(5):
        response = _try(client, url, clinic.admin.username, "wrong-password")
        assert response.status_code == 200
        assert not _locked(response)
    response = _try(client, url, clinic.admin.username, PASSWORD)
    assert response.status_code == 200
    assert _locked(response)
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_fifteen_minutes_after_the_oldest_failure(client, clinic, fixed_clock):
    for _ in range(5):
        _try(client, STAFF_LOGIN, "nadia", "wrong-password")
    fixed_clock.moment += dt.timedelta(minutes=14)
    assert _locked(_try(client, STAFF_LOGIN, "nadia", PASSWORD))
    fixed_clock.moment += dt.timedelta(minutes=2)
    response = _try(client, STAFF_LOGIN, "nadia", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clinic.nurse.pk)


def test_an_unknown_user_name_locks_with_the_same_message_as_a_real_one(
    client, clinic, fixed_clock
):
    pages = {}
    for username in ("nadia", "no-such-person"):
        for _ in range(5):
            _try(client, STAFF_LOGIN, username, "wrong-password")
        pages[username] = _try(client, STAFF_LOGIN, username, "anything").content.decode()
    assert LOCKED_MESSAGE in pages["nadia"]
    assert LOCKED_MESSAGE in pages["no-such-person"]


def test_user_names_differing_only_in_case_share_a_counter(client, clinic, fixed_clock):
    for username in ("nadia", "Nadia", "NADIA", "nAdia", "nadiA"):
        _try(client, STAFF_LOGIN, username, "wrong-password")
    assert _locked(_try(client, STAFF_LOGIN, "nadia", PASSWORD))


def test_twenty_failures_from_one_address_lock_that_address_for_every_name(
    client, clinic, fixed_clock
):
    for number in range(20):
        _try(client, STAFF_LOGIN, f"guess{number}", "wrong-password", address="203.0.113.9")
    assert _locked(_try(client, STAFF_LOGIN, "nadia", PASSWORD, address="203.0.113.9"))
    response = _try(client, STAFF_LOGIN, "nadia", PASSWORD, address="198.51.100.7")
    assert response.status_code == 302


def test_a_successful_log_in_clears_the_account_counter(client, clinic, fixed_clock):
    for _ in range(4):
        _try(client, STAFF_LOGIN, "nadia", "wrong-password")
    assert _try(client, STAFF_LOGIN, "nadia", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        _try(client, STAFF_LOGIN, "nadia", "wrong-password")
    assert _try(client, STAFF_LOGIN, "nadia", PASSWORD).status_code == 302


def test_lock_outs_are_in_the_audit_trail(client, clinic, fixed_clock):
    for _ in range(6):
        _try(client, STAFF_LOGIN, "nadia", "wrong-password")
    reasons = list(
        AuditEvent.objects.filter(action="login", outcome="denied").values_list(
            "detail__reason", flat=True
        )
    )
    assert reasons.count("lockout_started") == 1
    assert reasons.count("locked_out") == 1
    assert reasons.count(None) == 5  # the failed passwords themselves
