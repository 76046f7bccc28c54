"""``Authorization: Bearer kc_...``: a script calls the REST API with an API token.

The token stands in for its owner, narrowed for the request: ``User.has_perm`` answers only for
the token's permissions, and ``access.site_ids_for`` only for the token's sites (each also still
held by the owner). Every use is in the audit trail — a ``login`` event on ``api_token`` with the
token's prefix, then the events of whatever the call reads or writes, under the owner's name —
and so is every refused token (``access_denied``). An unknown, malformed, expired or revoked
token, or one whose owner is deactivated, is a 401 in the API's error envelope; a request with
a Bearer header never falls back to the browser session.

The deny-by-default middleware lets an API request with a Bearer header through to the API,
which authenticates it here (``ApiTokenAuth`` on every operation, ``schema_access`` on the
schema and docs).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from ketaclinic.apps.accounts.api_tokens import ApiToken, matches, parse_token
from ketaclinic.apps.web import clock

__all__ = ["ApiTokenAuth", "authenticate_token", "bearer_token", "schema_access"]


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if the request has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _refuse(request: HttpRequest, message: str, token: ApiToken | None, prefix: str) -> None:
    from ketaclinic.apps.audit.choices import Action, Outcome
    from ketaclinic.apps.audit.recorder import record_event

    record_event(
        request,
        Action.ACCESS_DENIED,
        object_type="api_token",
        object_id=token.pk if token else "",
        actor=token.owner if token else None,
        outcome=Outcome.DENIED,
        detail={"prefix": prefix, "reason": message, "method": request.method},
    )
    raise AuthenticationError(401, message)


def authenticate_token(request: HttpRequest, presented: str) -> ApiToken:
    """Check ``presented`` and make its narrowed owner the request's user; else 401."""
    from ketaclinic.apps.audit.choices import Action
    from ketaclinic.apps.audit.recorder import record_event

    prefix = parse_token(presented)
    if prefix is None:
        _refuse(request, "That is not an API token.", None, "")
    token = ApiToken.objects.select_related("owner").filter(prefix=prefix).first()
    if token is None or not matches(token, presented):
        _refuse(request, "Unknown API token.", None, prefix or "")
    assert token is not None  # for the type checker: _refuse raised otherwise
    now = clock.now()
    if token.revoked_at is not None:
        _refuse(request, "This API token was revoked.", token, token.prefix)
    if token.expires_at <= now:
        _refuse(request, "This API token has expired.", token, token.prefix)
    owner = token.owner
    if not owner.is_active:
        _refuse(request, "The owner of this API token is deactivated.", token, token.prefix)
    # The token narrows its owner's access: these sites only (accounts.scoping.access_for).
    owner.token_site_ids = frozenset(  # type: ignore[attr-defined]  # a per-request mark
        token.sites.values_list("id", flat=True)
    )
    owner.token_permissions = frozenset(token.permissions)
    request.user = owner
    request.api_token = token  # type: ignore[attr-defined]
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    record_event(
        request,
        Action.LOGIN,
        object_type="api_token",
        object_id=token.pk,
        detail={"prefix": token.prefix, "method": request.method, "via": "api_token"},
    )
    return token


class ApiTokenAuth(HttpBearer):
    """django-ninja's Bearer scheme over ``authenticate_token``."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        return authenticate_token(request, token)


def schema_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and docs: for a logged-in member of staff, or a script with a valid token."""
    from ketaclinic.apps.api.edge import LOG_IN_FIRST, error_response

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        presented = bearer_token(request)
        if presented is not None:
            try:
                authenticate_token(request, presented)
            except AuthenticationError as refused:
                return error_response(401, refused.message)
        elif not request.user.is_authenticated:
            return error_response(401, LOG_IN_FIRST)
        return view(request, *args, **kwargs)

    return wrapped
