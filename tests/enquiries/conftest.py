"""Fixtures for the waitlist tests: a clean rate-limit cache and a valid public submission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_rate_limit_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def submission(clinic, fixed_clock):
    """A complete, valid answer for site A, with a form shown a minute before now."""
    from ketaclinic.apps.enquiries.abuse import started_token

    def build(**change: object) -> dict:
        shown = fixed_clock.now() - dt.timedelta(seconds=60)
        data = {
            "program": "home_sublingual",
            "given_name": "Carla",
            "family_name": "Moreau",
            "date_of_birth": "1990-02-03",
            "sex_at_birth": "female",
            "email": "carla.moreau@example.com",
            "phone": "+1 555 234 5678",
            "preferred_contact": "phone",
            "preferred_time": "evening",
            "condition": "trd",
            "condition_other": "",
            "consent_to_contact": "on",
            "note": "Three antidepressants tried since 2019.",
            "started": started_token(clinic.site_a.pk, shown),
            "website": "",
        }
        data.update(change)
        return {k: v for k, v in data.items() if v is not None}

    return build
