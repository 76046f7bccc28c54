"""Spam and abuse protection for the public page, without third-party services.

Four cheap checks, each with its own answer:
- a per-address rate limit (a fixed one-hour window in Django's cache; the address is kept
  only as a keyed hash, so the cache holds no IP addresses);
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
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

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


def _rate_key(request: HttpRequest, now: dt.datetime) -> str:
    address = getattr(request, "client_address", None) or "unknown"
    digest = salted_hmac("ketaclinic.enquiries.rate", address).hexdigest()[:32]
    return f"enquiries:rate:{digest}:{int(now.timestamp()) // 3600}"


def rate_limited(request: HttpRequest, now: dt.datetime) -> bool:
    """True when this address already sent ``RATE_LIMIT_PER_HOUR`` submissions this hour."""
    return cache.get(_rate_key(request, now), 0) >= RATE_LIMIT_PER_HOUR


def count_submission(request: HttpRequest, now: dt.datetime) -> None:
    """Count one accepted submission (stored or silently dropped) against the address."""
    key = _rate_key(request, now)
    if not cache.add(key, 1, timeout=3600):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=3600)


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
