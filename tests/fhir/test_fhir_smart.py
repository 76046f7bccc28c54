"""SMART Backend Services: a script gets a token with a signed JWT and runs a bulk export."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.core.management import call_command

from ketaclinic.apps.web import clock
from ketaclinic.fhir.models import BackendClient

TOKEN_URL = "http://testserver/fhir/auth/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def number(value: int, size: int | None = None) -> str:
    return b64(value.to_bytes(size or (value.bit_length() + 7) // 8, "big"))


@pytest.fixture
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def registered(clinic, rsa_key):
    public = rsa_key.public_key().public_numbers()
    return BackendClient.objects.create(
        client_id="outcomes-registry",
        name="Outcomes registry",
        account=clinic.director,
        jwks={"keys": [{"kty": "RSA", "kid": "k1", "n": number(public.n), "e": number(public.e)}]},
        scopes="system/Patient.rs system/Observation.rs",
        created_at=clock.now(),
    )


def assertion(key, client_id="outcomes-registry", *, alg="RS384", kid="k1", **overrides):
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": TOKEN_URL,
        "exp": int(clock.now().timestamp()) + 240,
        "jti": uuid.uuid4().hex,
        **overrides,
    }
    head = b64(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signing_input = f"{head}.{body}".encode()
    if alg == "RS384":
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA384())
    else:
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA384())))
        signature = r.to_bytes(48, "big") + s.to_bytes(48, "big")
    return f"{head}.{body}.{b64(signature)}"


def request_token(client, jwt, scope="system/Patient.rs system/Observation.rs"):
    return client.post(
        "/fhir/auth/token",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": jwt,
            "scope": scope,
        },
    )


def test_a_registered_client_gets_a_token_and_runs_a_bulk_export(
    client, clinic, charted, registered, rsa_key, settings, tmp_path
):
    settings.FHIR_EXPORT_DIR = tmp_path
    settings.FHIR_EXPORT_RUNNER = "command"
    response = request_token(client, assertion(rsa_key))
    assert response.status_code == 200, response.content
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["scope"] == "system/Patient.rs system/Observation.rs"
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}"}
    kick_off = client.get("/fhir/Patient/$export", HTTP_PREFER="respond-async", **bearer)
    assert kick_off.status_code == 202
    call_command("fhir_exports", "run")
    manifest = client.get(kick_off["Content-Location"], **bearer).json()
    assert {item["type"] for item in manifest["output"]} == {"Patient", "Observation"}
    ndjson = client.get(manifest["output"][0]["url"], **bearer)
    assert all(json.loads(line) for line in b"".join(ndjson.streaming_content).splitlines())


def test_scopes_bound_what_the_token_reads(client, clinic, charted, registered, rsa_key):
    token = request_token(client, assertion(rsa_key), "system/Observation.rs").json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}"}
    assert (
        client.get("/fhir/Observation", {"patient": clinic.alice.pk}, **bearer).status_code == 200
    )
    assert client.get(f"/fhir/Patient/{clinic.alice.pk}", **bearer).status_code == 403
    garbage = {"HTTP_AUTHORIZATION": "Bearer not-a-token"}
    assert client.get("/fhir/Observation", **garbage).status_code == 401


def test_an_es384_key_works_too(client, clinic, registered):
    key = ec.generate_private_key(ec.SECP384R1())
    public = key.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-384",
        "kid": "e1",
        "x": number(public.x, 48),
        "y": number(public.y, 48),
    }
    registered.jwks = {"keys": [jwk]}
    registered.save()
    response = request_token(client, assertion(key, alg="ES384", kid="e1"))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"aud": "https://elsewhere.example/token"}, "aud"),
        ({"exp": 1}, "expired"),
        ({"exp": 10**10}, "five minutes"),
        ({"sub": "someone-else"}, "iss and sub"),
    ],
)
def test_a_bad_assertion_is_refused(client, registered, rsa_key, change, error):
    response = request_token(client, assertion(rsa_key, **change))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert error in response.json()["error_description"]


def test_a_forged_signature_and_a_replayed_jti_are_refused(client, registered, rsa_key):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = request_token(client, assertion(other_key))
    assert "signature" in forged.json()["error_description"]
    jwt = assertion(rsa_key)
    assert request_token(client, jwt).status_code == 200
    replay = request_token(client, jwt)
    assert replay.status_code == 401
    assert "used already" in replay.json()["error_description"]


def test_scopes_the_client_is_not_registered_for_are_not_granted(client, registered, rsa_key):
    response = request_token(client, assertion(rsa_key), "system/MedicationAdministration.rs")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
