"""SMART Backend Services: a registered system gets a short-lived token with a signed JWT.

The client proves itself with a JWT signed by its private key (RS384 or ES384, SMART App
Launch 2.0 "Backend Services"); we verify it against the public keys registered for it
(JWKS), check ``iss``/``sub`` (the client id), ``aud`` (our token URL), ``exp`` (at most five
minutes ahead) and that ``jti`` was never used before. The access token we issue is signed
by Django (``signing``), lasts five minutes and carries the granted scopes. A client acts
as the staff account it is registered with: that account's roles and sites bound what it
sees, and the scopes narrow it further (``system/Observation.rs``, ``system/*.read``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core import signing
from django.core.cache import cache

from ketaclinic.apps.web import clock

TOKEN_LIFETIME = dt.timedelta(minutes=5)
MAX_ASSERTION_LIFETIME = dt.timedelta(minutes=5)
TOKEN_SALT = "ketaclinic.fhir.backend-token"  # noqa: S105  # nosec B105 - a namespace, not a secret
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_SCOPE = re.compile(r"^system/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|[cruds]+)$")


class AuthError(ValueError):
    """The request cannot be authorised: an OAuth error code and a human description."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _b64decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (ValueError, TypeError):
        raise AuthError("invalid_client", "the client assertion is not a JWT") from None


def _int(value: str) -> int:
    return int.from_bytes(_b64decode(value), "big")


def _verify_signature(alg: str, jwk: dict, signing_input: bytes, signature: bytes) -> None:
    try:
        if alg == "RS384" and jwk.get("kty") == "RSA":
            key = rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA384())
            return
        if alg == "ES384" and jwk.get("kty") == "EC" and jwk.get("crv") == "P-384":
            numbers = ec.EllipticCurvePublicNumbers(_int(jwk["x"]), _int(jwk["y"]), ec.SECP384R1())
            if len(signature) != 96:
                raise InvalidSignature
            der = encode_dss_signature(
                int.from_bytes(signature[:48], "big"), int.from_bytes(signature[48:], "big")
            )
            numbers.public_key().verify(der, signing_input, ec.ECDSA(hashes.SHA384()))
            return
    except (InvalidSignature, KeyError, ValueError):
        raise AuthError(
            "invalid_client", "the client assertion's signature does not verify"
        ) from None
    raise AuthError("invalid_client", f"no registered key fits the algorithm {alg}")


def verify_assertion(assertion: str, client, token_url: str) -> dict:
    """The claims of a client assertion from ``client`` (a BackendClient), or ``AuthError``."""
    parts = assertion.split(".")
    if len(parts) != 3:
        raise AuthError("invalid_client", "the client assertion is not a JWT")
    try:
        header = json.loads(_b64decode(parts[0]))
        claims = json.loads(_b64decode(parts[1]))
    except ValueError:
        raise AuthError("invalid_client", "the client assertion is not a JWT") from None
    alg = header.get("alg")
    if alg not in ("RS384", "ES384"):
        raise AuthError("invalid_client", "sign the assertion with RS384 or ES384")
    keys = [
        k
        for k in client.jwks.get("keys", [])
        if not header.get("kid") or k.get("kid") == header["kid"]
    ]
    if not keys:
        raise AuthError("invalid_client", "no registered key has that kid")
    signing_input = f"{parts[0]}.{parts[1]}".encode()
    signature = _b64decode(parts[2])
    last: AuthError | None = None
    for jwk in keys:
        try:
            _verify_signature(alg, jwk, signing_input, signature)
            break
        except AuthError as problem:
            last = problem
    else:
        raise last or AuthError("invalid_client", "the signature does not verify")
    if claims.get("iss") != client.client_id or claims.get("sub") != client.client_id:
        raise AuthError("invalid_client", "iss and sub must both be the client id")
    if claims.get("aud") != token_url:
        raise AuthError("invalid_client", f"aud must be {token_url}")
    now = clock.now().timestamp()
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= now:
        raise AuthError("invalid_client", "the client assertion has expired")
    if exp > now + MAX_ASSERTION_LIFETIME.total_seconds():
        raise AuthError("invalid_client", "exp may be at most five minutes ahead")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise AuthError("invalid_client", "the assertion needs a jti")
    if not cache.add(f"fhir-jti:{client.client_id}:{jti}", 1, timeout=int(exp - now) + 60):
        raise AuthError("invalid_client", "this assertion (jti) was used already")
    return claims


def granted_scopes(requested: str, allowed: str) -> list[str]:
    """The requested scopes the client is registered for (wildcards in ``allowed`` cover)."""
    allowed_set = allowed.split()
    out = []
    for scope in requested.split():
        match = _SCOPE.match(scope)
        if match is None:
            raise AuthError("invalid_scope", f"{scope!r} is not a system scope")
        if any(_covers(a, scope) for a in allowed_set):
            out.append(scope)
    if not out:
        raise AuthError("invalid_scope", "none of the requested scopes is granted to this client")
    return out


def _covers(allowed: str, scope: str) -> bool:
    a, s = _SCOPE.match(allowed), _SCOPE.match(scope)
    if a is None or s is None:
        return False
    if a.group(1) not in ("*", s.group(1)):
        return False
    return set(_letters(s.group(2))) <= set(_letters(a.group(2)))


def _letters(permission: str) -> str:
    return {"read": "rs", "write": "cud", "*": "cruds"}.get(permission, permission)


def permits(scopes: list[str], resource_type: str, letter: str) -> bool:
    """Whether ``scopes`` allow ``letter`` (``r`` read, ``s`` search) on ``resource_type``."""
    for scope in scopes:
        match = _SCOPE.match(scope)
        if match and match.group(1) in ("*", resource_type) and letter in _letters(match.group(2)):
            return True
    return False


@dataclass(frozen=True)
class Token:
    client_pk: int
    scopes: list[str]


def issue_token(client, scopes: list[str]) -> str:
    expires = clock.now() + TOKEN_LIFETIME
    return signing.dumps({"c": client.pk, "s": scopes, "e": expires.timestamp()}, salt=TOKEN_SALT)


def read_token(token: str) -> Token:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise AuthError("invalid_token", "the access token is not one of ours") from None
    if payload["e"] <= clock.now().timestamp():
        raise AuthError("invalid_token", "the access token has expired")
    return Token(payload["c"], payload["s"])
