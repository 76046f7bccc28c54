"""The client's side of SMART Backend Services: a key pair, and the signed JWT it sends.

For a researcher's script or a registry without a JWT library at hand:
``fhir_clients keygen registry`` writes an ES384 (P-384) private key (PEM, readable by its
owner only) and the public key set to register; ``fhir_clients assertion registry --key
registry.private.pem --aud https://clinic.example/fhir/auth/token`` prints a fresh client
assertion (five minutes, a new ``jti``) to post to the token endpoint. Only the public key
set ever reaches the server.
"""

from __future__ import annotations

import base64
import json
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from ketaclinic.apps.web import clock

ASSERTION_LIFETIME_S = 240  # under the server's five-minute limit, with room for clock skew


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


def private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_jwks(key: ec.EllipticCurvePrivateKey, kid: str) -> dict:
    numbers = key.public_key().public_numbers()
    return {
        "keys": [
            {
                "kty": "EC",
                "crv": "P-384",
                "kid": kid,
                "use": "sig",
                "alg": "ES384",
                "x": _b64(numbers.x.to_bytes(48, "big")),
                "y": _b64(numbers.y.to_bytes(48, "big")),
            }
        ]
    }


def load_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp384r1":
        raise ValueError("expected a P-384 (ES384) private key")
    return key


def client_assertion(key: ec.EllipticCurvePrivateKey, client_id: str, aud: str, kid: str) -> str:
    """An ES384-signed JWT: ``iss`` = ``sub`` = the client id, ``aud`` the token URL."""
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "exp": int(clock.now().timestamp()) + ASSERTION_LIFETIME_S,
        "jti": uuid.uuid4().hex,
    }
    head = _b64(json.dumps({"alg": "ES384", "kid": kid, "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signing_input = f"{head}.{body}".encode()
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA384())))
    return f"{head}.{body}.{_b64(r.to_bytes(48, 'big') + s.to_bytes(48, 'big'))}"
