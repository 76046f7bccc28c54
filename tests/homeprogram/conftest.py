"""Fixtures for the home-program tests: the outbox fake at the messaging chokepoint and a
clean rate-limit cache."""

from __future__ import annotations

import pytest


@pytest.fixture
def outbox():
    """Install a MemorySender at ``send_message``; yields its list of messages."""
    from ketaclinic.apps.messaging.senders import MemorySender
    from ketaclinic.apps.messaging.sending import install_sender

    sender = MemorySender()
    previous = install_sender(sender)
    yield sender.outbox
    install_sender(previous)


@pytest.fixture(autouse=True)
def _empty_cache(db):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
