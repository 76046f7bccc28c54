"""Fixtures for the assessments tests: the outbox fake at the messaging chokepoint, a
clean rate-limit cache, a course that makes Paul Alice's prescriber, and answer builders."""

from __future__ import annotations

import datetime as dt

import pytest

from ketaclinic.clinical.scales import get_scale

# Who may do what with assessments (accounts/roles.py), for the access matrix tests.
VIEWERS = {"nurse", "prescriber", "therapist", "director"}
ENTERERS = {"nurse", "prescriber", "therapist", "director"}
SENDERS = {"front_desk", "nurse", "prescriber", "director"}


def expected(persona: str, allowed: set[str], ok: int = 200) -> int:
    """302 to log in, 403 without the permission, 404 for site B's nurse, else ``ok``."""
    if persona == "anonymous":
        return 302
    if persona == "nurse_b":
        return 404 if "nurse" in allowed else 403
    return ok if persona in allowed else 403


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
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice_course(clinic, fixed_clock):
    """Alice's active course, prescribed by Paul: her alerts are assigned to him."""
    from ketaclinic.apps.treatment.models import Course

    return Course.objects.create(
        patient=clinic.alice,
        site=clinic.site_a,
        protocol_id="iv_racemic_induction",
        route="iv",
        status="active",
        prescriber=clinic.prescriber,
        starts_on=dt.date(2026, 2, 1),
    )


def baseline_answers(scale_id: str, **overrides: int) -> dict[str, int]:
    """Every required, always-asked item at its lowest value, then ``overrides``.

    Items behind skip logic are included only when overridden (the caller then also sets
    the answer that asks them)."""
    answers = {
        item.key: item.values[0]
        for item in get_scale(scale_id).items
        if item.required and item.asked_if is None
    }
    answers.update(overrides)
    return answers


def form_data(scale_id: str, prefix: str = "", **overrides: int) -> dict[str, str]:
    """The POST body a browser sends for ``baseline_answers`` (skipped items as "")."""
    answers = baseline_answers(scale_id, **overrides)
    data = {}
    for item in get_scale(scale_id).items:
        name = f"{prefix}-{item.key}" if prefix else item.key
        data[name] = str(answers[item.key]) if item.key in answers else ""
    return data


# One trigger per alert-level rule of ``clinical.scales.alert_rules()`` (scale, condition).
ALERT_TRIGGERS: dict[tuple[str, str], dict[str, int]] = {
    ("phq9", "item9 in 1..3"): {"item9": 1},
    ("qids_sr16", "item12 in 1..3"): {"item12": 1},
    ("madrs", "item10 in 4..6"): {"item10": 4},
    ("cssrs_screen", "risk moderate: item3 = 1 or item6_recent = 0"): {
        "item2": 1,
        "item3": 1,
        "item4": 0,
        "item5": 0,
    },
    ("cssrs_screen", "risk high: item4 = 1 or item5 = 1 or item6_recent = 1"): {
        "item6": 1,
        "item6_recent": 1,
    },
    ("moaas", "item1 = 0"): {"item1": 0},
}
