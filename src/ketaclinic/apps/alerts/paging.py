"""Paging the person on call about an urgent alert, escalating while nobody acknowledges.

An urgent alert is paged once its transaction commits (``page_after_commit``), by e-mail and
by text message or pager through the messaging chokepoint. ``ketaclinic alerts escalate``
(cron, every minute) retries failed sends and pages the next person in the on-call chain
when an alert is still open after the site's ``escalate_after_minutes``. Every attempt is an
``AlertPage`` row, shown on the alert.

The message carries no patient data: the category of the alert, the site and a link that
only signed-in staff can open.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from ketaclinic.apps.alerts.choices import AlertLevel, PageChannel, PageOutcome
from ketaclinic.apps.alerts.models import Alert, AlertPage, PagerNumber
from ketaclinic.apps.alerts.on_call import on_call_chain, policy_for
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.messaging.senders import SendError
from ketaclinic.apps.messaging.sending import send_message
from ketaclinic.apps.web import clock

__all__ = [
    "DEFAULT_ESCALATE_AFTER",
    "MAX_ATTEMPTS",
    "EscalationRun",
    "escalate_due",
    "page_after_commit",
    "page_message",
]

logger = logging.getLogger("ketaclinic.alerts")

MAX_ATTEMPTS = 3
RETRY_DELAYS = (dt.timedelta(minutes=1), dt.timedelta(minutes=5))
DEFAULT_ESCALATE_AFTER = dt.timedelta(minutes=15)
# An alert older than this that was never paged (the process died before its commit hook
# ran) is left to the dashboards rather than paged in the middle of the night days later.
CATCH_UP_WINDOW = dt.timedelta(hours=24)


@dataclass
class EscalationRun:
    """What one run of the escalation command did."""

    first_pages: int = 0
    retries: int = 0
    escalations: int = 0


def alert_link(alert: Alert) -> str:
    return settings.KETACLINIC_PUBLIC_URL + reverse("alerts:detail", args=[alert.pk])


def page_message(alert: Alert, channel: str) -> tuple[str, str]:
    """Subject and body: the category, the site and a link; never the patient."""
    category = alert.get_kind_display()
    link = alert_link(alert)
    if channel == PageChannel.SMS:
        return "", f"Ketaclinic URGENT at {alert.site.name}: {category}. {link}"
    subject = f"Urgent alert at {alert.site.name}: {category}"
    body = (
        f"An urgent alert needs a clinician now.\n\nCategory: {category}\n"
        f"Site: {alert.site.name}\n\nOpen it (sign-in required): {link}\n\n"
        "Acknowledge it there to stop it escalating to the next person on call.\n"
    )
    return subject, body


def _address(person: Any, channel: str) -> str:
    if channel == PageChannel.EMAIL:
        return person.email or ""
    number = PagerNumber.objects.filter(person=person).values_list("number", flat=True).first()
    return number or ""


def _attempt(
    alert: Alert, step: int, person: Any, channel: str, attempt: int, now: dt.datetime
) -> AlertPage:
    address = _address(person, channel)
    page = AlertPage(
        alert=alert, step=step, attempt=attempt, recipient=person, channel=channel, at=now
    )
    if not address:
        page.outcome = PageOutcome.NO_ADDRESS
    else:
        subject, body = page_message(alert, channel)
        try:
            page.sender = send_message(address, subject, body, channel=channel)
        except SendError as error:
            page.outcome = PageOutcome.FAILED
            page.error = str(error)[:200]
            if attempt < MAX_ATTEMPTS:
                page.retry_at = now + RETRY_DELAYS[attempt - 1]
        else:
            page.outcome = PageOutcome.SENT
    page.save()
    return page


def _page_step(alert: Alert, step: int, now: dt.datetime) -> None:
    """Page the ``step``-th person of the chain by every channel; schedule the next step."""
    policy = policy_for(alert.site_id)
    chain = on_call_chain(alert.site_id, now, policy)
    alert.paging_step = step
    alert.escalate_at = None
    if not chain:
        AlertPage.objects.create(alert=alert, step=step, outcome=PageOutcome.NO_ONE_ON_CALL, at=now)
    elif step >= len(chain):
        AlertPage.objects.create(
            alert=alert, step=step, outcome=PageOutcome.CHAIN_EXHAUSTED, at=now
        )
    else:
        person = chain[step]
        for channel in (PageChannel.EMAIL, PageChannel.SMS):
            _attempt(alert, step, person, channel, 1, now)
        after = (
            dt.timedelta(minutes=policy.escalate_after_minutes)
            if policy
            else DEFAULT_ESCALATE_AFTER
        )
        alert.escalate_at = now + after
    alert.save(update_fields=["paging_step", "escalate_at"])
    record_event(
        None,
        Action.SEND,
        object_type="alert_page",
        object_id=alert.pk,
        site=alert.site_id,
        detail={"step": step, "kind": alert.kind},
    )


def _first_page(alert_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("site").filter(pk=alert_id).first()
        if (
            alert is None
            or alert.level != AlertLevel.URGENT
            or alert.acknowledged_at is not None
            or alert.pages.exists()
        ):
            return False
        _page_step(alert, 0, now)
        return True


def page_after_commit(alert: Alert) -> None:
    """Page an urgent alert as soon as the transaction that raised it commits.

    A failure here must not undo or break what raised the alert (a patient's answers are
    already saved): it is logged, and the escalation command pages the alert on its next run.
    """

    def page() -> None:
        try:
            _first_page(alert.pk, clock.now())
        except Exception:
            logger.exception("paging alert %s failed; the escalation run will retry", alert.pk)

    transaction.on_commit(page)


def _retry(page_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        page = (
            AlertPage.objects.select_for_update(of=("self",))
            .select_related("alert__site", "recipient")
            .filter(pk=page_id, retry_at__isnull=False)
            .first()
        )
        if page is None:
            return False
        page.retry_at = None
        page.save(update_fields=["retry_at"])
        if page.alert.acknowledged_at is not None or page.recipient is None:
            return False
        _attempt(page.alert, page.step, page.recipient, page.channel, page.attempt + 1, now)
        return True


def _escalate(alert_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .select_related("site")
            .filter(pk=alert_id, acknowledged_at__isnull=True, escalate_at__lte=now)
            .first()
        )
        if alert is None:
            return False
        _page_step(alert, alert.paging_step + 1, now)
        return True


def escalate_due(now: dt.datetime) -> EscalationRun:
    """One pass: page urgent alerts never paged, retry failed sends, escalate stale alerts."""
    run = EscalationRun()
    never_paged = Alert.objects.filter(
        level=AlertLevel.URGENT,
        acknowledged_at__isnull=True,
        raised_at__gte=now - CATCH_UP_WINDOW,
        pages__isnull=True,
    ).values_list("pk", flat=True)
    for alert_id in list(never_paged):
        run.first_pages += _first_page(alert_id, now)
    due_retries = AlertPage.objects.filter(retry_at__lte=now).values_list("pk", flat=True)
    for page_id in list(due_retries):
        run.retries += _retry(page_id, now)
    due = Alert.objects.filter(acknowledged_at__isnull=True, escalate_at__lte=now)
    for alert_id in list(due.values_list("pk", flat=True)):
        run.escalations += _escalate(alert_id, now)
    return run
