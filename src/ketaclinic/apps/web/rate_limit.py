"""One fixed-window request limit for the public pages, kept in Django's cache.

The private-link pages (``/r/``, ``/home/``, ``/stop/``) and the public waitlist need no
login, so someone could guess tokens, hammer one link or flood the waitlist; a script could
guess API tokens (``accounts/api_auth.py`` counts the failed ones per address). A ``Limit``
counts requests per key (a client address, a token) in fixed windows: a spent key waits for
the window to end (``seconds_left``, an HTTP ``Retry-After``).

Keys are never stored in clear: each is an HMAC keyed with the project's secret key
(``salted_hmac``), so the cache holds neither addresses nor tokens, and a cache dump cannot
be matched against a list of addresses by hashing them (an unsalted SHA-256 could be).

The counters live in Django's default cache, which settings make the database cache (table
``ketaclinic_cache``): every app process shares it, so a limit holds across processes. (The
test suite swaps in a per-test ``LocMemCache``.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac

from ketaclinic.apps.web import clock

__all__ = ["Limit", "allow", "count", "exceeded", "seconds_left"]


@dataclass(frozen=True)
class Limit:
    """At most ``requests`` in each window of ``window_seconds``, counted per key."""

    name: str
    requests: int
    window_seconds: int


def _cache_key(limit: Limit, key: str) -> str:
    window = int(clock.now().timestamp()) // limit.window_seconds
    digest = salted_hmac(f"ketaclinic.rate-limit.{limit.name}", key).hexdigest()[:32]
    return f"kc-rl:{limit.name}:{window}:{digest}"


def count(limit: Limit, key: str) -> int:
    """Count one request for ``key`` in this window; the count so far."""
    cache_key = _cache_key(limit, key)
    timeout = limit.window_seconds + 5
    if cache.add(cache_key, 1, timeout=timeout):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=timeout)
        return 1


def allow(limit: Limit, key: str) -> bool:
    """Count one request for ``key``; ``False`` once the window's allowance is spent."""
    return count(limit, key) <= limit.requests


def exceeded(limit: Limit, key: str) -> bool:
    """Whether ``key`` has used this window's allowance, without counting a request
    (for limits that count only what was accepted, such as waitlist submissions)."""
    return int(cache.get(_cache_key(limit, key), 0)) >= limit.requests


def seconds_left(limit: Limit) -> int:
    """Whole seconds until this window ends and every key's count starts again (at least 1)."""
    elapsed = clock.now().timestamp() % limit.window_seconds
    return max(1, math.ceil(limit.window_seconds - elapsed))
