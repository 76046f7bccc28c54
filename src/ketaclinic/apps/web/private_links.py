"""Private links: what every link a patient opens without logging in has in common.

A self-report link (``/r/<token>/``), a home check-in link (``/home/<token>/``) and a
reminder's stop link (``/stop/<token>/``) carry a secret token in the address. Each is stored
as the SHA-256 of its token only, expires, and (the first two) works once. This kit holds the
parts they share, so each is written once:

- ``PrivateLink``: the abstract model (token hash, expiry, use) with ``state`` and ``close``;
- ``private``: the response headers that keep a page with a token out of caches and indexes;
- ``unavailable``: the page a patient sees when a link cannot be used, with crisis resources;
- ``Reasons``: one kind of link's table of why it cannot be used (only "already used" differs).

The per-address and per-token request limits are ``apps/web/rate_limit.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketaclinic.apps.web.rate_limit import Limit, allow

__all__ = [
    "ADDRESS_LIMIT",
    "EXPIRED",
    "NOT_FOUND",
    "TOKEN_LIMIT",
    "TOO_MANY",
    "UNAVAILABLE_TEMPLATE",
    "LinkGone",
    "LinkNotFound",
    "LinkState",
    "PrivateLink",
    "Reasons",
    "private",
    "too_many_requests",
    "unavailable",
]

UNAVAILABLE_TEMPLATE = "assessments/public_unavailable.html"
"""The patient-facing page (on the public shell every private link shares)."""

# Why a link cannot be used, in the patient's words: (status, heading, what to do).
NOT_FOUND = (
    404,
    "This link does not work",
    "Check that you opened the whole link from your message, or ask your clinic for a new one.",
)
EXPIRED = (410, "This link has expired", "Ask your clinic for a new link.")
TOO_MANY = (429, "Too many attempts", "Please wait ten minutes and try again.")

# A patient filling in a form needs a handful of requests; the limits leave room for mistakes
# and reloads. Per address: guessing tokens; per token: a link shared or replayed.
ADDRESS_LIMIT = Limit("address", requests=60, window_seconds=600)
TOKEN_LIMIT = Limit("token", requests=30, window_seconds=600)


class LinkNotFound(Exception):
    """No link has this token (mistyped, altered, or never issued): 404."""


class LinkGone(Exception):
    """The link was used or has expired: 410, with which of the two in ``state``."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class LinkState(models.TextChoices):
    """What a private link is good for now (computed, never stored)."""

    OPEN = "open", "Waiting for the patient"
    USED = "used", "Completed"
    EXPIRED = "expired", "Expired"


class PrivateLink(models.Model):
    """A single-use, expiring link: only the SHA-256 of its token is stored."""

    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True

    def state(self, now: dt.datetime) -> str:
        if self.used_at is not None:
            return LinkState.USED
        if now >= self.expires_at:
            return LinkState.EXPIRED
        return LinkState.OPEN

    def close(self, now: dt.datetime) -> bool:
        """Mark the link used, once: ``False`` if it was used or expired a moment ago.

        One conditional UPDATE, so two submissions racing on the same link cannot both win.
        """
        closed = (
            type(self)
            ._default_manager.filter(pk=self.pk, used_at__isnull=True, expires_at__gt=now)
            .update(used_at=now)
        )
        if closed:
            self.used_at = now
        return bool(closed)


def private(response: HttpResponse) -> HttpResponse:
    """No cache keeps the page, no search engine lists it; the token never leaves in a Referer.

    ``same-origin``, not ``no-referrer``: browsers then send ``Origin: null`` and the form's
    CSRF check fails; ``same-origin`` already keeps the token from every other site.
    """
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def too_many_requests(request: HttpRequest, token_key: str) -> bool:
    """Count this request against its address and its token; ``True`` once either is spent.

    ``token_key`` names the kind of link with the token (``"home:" + token``) so the same
    string in two kinds of link is counted apart.
    """
    address = getattr(request, "client_address", None) or "unknown"
    return not allow(ADDRESS_LIMIT, address) or not allow(TOKEN_LIMIT, token_key)


def unavailable(
    request: HttpRequest,
    status: int,
    heading: str,
    message: str,
    *,
    template: str = UNAVAILABLE_TEMPLATE,
) -> HttpResponse:
    """Why this link cannot be used, and what to do; crisis resources are on every such page."""
    context = {
        "heading": heading,
        "message": message,
        "crisis_text": settings.KETACLINIC_CRISIS_TEXT,
    }
    return private(render(request, template, context, status=status))


class Reasons:
    """Why one kind of single-use link cannot be used, by reason, and the page that says so.

    The reasons are ``"not_found"``, ``"too_many"`` and the link's ``LinkState`` (``USED``,
    ``EXPIRED``); every kind of link words them alike except "already used", which says what
    was sent (a questionnaire, a check-in).
    """

    def __init__(self, *, used_heading: str, used_message: str) -> None:
        self.table: dict[str, tuple[int, str, str]] = {
            "not_found": NOT_FOUND,
            LinkState.USED: (410, used_heading, used_message),
            LinkState.EXPIRED: EXPIRED,
            "too_many": TOO_MANY,
        }

    def page(self, request: HttpRequest, reason: str) -> HttpResponse:
        return unavailable(request, *self.table[reason])

    def open(
        self, request: HttpRequest, token_key: str, opener: Callable[[], Any]
    ) -> tuple[Any, HttpResponse | None]:
        """``(link, None)`` for the open link ``opener`` finds, else ``(None, the page)``.

        The request is counted against the rate limits first (``token_key`` as in
        ``too_many_requests``), so a guesser is stopped before any token is looked up.
        """
        if too_many_requests(request, token_key):
            return None, self.page(request, "too_many")
        try:
            return opener(), None
        except LinkNotFound:
            return None, self.page(request, "not_found")
        except LinkGone as gone:
            return None, self.page(request, gone.state)
