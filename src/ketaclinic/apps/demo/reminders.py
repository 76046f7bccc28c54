"""Demo reminders: the real planner over the demo schedule (pending reminders for the coming
sessions and open questionnaire links), reminders already sent for sessions of the last days,
one skipped for a cancelled session, and one patient who stopped appointment reminders with
the link in a reminder (so their pending ones will be skipped)."""

from __future__ import annotations

import datetime as dt
import random

from ketaclinic.apps.assessments.links import hash_token
from ketaclinic.apps.reminders.choices import (
    ChangedVia,
    OptOutScope,
    ReminderKind,
    ReminderStatus,
    SkipReason,
)
from ketaclinic.apps.reminders.models import OptOut, Reminder
from ketaclinic.apps.reminders.planning import plan_reminders
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session

SENT_HISTORY = 8


def _past(now: dt.datetime, offset_hours: int, session: Session, **fields) -> Reminder:
    planned_for = session.planned_start - dt.timedelta(hours=offset_hours)
    return Reminder(
        patient_id=session.patient_id,
        site_id=session.site_id,
        kind=ReminderKind.APPOINTMENT,
        session=session,
        offset_hours=offset_hours,
        planned_for=planned_for,
        due_at=planned_for,
        created_at=planned_for - dt.timedelta(days=1),
        updated_at=planned_for,
        **fields,
    )


def create_reminders(users: dict, rng: random.Random, now: dt.datetime) -> dict[str, int]:
    """Plan from the demo schedule, add a little history, and record one opt-out."""
    report = plan_reminders(now)
    recent = list(
        Session.objects.filter(
            planned_start__lt=now,
            planned_start__gte=now - dt.timedelta(days=4),
            status__in=[SessionStatus.DISCHARGED, SessionStatus.CANCELLED],
        )
        .select_related("patient")
        .order_by("planned_start", "id")
    )
    history: list[Reminder] = []
    for session in rng.sample(recent, min(SENT_HISTORY, len(recent))):
        if session.status == SessionStatus.CANCELLED:
            history.append(
                _past(
                    now,
                    2,
                    session,
                    status=ReminderStatus.SKIPPED,
                    skip_reason=SkipReason.SESSION_CANCELLED,
                )
            )
            continue
        channel = "sms" if session.patient.phone and rng.random() < 0.4 else "email"
        sent_at = session.planned_start - dt.timedelta(hours=2)
        history.append(
            _past(
                now,
                2,
                session,
                status=ReminderStatus.SENT,
                sent_at=sent_at,
                channel=channel,
                sender="console",
                attempts=1,
                stop_token_hash=hash_token(f"demo-stop-{session.pk}-{rng.random()}"),
            )
        )
    Reminder.objects.bulk_create(history, ignore_conflicts=True)
    opted_out = 0
    pending = list(
        Reminder.objects.filter(kind=ReminderKind.APPOINTMENT, status=ReminderStatus.PENDING)
        .order_by("patient_id")
        .values_list("patient_id", flat=True)
        .distinct()
    )
    if pending:
        patient_id = rng.choice(pending)
        OptOut.objects.create(
            patient_id=patient_id,
            scope=OptOutScope.APPOINTMENT,
            created_at=now - dt.timedelta(days=1, hours=rng.randint(1, 8)),
            created_via=ChangedVia.LINK,
        )
        opted_out = 1
    return {
        "planned": report.appointment_reminders_created + report.questionnaire_reminders_created,
        "history": len(history),
        "opted_out": opted_out,
    }
