"""Who to page about an urgent alert at a site, in order, and what a patient is promised.

The chain at a moment is: the rota's shifts covering it (rank 1 first), then the fallback
person, then each active member of the fallback role who works at the site. Nobody appears
twice; inactive accounts are skipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from ketaclinic.apps.alerts.models import OnCallPolicy, OnCallShift

__all__ = ["contact_promise", "on_call_chain", "policy_for", "spoken_duration"]


def policy_for(site_id: int) -> OnCallPolicy | None:
    return OnCallPolicy.objects.filter(site_id=site_id).first()


def on_call_chain(site_id: int, at: dt.datetime, policy: OnCallPolicy | None = None) -> list[Any]:
    """The people to page, in order, for an alert at ``site_id`` raised at ``at``."""
    policy = policy if policy is not None else policy_for(site_id)
    shifts = (
        OnCallShift.objects.filter(site_id=site_id, starts_at__lte=at, ends_at__gt=at)
        .select_related("person")
        .order_by("rank", "starts_at", "id")
    )
    people = [shift.person for shift in shifts]
    if policy is not None and policy.fallback_person_id:
        people.append(policy.fallback_person)
    if policy is not None and policy.fallback_group_id:
        people.extend(
            get_user_model()
            .objects.filter(groups=policy.fallback_group_id, sites=site_id)
            .order_by("last_name", "first_name", "id")
        )
    chain: list[Any] = []
    seen: set[int] = set()
    for person in people:
        if person.is_active and person.pk not in seen:
            seen.add(person.pk)
            chain.append(person)
    return chain


def spoken_duration(minutes: int) -> str:
    """``90`` -> "1 hour 30 minutes"; the words a patient reads."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def contact_promise(site: Any) -> str:
    """What a patient whose answers raised an urgent alert is told about being contacted.

    It follows the site's on-call policy: a time only when the site pages someone for
    urgent alerts; otherwise the plain truth that the team sees it when the clinic is open.
    """
    policy = policy_for(site.pk)
    if policy is None:
        return (
            f"Your answers have reached your care team at {site.name}. They see them when the "
            "clinic is open; no one is paged out of hours."
        )
    return (
        f"Your answers have reached your care team at {site.name}. A clinician will contact "
        f"you within {spoken_duration(policy.contact_within_minutes)}."
    )
