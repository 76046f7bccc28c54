"""``ketaclinic accounts reset-mfa`` and ``unlock``: the operator's way back in."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from tests.personas import PASSWORD

from ketaclinic.apps.accounts import throttling
from ketaclinic.apps.accounts.models import TotpDevice
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.cli import main

pytestmark = pytest.mark.django_db


def test_reset_mfa_forgets_the_authenticator_and_is_audited(clinic):
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["accounts", "reset-mfa", "dora", "--json"]) == 0
    assert out.getvalue().strip() == '{"username": "dora", "mfa_reset": true}'
    assert not TotpDevice.objects.filter(user=clinic.director).exists()
    event = AuditEvent.objects.get(detail__change="mfa_reset")
    assert (event.actor_id, event.detail["via"]) == (None, "command_line")


def test_unlock_clears_the_failed_log_ins(client, clinic, fixed_clock):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "nadia", "password": "wrong"})
    assert throttling.is_locked(throttling.LOGIN_ACCOUNT, "nadia")
    with redirect_stdout(io.StringIO()):
        assert main(["accounts", "unlock", "nadia"]) == 0
    response = client.post("/accounts/login/", {"username": "nadia", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("action", ["reset-mfa", "unlock"])
def test_an_unknown_user_exits_2_with_one_line(clinic, action):
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["accounts", action, "nobody-here"]) == 2
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "username" in lines[0]
