"""Counting failed password checks, and refusing more once there are too many.

Why our own and not django-axes: axes keeps its own clock (``django.utils.timezone.now``) and
its own tables, and hooks every ``authenticate()`` call; here the limits follow the clock seam
(tests move time instead of sleeping), live in the project's cache (the database cache in
production, shared by every app process, so a limit holds across gunicorn workers), and each
password check decides what a refusal says.

A throttle counts failures per key in a sliding window: once ``failures`` failures fall in the
last ``window_seconds``, the key is locked until the oldest of them leaves the window. Checks
made while locked are not counted and not tried (a correct password is refused too, so a
lock-out cannot be used to confirm a guess). Keys are hashed: neither user names nor addresses
sit in the cache in clear. Usernames are compared case-insensitively, so ``Paul`` and ``paul``
share a counter whether or not such an account exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from ketaclinic.apps.web import clock

__all__ = [
    "LOGIN_ACCOUNT",
    "LOGIN_ADDRESS",
    "MFA_ACCOUNT",
    "WITNESS_ACCOUNT",
    "WITNESS_RECORDER",
    "Throttle",
    "clear",
    "is_locked",
    "record_failure",
]


@dataclass(frozen=True)
class Throttle:
    """At most ``failures`` failed checks per key in any ``window_seconds``."""

    name: str
    failures: int
    window_seconds: int

    @property
    def window_minutes(self) -> int:
        return self.window_seconds // 60


# Five wrong passwords for one user name, or twenty from one address (a shared clinic
# workstation or NAT has several people behind it), lock for fifteen minutes.
LOGIN_ACCOUNT = Throttle("login-account", failures=5, window_seconds=15 * 60)
LOGIN_ADDRESS = Throttle("login-address", failures=20, window_seconds=15 * 60)
# The ledger's witness re-authentication: per witness, and per member of staff recording.
WITNESS_ACCOUNT = Throttle("witness-account", failures=5, window_seconds=15 * 60)
WITNESS_RECORDER = Throttle("witness-recorder", failures=10, window_seconds=15 * 60)


def _cache_key(throttle: Throttle, key: str) -> str:
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:40]
    return f"kc-throttle:{throttle.name}:{digest}"


def _recent(throttle: Throttle, key: str) -> list[float]:
    cutoff = clock.now().timestamp() - throttle.window_seconds
    stored = cache.get(_cache_key(throttle, key)) or []
    return [moment for moment in stored if moment > cutoff]


def is_locked(throttle: Throttle, key: str | None) -> bool:
    if not key:
        return False
    return len(_recent(throttle, key)) >= throttle.failures


def record_failure(throttle: Throttle, key: str | None) -> bool:
    """Count one failure; ``True`` when this failure locks the key."""
    if not key:
        return False
    failures = [*_recent(throttle, key), clock.now().timestamp()]
    cache.set(_cache_key(throttle, key), failures, timeout=throttle.window_seconds + 60)
    return len(failures) >= throttle.failures


def clear(throttle: Throttle, key: str | None) -> None:
    if key:
        cache.delete(_cache_key(throttle, key))


# The second factor at log-in: a six-digit code has a million values, so five wrong codes
# per account lock it for fifteen minutes, like a password.
MFA_ACCOUNT = Throttle("mfa-account", failures=5, window_seconds=15 * 60)
