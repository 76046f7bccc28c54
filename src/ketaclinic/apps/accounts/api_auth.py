"""``Authorization: Bearer kc_...``: a script calls the REST API with an API token.

The token stands in for its owner, narrowed for the request: ``User.has_perm`` answers only for
the token's permissions, and ``access.site_ids_for`` only for the token's sites (each also still
held by the owner). Every use is in the audit trail — a ``login`` event on ``api_token`` with the
token's prefix, then the events of whatever the call reads or writes, under the owner's name —
and so is every refused token (``access_denied``). An unknown, malformed, expired or revoked
token, or one whose owner is deactivated, is a 401 in the API's error envelope; a request with
a Bearer header never falls back to the browser session.

Guesses are throttled as password guesses are: after ``TOKEN_FAILURES.requests`` unknown or
malformed tokens from one client address in a window (``apps/web/rate_limit.py``, the one
keyed limiter), every token from that address is refused with a 429 in the envelope and a
``Retry-After`` until the window ends. A valid token is refused too: were it let through, the
lock-out would tell a guesser the moment a guess was right, and guessing would go on at full
speed (the log-in throttle refuses a correct password for the same reason). The first 429 of
a window is audited; the rest are not, so a flood cannot fill the audit trail (each failed
guess before it was audited as a 401). Expired, revoked and deactivated tokens matched their
secret, so they are not guesses and are not counted; a good token does not reset the count
(it would let a guesser behind the same address wipe it).

The deny-by-default middleware lets an API request with a Bearer header through to the API,
which authenticates it here (``ApiTokenAuth`` on every operation, ``schema_access`` on the
schema and docs).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, Throttled
from ninja.security import HttpBearer

from ketaclinic.apps.accounts.api_tokens import ApiToken, matches, parse_token
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.rate_limit import Limit, count, exceeded, seconds_left

__all__ = [
    "TOKEN_FAILURES",
    "ApiTokenAuth",
    "TokenGuessesThrottled",
    "authenticate_token",
    "bearer_token",
    "schema_access",
]

#: Unknown or malformed tokens one address may present in a window, as for passwords
#: (``throttling.LOGIN_ADDRESS``: twenty per fifteen minutes, a clinic's NAT in mind).
TOKEN_FAILURES = Limit("api-token-failures", requests=20, window_seconds=15 * 60)
THROTTLED_MESSAGE = (
    "Too many unknown API tokens from this address: every token is refused until the time in "
    "Retry-After has passed."
)


class TokenGuessesThrottled(Throttled):
    """A 429 for an address that has spent its failed tokens; ``wait`` is ``Retry-After``."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait=wait)
        self.message = THROTTLED_MESSAGE


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if the request has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _address(request: HttpRequest) -> str:
    return getattr(request, "client_address", None) or "unknown"


def _refuse_throttled(request: HttpRequest) -> NoReturn:
    """429 for an address over its allowance; the first refusal of the window is audited."""
    from ketaclinic.apps.audit.choices import Action, Outcome
    from ketaclinic.apps.audit.recorder import record_event

    refused_so_far = count(TOKEN_FAILURES, _address(request)) - TOKEN_FAILURES.requests
    if refused_so_far == 1:
        record_event(
            request,
            Action.ACCESS_DENIED,
            object_type="api_token",
            outcome=Outcome.DENIED,
            detail={
                "reason": "throttled",
                "failures": TOKEN_FAILURES.requests,
                "window_seconds": TOKEN_FAILURES.window_seconds,
                "method": request.method,
            },
        )
    raise TokenGuessesThrottled(seconds_left(TOKEN_FAILURES))


def _refuse(
    request: HttpRequest,
    message: str,
    token: ApiToken | None,
    prefix: str,
    *,
    guess: bool = False,
) -> None:
    """401 in the envelope, audited; ``guess`` (no token matched) counts against the address."""
    from ketaclinic.apps.audit.choices import Action, Outcome
    from ketaclinic.apps.audit.recorder import record_event

    if guess:
        count(TOKEN_FAILURES, _address(request))

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
    """Check ``presented`` and make its narrowed owner the request's user; else 401 (or 429
    for an address that has presented too many unknown tokens)."""
    from ketaclinic.apps.audit.choices import Action
    from ketaclinic.apps.audit.recorder import record_event

    if exceeded(TOKEN_FAILURES, _address(request)):
        _refuse_throttled(request)
    prefix = parse_token(presented)
    if prefix is None:
        _refuse(request, "That is not an API token.", None, "", guess=True)
    token = ApiToken.objects.select_related("owner").filter(prefix=prefix).first()
    if token is None or not matches(token, presented):
        _refuse(request, "Unknown API token.", None, prefix or "", guess=True)
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
            except TokenGuessesThrottled as throttled:
                response = error_response(429, throttled.message)
                response["Retry-After"] = str(throttled.wait)
                return response
        elif not request.user.is_authenticated:
            return error_response(401, LOG_IN_FIRST)
        return view(request, *args, **kwargs)

    return wrapped
