"""Reminder tests: the outbox fake at the messaging chokepoint, the fixed clock, a clean
rate-limit cache, and Alice (site A, Riverside, America/New_York) with contact details."""

from __future__ import annotations

import pytest


@pytest.fixture
def sender():
    """Install a MemorySender at ``send_message``; yields the sender (``.outbox``)."""
    from ketaclinic.apps.messaging.senders import MemorySender
    from ketaclinic.apps.messaging.sending import install_sender

    memory = MemorySender()
    previous = install_sender(memory)
    yield memory
    install_sender(previous)


@pytest.fixture(autouse=True)
def _empty_cache(db):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clinic(clinic, settings):
    settings.KETACLINIC_PUBLIC_URL = "https://clinic.example.org"
    clinic.alice.email = "alice@example.org"
    clinic.alice.phone = "+1 555 0100"
    clinic.alice.save()
    clinic.site_a.phone = "+1 555 0199"
    clinic.site_a.address = "1 River Road\nSpringfield"
    clinic.site_a.save()
    return clinic
