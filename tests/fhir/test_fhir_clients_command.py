"""Registering SMART Backend Services clients from the command line."""

from __future__ import annotations

import io
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


def test_keygen_add_and_assertion_get_a_token_end_to_end(client, clinic, fixed_clock, tmp_path):
    """The client's side from the command line: a key pair, registration, a signed JWT."""
    call_command("fhir_clients", "keygen", "registry", "--out", str(tmp_path))
    private = tmp_path / "registry.private.pem"
    assert private.stat().st_mode & 0o777 == 0o600
    jwks = json.loads((tmp_path / "registry.jwks.json").read_text())
    assert jwks["keys"][0]["crv"] == "P-384"
    assert "d" not in jwks["keys"][0], "the public key set carries no private part"
    call_command(
        "fhir_clients",
        "add",
        "registry",
        "--account",
        clinic.director.username,
        "--jwks",
        str(tmp_path / "registry.jwks.json"),
        "--scopes",
        "system/Observation.rs",
    )
    out = io.StringIO()
    call_command(
        "fhir_clients",
        "assertion",
        "registry",
        "--key",
        str(private),
        "--aud",
        "http://testserver/fhir/auth/token",
        stdout=out,
    )
    response = client.post(
        "/fhir/auth/token",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": out.getvalue().strip(),
            "scope": "system/Observation.rs",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "system/Observation.rs"


def test_keygen_never_overwrites_a_key(db, tmp_path):
    call_command("fhir_clients", "keygen", "registry", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="--out"):
        call_command("fhir_clients", "keygen", "registry", "--out", str(tmp_path))
