"""The clock seam: product code asks ``clock.now()``; tests install a fixed clock.

Clinical code never reads the clock (it takes ``as_of``); views get "now" here and pass it in.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone


class SystemClock:
    def now(self) -> dt.datetime:
        return timezone.now()

    def today(self, tz: str | None = None) -> dt.date:
        """The date now, in ``tz`` (a site's time zone) or the server's."""
        moment = self.now()
        return timezone.localtime(moment, ZoneInfo(tz) if tz else None).date()


class FixedClock(SystemClock):
    """A clock that says what it is told; for tests and reproducible demo data."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment


clock: SystemClock = SystemClock()


def install(new_clock: SystemClock) -> SystemClock:
    """Swap the process clock; returns the previous one so a test can put it back."""
    global clock
    previous, clock = clock, new_clock
    return previous


def now() -> dt.datetime:
    return clock.now()


def today(tz: str | None = None) -> dt.date:
    return clock.today(tz)
