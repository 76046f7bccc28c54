"""Self-report links: issue, deliver, open and close them.

A link carries a random 256-bit token (``secrets.token_urlsafe(32)``); the database holds
only its SHA-256, so a copy of the database cannot open anyone's form. A link opens only
its own patient's questionnaires, once, before it expires. A wrong or altered token is a
404 and an expired or used one a 410; neither page says whose link it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from ketaclinic.apps.assessments.choices import SentVia
from ketaclinic.apps.assessments.models import SelfReportLink
from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.messaging.choices import Channel
from ketaclinic.apps.messaging.senders import SendError
from ketaclinic.apps.messaging.sending import send_message
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.private_links import LinkGone, LinkNotFound, LinkState
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.scales import INSTRUMENTS, Rater

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "DEFAULT_LIFETIME",
    "IssuedLink",
    "LinkGone",
    "LinkNotFound",
    "deliver_link",
    "hash_token",
    "issue_link",
    "link_url",
    "open_link",
    "self_report_instruments",
]

DEFAULT_LIFETIME = dt.timedelta(hours=72)
MAX_LIFETIME = dt.timedelta(days=14)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class IssuedLink:
    """A new link and its token; the token is shown once and never stored."""

    link: SelfReportLink
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def self_report_instruments() -> list[str]:
    """Instruments a patient fills in alone (clinician-rated ones are never sent)."""
    return [key for key, instrument in INSTRUMENTS.items() if instrument.rater is Rater.SELF]


def _checked_instruments(instruments: Sequence[str]) -> list[str]:
    chosen = list(instruments)
    if not chosen:
        raise InputError("instruments", "choose at least one questionnaire")
    allowed = self_report_instruments()
    for index, instrument in enumerate(chosen):
        if instrument not in allowed:
            raise InputError(
                f"instruments[{index}]", f"{instrument!r} is not a self-report questionnaire"
            )
    if len(set(chosen)) != len(chosen):
        raise InputError("instruments", "each questionnaire once")
    return chosen


def issue_link(
    *,
    patient: Any,
    instruments: Sequence[str],
    created_by: Any,
    sent_via: str,
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
    schedule: Any = None,
    session: Any = None,
    due_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> IssuedLink:
    """Create a link for ``patient`` (audited); deliver it with ``deliver_link``."""
    chosen = _checked_instruments(instruments)
    if not dt.timedelta(minutes=5) <= lifetime <= MAX_LIFETIME:
        raise InputError("lifetime", "a link lives between 5 minutes and 14 days")
    now = clock.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = SelfReportLink.objects.create(
            patient=patient,
            instruments=chosen,
            token_hash=hash_token(token),
            expires_at=now + lifetime,
            created_by=created_by,
            created_at=now,
            sent_via=sent_via,
            schedule=schedule,
            session=session,
            due_on=due_on,
        )
        record_event(
            request,
            Action.CREATE,
            object_type="self_report_link",
            object_id=link.pk,
            patient=patient,
            detail={"instruments": chosen, "sent_via": sent_via},
            actor=created_by,
        )
    return IssuedLink(link, token)


def link_url(token: str, base_url: str | None = None) -> str:
    """The link's full address, from the request's host or ``KETACLINIC_PUBLIC_URL``."""
    base = (base_url or settings.KETACLINIC_PUBLIC_URL).rstrip("/")
    return base + reverse("self_report:form", args=[token])


def _message(link: SelfReportLink, url: str, channel: str) -> tuple[str, str]:
    """Subject and body. No names, diagnoses or questionnaire titles: the message may be
    read by someone else, so it says only which clinic asks and until when."""
    site = link.patient.site
    until = link.expires_at.astimezone(ZoneInfo(site.timezone)).strftime("%d %b %Y %H:%M")
    if channel == Channel.SMS:
        return (
            "",
            f"{site.name}: please answer your questionnaire: {url} (works once, until {until})",
        )
    body = (
        f"Hello,\n\n{site.name} asks you to answer a short questionnaire. Open this private "
        f"link; it works once, until {until}:\n\n{url}\n\nIf you did not expect this message, "
        f"please call the clinic{(' on ' + site.phone) if site.phone else ''}.\n\n"
        f"{settings.KETACLINIC_CRISIS_TEXT}\n"
    )
    return f"A questionnaire from {site.name}", body


def deliver_private_link(
    link: Any,
    message_for: Any,
    *,
    object_type: str,
    request: HttpRequest | None = None,
) -> str | None:
    """Send a patient's private link by its ``sent_via`` channel; ``None`` when sent, else why
    not. ``message_for(channel)`` gives (subject, body). Shared by every kind of private link
    (questionnaires, home check-ins).

    A failure is audited and reported to the caller (who shows the link to copy); it never
    rolls back the link.
    """
    if link.sent_via == SentVia.NOT_SENT:
        return None
    channel = Channel.SMS if link.sent_via == SentVia.SMS else Channel.EMAIL
    to = link.patient.phone if channel == Channel.SMS else link.patient.email
    subject, body = message_for(channel)
    problem = None
    sender = ""
    try:
        sender = send_message(to, subject, body, channel=channel)
    except SendError as error:
        problem = str(error)
    record_event(
        request,
        Action.SEND,
        object_type=object_type,
        object_id=link.pk,
        patient=link.patient,
        outcome=Outcome.ERROR if problem else Outcome.SUCCESS,
        detail={"channel": str(channel), "sender": sender, "problem": problem or ""},
        actor=link.created_by,
    )
    return problem


def open_private_link(links: Any, token: str) -> Any:
    """The open link in ``links`` (a queryset) with this token, or ``LinkNotFound`` /
    ``LinkGone``. Only the token's hash is ever looked up."""
    if not _TOKEN.match(token or ""):
        raise LinkNotFound
    try:
        link = links.get(token_hash=hash_token(token))
    except links.model.DoesNotExist:
        raise LinkNotFound from None
    state = link.state(clock.now())
    if state != LinkState.OPEN:
        raise LinkGone(state)
    return link


def deliver_link(
    issued: IssuedLink, *, base_url: str | None = None, request: HttpRequest | None = None
) -> str | None:
    """Send a self-report link (see ``deliver_private_link``)."""
    link = issued.link
    url = link_url(issued.token, base_url)
    return deliver_private_link(
        link,
        lambda channel: _message(link, url, channel),
        object_type="self_report_link",
        request=request,
    )


def open_link(token: str) -> SelfReportLink:
    """The open self-report link with this token, or ``LinkNotFound`` / ``LinkGone``."""
    return open_private_link(SelfReportLink.objects.select_related("patient__site"), token)
