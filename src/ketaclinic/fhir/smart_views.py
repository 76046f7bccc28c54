"""SMART Backend Services endpoints: discovery, the token endpoint, and bearer authentication.

``POST /fhir/auth/token`` (client_credentials with a signed JWT) issues a bearer token;
``accepts_bearer`` lets the FHIR views take ``Authorization: Bearer`` instead of a session,
acting as the client's account within its granted scopes (``request.fhir_scopes``).
Token requests are audited (granted or refused).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.fhir import smart
from ketaclinic.fhir.models import BackendClient
from ketaclinic.fhir.responses import base_url, error


def token_url(request: HttpRequest) -> str:
    return f"{base_url(request)}auth/token"


@require_GET
def smart_configuration(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {
            "token_endpoint": token_url(request),
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384"],
            "grant_types_supported": ["client_credentials"],
            "scopes_supported": ["system/*.rs", "system/*.read"],
            "capabilities": ["client-confidential-asymmetric"],
        }
    )


def _oauth_error(code: str, description: str, status: int = 400) -> HttpResponse:
    return JsonResponse({"error": code, "error_description": description}, status=status)


@csrf_exempt  # a system with no session: it authenticates with its signed assertion
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    data = request.POST
    if data.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "use grant_type=client_credentials")
    if data.get("client_assertion_type") != smart.ASSERTION_TYPE:
        return _oauth_error(
            "invalid_request", f"client_assertion_type must be {smart.ASSERTION_TYPE}"
        )
    assertion = data.get("client_assertion", "")
    try:
        unverified = json.loads(smart._b64decode(assertion.split(".")[1]))
        client_id = str(unverified.get("iss", ""))
    except (IndexError, ValueError, smart.AuthError):
        return _oauth_error("invalid_client", "the client assertion is not a JWT", 401)
    client = BackendClient.objects.filter(client_id=client_id, active=True).first()
    if client is None:
        return _oauth_error("invalid_client", "no such client", 401)
    try:
        smart.verify_assertion(assertion, client, token_url(request))
        scopes = smart.granted_scopes(data.get("scope", ""), client.scopes)
    except smart.AuthError as problem:
        record_event(
            request,
            Action.LOGIN,
            object_type="fhir.client",
            object_id=client.client_id,
            outcome="denied",
            actor=client.account,
            detail={"error": problem.code},
        )
        status = 401 if problem.code == "invalid_client" else 400
        return _oauth_error(problem.code, problem.description, status)
    record_event(
        request,
        Action.LOGIN,
        object_type="fhir.client",
        object_id=client.client_id,
        actor=client.account,
        detail={"scopes": scopes},
    )
    return JsonResponse(
        {
            "access_token": smart.issue_token(client, scopes),
            "token_type": "bearer",  # nosec B105 - the OAuth token type, not a password
            "expires_in": int(smart.TOKEN_LIFETIME.total_seconds()),
            "scope": " ".join(scopes),
        }
    )


def accepts_bearer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Authenticate ``Authorization: Bearer`` requests as the client's account."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            try:
                found = smart.read_token(header.removeprefix("Bearer ").strip())
            except smart.AuthError as problem:
                return error(401, "login", problem.description)
            client = (
                BackendClient.objects.select_related("account")
                .filter(pk=found.client_pk, active=True)
                .first()
            )
            if client is None:
                return error(401, "login", "The client is no longer registered.")
            request.user = client.account
            request.fhir_scopes = found.scopes
        return view(request, *args, **kwargs)

    return wrapped


def scope_refusal(request: HttpRequest, resource_type: str, letter: str) -> HttpResponse | None:
    scopes = getattr(request, "fhir_scopes", None)
    if scopes is None or smart.permits(scopes, resource_type, letter):
        return None
    verb = {"r": "read", "s": "search"}[letter]
    return error(403, "forbidden", f"The token's scopes do not allow {verb} on {resource_type}.")
