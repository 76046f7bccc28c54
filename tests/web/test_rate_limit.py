"""The one request limiter of the public pages: counts per key and window, keeps no key in clear."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache

from ketaclinic.apps.web import clock
from ketaclinic.apps.web.rate_limit import Limit, allow, count, exceeded

ADDRESS = "203.0.113.9"
LIMIT = Limit("test", requests=2, window_seconds=60)


def _stored_keys() -> str:
    return " ".join(str(key) for key in cache._cache)  # LocMemCache, the suite's cache


def test_a_key_is_allowed_its_requests_then_refused_until_the_next_window(fixed_clock):
    assert [allow(LIMIT, ADDRESS) for _ in range(3)] == [True, True, False]
    assert allow(LIMIT, "198.51.100.1")
    previous = clock.install(clock.FixedClock(fixed_clock.now() + dt.timedelta(seconds=60)))
    try:
        assert allow(LIMIT, ADDRESS)
    finally:
        clock.install(previous)


def test_exceeded_looks_without_counting(fixed_clock):
    assert not exceeded(LIMIT, ADDRESS)
    count(LIMIT, ADDRESS)
    assert not exceeded(LIMIT, ADDRESS)
    count(LIMIT, ADDRESS)
    assert exceeded(LIMIT, ADDRESS)
    assert exceeded(LIMIT, ADDRESS)


def test_the_cache_holds_neither_the_address_nor_its_plain_sha256(fixed_clock):
    allow(LIMIT, ADDRESS)
    stored = _stored_keys()
    assert ADDRESS not in stored
    assert hashlib.sha256(ADDRESS.encode()).hexdigest()[:32] not in stored
