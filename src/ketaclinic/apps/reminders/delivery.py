"""Send the reminders that are due, deciding each one again at send time.

Each reminder is claimed with a conditional UPDATE (``status = pending``) inside its own
transaction: on PostgreSQL the row lock makes a second sender wait and then find it no
longer pending; on SQLite the write lock does the same. The message is handed to the sender
inside that transaction, so "sent" is stored only for a message that left, and a message
that left is stored as sent: running the sender twice, or two at once, never sends twice.

What is decided at send time (``decide``), in this order:
1. the appointment is still planned, in the future, and at the same time (else skipped,
   or deferred to the new time); the questionnaire is still unanswered and open;
2. the site still sends this kind; the patient has not stopped this kind;
3. a channel the patient allows that has an address (else skipped: opted out / no address);
4. quiet hours (the patient's own or the site's): deferred to the first permitted instant,
   or skipped if that is too late to be of use.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.db import transaction

from ketaclinic.apps.assessments.links import hash_token
from ketaclinic.apps.audit.choices import Action, Outcome
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.messaging.choices import Channel
from ketaclinic.apps.messaging.senders import SendError
from ketaclinic.apps.messaging.sending import send_message
from ketaclinic.apps.reminders.choices import ReminderKind, ReminderStatus, SkipReason
from ketaclinic.apps.reminders.message_texts import appointment_text, questionnaire_text, stop_url
from ketaclinic.apps.reminders.models import Reminder, policy_for
from ketaclinic.apps.reminders.planning import MOVED
from ketaclinic.apps.reminders.preferences import choose_channel, preferences_of
from ketaclinic.apps.reminders.quiet_hours import next_permitted_instant
from ketaclinic.apps.reminders.sms import sms_channel_of, sms_sender_for
from ketaclinic.apps.treatment.choices import SessionStatus

__all__ = ["MAX_ATTEMPTS", "Decision", "SendReport", "decide", "send_due_reminders"]

MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(minutes=15)
BATCH = 500

SEND, SKIP, DEFER = "send", "skip", "defer"
QUIET = "Quiet hours"


@dataclass(frozen=True)
class Decision:
    action: str
    reason: str = ""
    due_at: dt.datetime | None = None
    channel: str = ""
    address: str = ""


@dataclass(frozen=True)
class Result:
    """What happened to one reminder: sent, skipped, deferred, retry or failed."""

    reminder_id: int
    kind: str
    result: str
    reason: str = ""
    due_at: dt.datetime | None = None
    channel: str = ""
    sender: str = ""


@dataclass
class SendReport:
    now: dt.datetime
    dry_run: bool
    results: list[Result] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for r in self.results if r.result == result)

    def as_dict(self) -> dict:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "counts": {
                name: self.count(name)
                for name in ("sent", "skipped", "deferred", "retry", "failed")
            },
            "reminders": [
                {
                    "id": r.reminder_id,
                    "kind": r.kind,
                    "result": r.result,
                    "reason": r.reason,
                    "due_at": r.due_at.isoformat() if r.due_at else None,
                    "channel": r.channel,
                    "sender": r.sender,
                }
                for r in self.results
            ],
        }

    def summary(self) -> str:
        counts = self.as_dict()["counts"]
        text = ", ".join(f"{n} {name}" for name, n in counts.items())
        return ("dry run: would have " if self.dry_run else "") + text


def decide(reminder: Reminder, now: dt.datetime) -> Decision:
    """What to do with a due reminder now (reads, never writes)."""
    site = reminder.site
    policy = policy_for(site)
    deadline: dt.datetime
    if reminder.kind == ReminderKind.APPOINTMENT:
        session = reminder.session
        # reminder_is_about_one_thing_of_its_kind: an appointment's session and offset are set.
        assert session is not None
        assert reminder.offset_hours is not None
        if session.status != SessionStatus.PLANNED:
            return Decision(SKIP, SkipReason.SESSION_CANCELLED)
        if session.planned_start <= now:
            return Decision(SKIP, SkipReason.TOO_LATE)
        expected = session.planned_start - dt.timedelta(hours=reminder.offset_hours)
        if expected > now:
            return Decision(DEFER, MOVED, due_at=expected)
        deadline = session.planned_start
        enabled = policy.appointment_reminders
    else:
        link = reminder.self_report_link
        assert link is not None  # reminder_is_about_one_thing_of_its_kind: a questionnaire's link
        if link.used_at is not None:
            return Decision(SKIP, SkipReason.QUESTIONNAIRE_DONE)
        if link.expires_at <= now:
            return Decision(SKIP, SkipReason.TOO_LATE)
        deadline = link.expires_at
        enabled = policy.questionnaire_reminders
    if not enabled:
        return Decision(SKIP, SkipReason.TURNED_OFF)
    preferences = preferences_of(reminder.patient)
    if not preferences.allows(reminder.kind):
        return Decision(SKIP, SkipReason.OPTED_OUT)
    choice = choose_channel(
        reminder.patient, preferences, sms_needs_consent=sms_channel_of(site) is not None
    )
    if choice.skip_reason:
        return Decision(SKIP, choice.skip_reason)
    permitted = next_permitted_instant(now, site.timezone, preferences.quiet_window)
    if permitted > now:
        if permitted >= deadline:
            if reminder.kind == ReminderKind.APPOINTMENT:
                return Decision(SKIP, SkipReason.QUIET_UNTIL_START)
            return Decision(SKIP, SkipReason.TOO_LATE)
        return Decision(DEFER, QUIET, due_at=permitted)
    return Decision(SEND, channel=choice.channel, address=choice.address)


def _text(reminder: Reminder, channel: str, url: str) -> tuple[str, str]:
    if reminder.kind == ReminderKind.APPOINTMENT:
        assert reminder.session is not None  # reminder_is_about_one_thing_of_its_kind
        return appointment_text(reminder.site, reminder.session.planned_start, channel, url)
    link = reminder.self_report_link
    assert link is not None  # reminder_is_about_one_thing_of_its_kind
    return questionnaire_text(reminder.site, link.created_at, link.expires_at, channel, url)


def _send(reminder: Reminder, decision: Decision, now: dt.datetime) -> Result:
    token = secrets.token_urlsafe(32)
    subject, body = _text(reminder, decision.channel, stop_url(token))
    reminder.attempts += 1
    try:
        sender = send_message(
            decision.address,
            subject,
            body,
            channel=decision.channel,
            sender=sms_sender_for(reminder.site) if decision.channel == Channel.SMS else None,
        )
    except SendError as error:
        problem = str(error)[:200]
        reminder.last_error = problem
        if reminder.attempts >= MAX_ATTEMPTS:
            reminder.status = ReminderStatus.FAILED
            result = "failed"
        else:
            reminder.due_at = now + RETRY_AFTER * reminder.attempts
            result = "retry"
        outcome, sender_name = Outcome.ERROR, ""
    else:
        reminder.status = ReminderStatus.SENT
        reminder.sent_at = now
        reminder.sender = sender
        reminder.stop_token_hash = hash_token(token)
        reminder.last_error = ""
        result, outcome, problem, sender_name = "sent", Outcome.SUCCESS, "", sender
    reminder.channel = decision.channel
    record_event(
        None,
        Action.SEND,
        object_type="reminder",
        object_id=reminder.pk,
        patient=reminder.patient,
        outcome=outcome,
        detail={
            "kind": reminder.kind,
            "channel": decision.channel,
            "sender": sender_name,
            "attempt": reminder.attempts,
            "problem": problem,
        },
    )
    return Result(
        reminder.pk, reminder.kind, result, problem, reminder.due_at, decision.channel, sender_name
    )


def _apply(reminder: Reminder, decision: Decision, now: dt.datetime) -> Result:
    if decision.action == SKIP:
        reminder.status = ReminderStatus.SKIPPED
        reminder.skip_reason = decision.reason
        result = Result(reminder.pk, reminder.kind, "skipped", decision.reason)
    elif decision.action == DEFER:
        reminder.due_at = decision.due_at
        reminder.note = decision.reason
        if decision.reason == MOVED:
            reminder.planned_for = decision.due_at
        result = Result(reminder.pk, reminder.kind, "deferred", decision.reason, decision.due_at)
    else:
        result = _send(reminder, decision, now)
    reminder.updated_at = now
    reminder.save()
    return result


def _due(now: dt.datetime):
    return Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now)


def _loaded():
    return Reminder.objects.select_related(
        "patient__contact_preference",
        "site__reminder_policy",
        "site__sms_channel",
        "session",
        "self_report_link",
    )


def send_due_reminders(
    now: dt.datetime, *, dry_run: bool = False, limit: int = BATCH
) -> SendReport:
    """Decide and send every reminder due at ``now`` (up to ``limit``, oldest first).

    ``dry_run`` decides and reports without sending or writing anything.
    """
    report = SendReport(now, dry_run)
    ids = list(_due(now).order_by("due_at", "id").values_list("id", flat=True)[:limit])
    for reminder_id in ids:
        if dry_run:
            reminder = _loaded().get(pk=reminder_id)
            decision = decide(reminder, now)
            report.results.append(
                Result(
                    reminder.pk,
                    reminder.kind,
                    {SEND: "sent", SKIP: "skipped", DEFER: "deferred"}[decision.action],
                    decision.reason,
                    decision.due_at,
                    decision.channel,
                )
            )
            continue
        with transaction.atomic():
            claimed = _due(now).filter(pk=reminder_id).update(updated_at=now)
            if not claimed:
                continue  # another sender took it a moment ago
            reminder = _loaded().select_for_update(of=("self",)).get(pk=reminder_id)
            report.results.append(_apply(reminder, decide(reminder, now), now))
    return report
