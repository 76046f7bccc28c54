"""Advice on where a session was scheduled, from areas treatment does not know about.

Scheduling asks every registered advisor about a session it has just placed and shows what
they say as warnings (the move still happens). Billing registers one that says when the
session falls outside the course's prior authorization; treatment never imports billing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["advice_for", "register"]

Advisor = Callable[[Any], Iterable[str]]
_ADVISORS: list[Advisor] = []


def register(advisor: Advisor) -> None:
    """Add ``advisor`` (once: an app's ``ready`` may run twice in tests)."""
    if advisor not in _ADVISORS:
        _ADVISORS.append(advisor)


def advice_for(session: Any) -> list[str]:
    """Every registered advisor's warnings about ``session``, in registration order."""
    return [message for advisor in _ADVISORS for message in advisor(session)]
