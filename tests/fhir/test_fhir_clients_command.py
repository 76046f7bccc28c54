"""Registering SMART Backend Services clients from the command line."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketaclinic.fhir.models import BackendClient

JWKS = {"keys": [{"kty": "RSA", "kid": "k1", "n": "sXch", "e": "AQAB"}]}


def test_a_client_is_added_listed_and_retired(db, clinic, fixed_clock, tmp_path, capsys):
    keys = tmp_path / "registry.jwks.json"
    keys.write_text(json.dumps(JWKS))
    call_command(
        "fhir_clients",
        "add",
        "registry",
        "--account",
        clinic.director.username,
        "--jwks",
        str(keys),
        "--scopes",
        "system/Observation.rs",
    )
    client = BackendClient.objects.get()
    assert (client.account, client.scopes, client.jwks) == (
        clinic.director,
        "system/Observation.rs",
        JWKS,
    )
    call_command("fhir_clients", "list")
    assert "registry\tactive" in capsys.readouterr().out
    call_command("fhir_clients", "retire", "registry")
    assert not BackendClient.objects.get().active


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (["--account", "nobody-here", "--scopes", "system/*.rs"], "--account"),
        (["--account", "dora", "--scopes", "patient/*.read"], "--scopes"),
    ],
)
def test_bad_registrations_name_the_option(db, clinic, tmp_path, arguments, field):
    keys = tmp_path / "k.json"
    keys.write_text(json.dumps(JWKS))
    with pytest.raises(CommandError, match=field):
        call_command("fhir_clients", "add", "x", "--jwks", str(keys), *arguments)
