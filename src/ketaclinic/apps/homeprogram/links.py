"""Home check-in links: issue, deliver, open and close them.

The same pattern as self-report links (``assessments.links``): a random 256-bit token, only
its SHA-256 stored, single use, an expiry; a wrong token is a 404 and a used or expired one
a 410, and neither page says whose link it was. A link opens only its own patient's
check-in for one planned dose.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from ketaclinic.apps.assessments.links import (
    LinkGone,
    LinkNotFound,
    deliver_private_link,
    hash_token,
    open_private_link,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.homeprogram.models import HomeCheckInLink, HomePrescription
from ketaclinic.apps.homeprogram.program import first_dose_session, planned_dates
from ketaclinic.apps.messaging.choices import Channel
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "DEFAULT_LIFETIME",
    "IssuedCheckInLink",
    "LinkGone",
    "LinkNotFound",
    "check_in_url",
    "deliver_check_in_link",
    "issue_check_in_link",
    "open_check_in_link",
]

DEFAULT_LIFETIME = dt.timedelta(hours=48)
MAX_LIFETIME = dt.timedelta(days=7)


@dataclass(frozen=True)
class IssuedCheckInLink:
    """A new link and its token; the token is shown once and never stored."""

    link: HomeCheckInLink
    token: str


def issue_check_in_link(
    *,
    prescription: HomePrescription,
    planned_on: dt.date,
    created_by: Any,
    sent_via: str,
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
    request: HttpRequest | None = None,
) -> IssuedCheckInLink:
    """Create a check-in link for one planned home dose (audited).

    Refused until the in-person first dose of the course is charted and discharged: no home
    dose may come before it.
    """
    first = first_dose_session(prescription.course)
    if first is None:
        raise InputError(
            "planned_on",
            "the in-person first dose must be charted and discharged before any home dose",
        )
    if planned_on not in planned_dates(prescription):
        raise InputError("planned_on", "not a planned home dose date of this prescription")
    if not dt.timedelta(minutes=5) <= lifetime <= MAX_LIFETIME:
        raise InputError("lifetime", "a link lives between 5 minutes and 7 days")
    now = clock.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = HomeCheckInLink.objects.create(
            prescription=prescription,
            patient=prescription.patient,
            planned_on=planned_on,
            token_hash=hash_token(token),
            expires_at=now + lifetime,
            created_by=created_by,
            created_at=now,
            sent_via=sent_via,
        )
        record_event(
            request,
            Action.CREATE,
            object_type="home_check_in_link",
            object_id=link.pk,
            patient=prescription.patient,
            detail={"planned_on": planned_on.isoformat(), "sent_via": sent_via},
            actor=created_by,
        )
    return IssuedCheckInLink(link, token)


def check_in_url(token: str, base_url: str | None = None) -> str:
    base = (base_url or settings.KETACLINIC_PUBLIC_URL).rstrip("/")
    return base + reverse("home_check_in:form", args=[token])


def _message(link: HomeCheckInLink, url: str, channel: str) -> tuple[str, str]:
    """No names, drug or diagnosis: the message may be read by someone else."""
    site = link.patient.site
    until = link.expires_at.astimezone(ZoneInfo(site.timezone)).strftime("%d %b %Y %H:%M")
    if channel == Channel.SMS:
        return "", f"{site.name}: please send your check-in: {url} (works once, until {until})"
    body = (
        f"Hello,\n\n{site.name} asks you to send a short check-in. Open this private link; "
        f"it works once, until {until}:\n\n{url}\n\nIf you did not expect this message, "
        f"please call the clinic{(' on ' + site.phone) if site.phone else ''}.\n\n"
        f"{settings.KETACLINIC_CRISIS_TEXT}\n"
    )
    return f"A check-in from {site.name}", body


def deliver_check_in_link(
    issued: IssuedCheckInLink, *, base_url: str | None = None, request: HttpRequest | None = None
) -> str | None:
    """Send the link through ``send_message``; ``None`` when sent, else why not (audited)."""
    link = issued.link
    url = check_in_url(issued.token, base_url)
    return deliver_private_link(
        link,
        lambda channel: _message(link, url, channel),
        object_type="home_check_in_link",
        request=request,
    )


def open_check_in_link(token: str) -> HomeCheckInLink:
    """The open link with this token, or ``LinkNotFound`` / ``LinkGone``."""
    return open_private_link(
        HomeCheckInLink.objects.select_related("patient__site", "prescription__course__prescriber"),
        token,
    )
