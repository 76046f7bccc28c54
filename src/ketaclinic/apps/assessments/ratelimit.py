"""A fixed-window request limit for the public self-report pages, kept in Django's cache.

The pages need no login, so someone could try tokens or hammer one link. Two counters
stop that: one per client address (guessing) and one per token (a link shared or
replayed). A patient filling in a form needs a handful of requests; the limits leave
room for mistakes and a few reloads. The default LocMemCache counts per process, which
is enough for one app process; several processes should share a cache (e.g. Redis or the
database cache) so the limits hold across them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from ketaclinic.apps.web import clock

__all__ = ["ADDRESS_LIMIT", "TOKEN_LIMIT", "Limit", "allow"]


@dataclass(frozen=True)
class Limit:
    """At most ``requests`` in each window of ``window_seconds``."""

    name: str
    requests: int
    window_seconds: int


ADDRESS_LIMIT = Limit("address", requests=60, window_seconds=600)
TOKEN_LIMIT = Limit("token", requests=30, window_seconds=600)


def allow(limit: Limit, key: str) -> bool:
    """Count one request for ``key``; ``False`` once the window's allowance is spent.

    Keys are hashed, so neither tokens nor addresses sit in the cache in clear.
    """
    window = int(clock.now().timestamp()) // limit.window_seconds
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"kc-rl:{limit.name}:{window}:{digest}"
    if cache.add(cache_key, 1, timeout=limit.window_seconds + 5):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=limit.window_seconds + 5)
        return True
    return count <= limit.requests
