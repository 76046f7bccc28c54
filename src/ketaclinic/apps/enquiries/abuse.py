"""Spam and abuse protection for the public page, without third-party services.

Four cheap checks, each with its own answer:
- a per-address rate limit (the shared ``apps/web/rate_limit.py``: a fixed one-hour window in
  Django's cache; the address is kept only as a keyed hash, so the cache holds no IP addresses);
- a honeypot field people never see: filled means a robot, which gets the same confirmation
  as a person (so it learns nothing) while nothing is stored;
- a size limit on the request body, refused with 413 before the form is parsed;
- a minimum fill time: the form carries a signed timestamp of when it was shown; a submission
  faster than a person can type is shown the form again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.http import HttpRequest

from ketaclinic.apps.web.rate_limit import Limit, count, exceeded

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_FORM_AGE",
    "MIN_FILL_SECONDS",
    "RATE_LIMIT_PER_HOUR",
    "FormAge",
    "body_too_large",
    "check_started_token",
    "count_submission",
    "rate_limited",
    "started_token",
]

RATE_LIMIT_PER_HOUR = 5
MAX_BODY_BYTES = 16 * 1024
MIN_FILL_SECONDS = 3
MAX_FORM_AGE = dt.timedelta(hours=24)
_SALT = "ketaclinic.enquiries.started"


WAITLIST_LIMIT = Limit("waitlist", requests=RATE_LIMIT_PER_HOUR, window_seconds=3600)


def _address(request: HttpRequest) -> str:
    return getattr(request, "client_address", None) or "unknown"


def rate_limited(request: HttpRequest) -> bool:
    """True when this address already sent ``RATE_LIMIT_PER_HOUR`` submissions this hour."""
    return exceeded(WAITLIST_LIMIT, _address(request))


def count_submission(request: HttpRequest) -> None:
    """Count one accepted submission (stored or silently dropped) against the address."""
    count(WAITLIST_LIMIT, _address(request))


def body_too_large(request: HttpRequest) -> bool:
    """Judged on the declared length, before Django reads and parses the body."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > MAX_BODY_BYTES


def started_token(site_id: int, now: dt.datetime) -> str:
    """A signed "shown at" time for the form, bound to the site."""
    return signing.Signer(salt=_SALT).sign(f"{site_id}.{int(now.timestamp())}")


@dataclass(frozen=True)
class FormAge:
    valid: bool
    too_fast: bool = False
    expired: bool = False


def check_started_token(token: str, site_id: int, now: dt.datetime) -> FormAge:
    """Was the form shown by us, for this site, at least a few seconds and under a day ago?"""
    try:
        value = signing.Signer(salt=_SALT).unsign(token or "")
        token_site, shown = value.split(".")
        shown_at = dt.datetime.fromtimestamp(int(shown), tz=dt.UTC)
    except (signing.BadSignature, ValueError):
        return FormAge(valid=False)
    if int(token_site) != site_id:
        return FormAge(valid=False)
    elapsed = now - shown_at
    if elapsed < dt.timedelta(seconds=MIN_FILL_SECONDS):
        return FormAge(valid=False, too_fast=True)
    if elapsed > MAX_FORM_AGE:
        return FormAge(valid=False, expired=True)
    return FormAge(valid=True)
