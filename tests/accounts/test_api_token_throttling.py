"""Guessing API tokens is throttled like guessing passwords (``accounts/api_auth.py``).

After twenty unknown or malformed tokens from one address in a fifteen-minute window, every
token from that address — a valid one too — is a 429 in the envelope with ``Retry-After``
until the window ends; the first 429 of the window is audited, the rest are not.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from ketaclinic.apps.accounts.api_auth import TOKEN_FAILURES
from ketaclinic.apps.accounts.api_tokens import issue_token
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.rate_limit import Limit, seconds_left

pytestmark = pytest.mark.django_db

GUESSER = "203.0.113.7"
NEIGHBOUR = "198.51.100.20"
#: 14:05:30 UTC: the fifteen-minute window that began at 14:00 ends at 14:15, 570 s later.
IN_THE_WINDOW = dt.datetime(2026, 3, 10, 14, 5, 30, tzinfo=dt.UTC)
NEXT_WINDOW = dt.datetime(2026, 3, 10, 14, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def at_five_past():
    previous = clock.install(clock.FixedClock(IN_THE_WINDOW))
    yield
    clock.install(previous)


def get(token: str, address: str = GUESSER, path: str = "/api/v1/patients"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address).get(path)


def valid_token(clinic) -> str:
    _token, text = issue_token(
        clinic.nurse,
        name="export",
        permissions=["patients.view_patient"],
        site_ids=[clinic.site_a.pk],
        days=30,
    )
    return text


def guess(number: int) -> str:
    return f"kc_{number:08x}_" + "g" * 43


def spend_the_allowance(address: str = GUESSER) -> None:
    for number in range(TOKEN_FAILURES.requests):
        assert get(guess(number), address).status_code == 401


def throttled_events():
    return AuditEvent.objects.filter(
        object_type="api_token", action="access_denied", detail__reason="throttled"
    )


def test_the_limit_is_twenty_failures_per_fifteen_minutes_as_for_password_guesses():
    assert (TOKEN_FAILURES.requests, TOKEN_FAILURES.window_seconds) == (20, 900)


def test_seconds_left_counts_to_the_end_of_the_fixed_window(at_five_past):
    assert seconds_left(Limit("x", requests=1, window_seconds=900)) == 570
    assert seconds_left(Limit("x", requests=1, window_seconds=60)) == 30


def test_twenty_unknown_tokens_then_a_429_in_the_envelope_with_retry_after(clinic, at_five_past):
    spend_the_allowance()

    response = get(guess(999))

    assert response.status_code == 429
    assert response["Retry-After"] == "570"
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("", "throttled")
    assert "Retry-After" in error["message"]


def test_malformed_tokens_count_as_guesses(clinic, at_five_past):
    for _ in range(TOKEN_FAILURES.requests):
        assert get("not-a-token").status_code == 401
    assert get("not-a-token").status_code == 429


def test_nineteen_failures_leave_the_address_its_last_try(clinic, at_five_past):
    for number in range(TOKEN_FAILURES.requests - 1):
        get(guess(number))
    assert get(valid_token(clinic)).status_code == 200


def test_a_valid_token_from_a_throttled_address_is_refused_until_the_window_passes(
    clinic, at_five_past
):
    text = valid_token(clinic)
    spend_the_allowance()

    assert get(text).status_code == 429
    assert not AuditEvent.objects.filter(object_type="api_token", action="login").exists()

    clock.install(clock.FixedClock(NEXT_WINDOW))
    assert get(text).status_code == 200


def test_another_address_is_not_throttled(clinic, at_five_past):
    spend_the_allowance()
    assert get(valid_token(clinic), NEIGHBOUR).status_code == 200
    assert get(guess(1), NEIGHBOUR).status_code == 401


def test_the_first_429_of_a_window_is_audited_and_the_rest_are_not(clinic, at_five_past):
    spend_the_allowance()
    failures = AuditEvent.objects.filter(object_type="api_token", action="access_denied")
    assert failures.count() == TOKEN_FAILURES.requests

    for number in range(5):
        assert get(guess(100 + number)).status_code == 429

    [event] = throttled_events()
    assert event.outcome == "denied"
    assert event.client_address == GUESSER
    assert event.detail["failures"] == TOKEN_FAILURES.requests
    assert failures.count() == TOKEN_FAILURES.requests + 1

    clock.install(clock.FixedClock(NEXT_WINDOW))
    spend_the_allowance()
    get(guess(999))
    assert throttled_events().count() == 2


def test_expired_and_revoked_tokens_are_not_guesses(clinic, fixed_clock):
    token, text = issue_token(
        clinic.nurse,
        name="old",
        permissions=["patients.view_patient"],
        site_ids=[clinic.site_a.pk],
        days=30,
    )
    token.revoked_at = fixed_clock.now()
    token.save()
    for _ in range(TOKEN_FAILURES.requests + 5):
        assert get(text).status_code == 401


def test_the_schema_and_docs_are_throttled_too(clinic, at_five_past):
    spend_the_allowance()

    response = get(valid_token(clinic), path="/api/v1/openapi.json")

    assert response.status_code == 429
    assert response["Retry-After"] == "570"
    assert response.json()["errors"][0]["code"] == "throttled"


def test_the_openapi_documents_the_429_for_every_operation(clinic):
    schema = get(valid_token(clinic), NEIGHBOUR, "/api/v1/openapi.json").json()
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert operations
    assert all("429" in op["responses"] for op in operations)
