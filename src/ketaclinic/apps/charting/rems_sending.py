"""Send the queued REMS forms through each site's channel, retrying with backoff.

``send_due_forms(now)`` is what ``ketaclinic rems send-due`` (cron, every few minutes) runs.
Each form is claimed with a conditional UPDATE inside its own transaction (as the reminders
do), so two senders never send one form twice. The PDF is rendered once and stored with its
SHA-256: every retry sends the same document, and the record keeps what left.

A failed attempt is kept (``RemsSubmissionAttempt``) and the form tried again after
``RETRY_BASE`` × 2^(attempts-1); after ``MAX_ATTEMPTS`` it is ``failed`` and an urgent
alert says so: nobody has to remember, and nobody is left believing it went.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.raising import acknowledge_alert, raise_alert
from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import RemsStatus
from ketaclinic.apps.charting.models import (
    RemsHealthcareSetting,
    RemsRecord,
    RemsSubmissionAttempt,
)
from ketaclinic.apps.charting.rems import REMS_SOURCE
from ketaclinic.apps.charting.rems_channels import ChannelFailed, RemsDocument, channel_for
from ketaclinic.apps.charting.rems_pdf import document_reference, render_form_pdf, sha256_of

__all__ = [
    "MAX_ATTEMPTS",
    "RETRY_BASE",
    "SendReport",
    "outbox_dir",
    "resend",
    "retry_delay",
    "send_due_forms",
]

MAX_ATTEMPTS = 6
RETRY_BASE = dt.timedelta(minutes=10)
"""10, 20, 40, 80, 160 minutes: about five hours from the first try to "failed" (ours)."""
BATCH = 200
FAILED_SOURCE = "rems_failed"


def retry_delay(attempts: int) -> dt.timedelta:
    return RETRY_BASE * (2 ** (attempts - 1))


@dataclass
class SendReport:
    now: dt.datetime
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.sent)} REMS form(s) sent, {len(self.retrying)} to retry, "
            f"{len(self.failed)} failed"
        )


def outbox_dir() -> Path:
    return Path(settings.KETACLINIC_OUTBOX_DIR) / "rems"


def _due(now: dt.datetime):
    return RemsRecord.objects.filter(status=RemsStatus.QUEUED, next_attempt_at__lte=now)


def _send_one(record: RemsRecord, now: dt.datetime) -> str:
    session = record.session
    reference = document_reference(record)
    setting = RemsHealthcareSetting.objects.filter(site_id=session.patient.site_id).first()
    record.attempts += 1
    kind = setting.channel if setting else "none"
    try:
        channel = channel_for(setting, outbox_dir())
        if record.document_pdf is None:
            pdf = render_form_pdf(record)
            record.document_pdf = pdf
            record.document_sha256 = sha256_of(pdf)
        provider_reference = channel.send(
            RemsDocument(f"{reference}.pdf", bytes(record.document_pdf), reference)
        )
    except ChannelFailed as error:
        RemsSubmissionAttempt.objects.create(
            record=record,
            attempted_at=now,
            channel=kind,
            succeeded=False,
            http_status=error.http_status,
            error=error.message[:200],
        )
        record.last_error = error.message[:200]
        if record.attempts >= MAX_ATTEMPTS:
            record.status = RemsStatus.FAILED
            record.next_attempt_at = None
            result = "failed"
        else:
            record.next_attempt_at = now + retry_delay(record.attempts)
            result = "retry"
        outcome = Outcome.ERROR
    else:
        RemsSubmissionAttempt.objects.create(
            record=record,
            attempted_at=now,
            channel=kind,
            succeeded=True,
            reference=provider_reference,
        )
        record.status = RemsStatus.SENT
        record.sent_at = now
        record.submission_reference = provider_reference[:80]
        record.next_attempt_at = None
        record.last_error = ""
        result, outcome = "sent", Outcome.SUCCESS
    record.save()
    record_event(
        None,
        Action.SEND,
        object_type="rems_record",
        object_id=record.pk,
        patient=session.patient,
        outcome=outcome,
        detail={
            "session": session.pk,
            "channel": kind,
            "attempt": record.attempts,
            "sha256": record.document_sha256,
            "problem": record.last_error,
        },
    )
    if result == "sent":
        for alert in Alert.objects.filter(
            kind=AlertKind.REMS_DUE,
            source_type=REMS_SOURCE,
            source_id=str(session.pk),
            acknowledged_at__isnull=True,
        ):
            # Sent on behalf of the nurse who completed the form at discharge.
            acknowledge_alert(alert, user=record.prepared_by, note="REMS form sent.", request=None)
    elif result == "failed":
        raise_alert(
            site=session.patient.site_id,
            kind=AlertKind.REMS_DUE,
            level=AlertLevel.URGENT,
            title=f"REMS form could not be sent: {session.patient.full_name}",
            message=(
                f"{MAX_ATTEMPTS} attempts through the site's REMS channel failed "
                f"({record.last_error}). Correct the channel and resend, or submit on the "
                "REMS portal and mark it submitted."
            ),
            patient=session.patient,
            source_type=FAILED_SOURCE,
            source_id=session.pk,
            assigned_to=session.course.prescriber,
        )
    return result


def send_due_forms(now: dt.datetime, *, limit: int = BATCH) -> SendReport:
    """Send every queued form whose next attempt is due at ``now`` (oldest first)."""
    report = SendReport(now)
    ids = list(_due(now).order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
    for record_id in ids:
        with transaction.atomic():
            claimed = _due(now).filter(pk=record_id).update(next_attempt_at=now)
            if not claimed:
                continue
            record = (
                RemsRecord.objects.select_related("session__patient__site", "session__course")
                .select_for_update(of=("self",))
                .get(pk=record_id)
            )
            result = _send_one(record, now)
        {"sent": report.sent, "retry": report.retrying, "failed": report.failed}[result].append(
            record_id
        )
    return report


def resend(record: RemsRecord, *, user, now: dt.datetime, request) -> RemsRecord:
    """Queue a failed form again (after the channel is corrected), attempts from zero."""
    with transaction.atomic():
        locked = RemsRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != RemsStatus.FAILED:
            return locked
        locked.status = RemsStatus.QUEUED
        locked.attempts = 0
        locked.next_attempt_at = now
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        record_event(
            request,
            Action.UPDATE,
            object_type="rems_record",
            object_id=locked.pk,
            patient=record.session.patient,
            detail={"session": record.session_id, "resend": True},
        )
        for alert in Alert.objects.filter(
            source_type=FAILED_SOURCE,
            source_id=str(record.session_id),
            acknowledged_at__isnull=True,
        ):
            acknowledge_alert(alert, user=user, note="Queued to send again.", request=request)
    return locked
