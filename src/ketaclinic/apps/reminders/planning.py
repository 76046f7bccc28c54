"""Plan reminders: one row per planned appointment and offset, one per unanswered
questionnaire link. Run it as often as you like (cron, every few minutes): the unique
constraints and ``ignore_conflicts`` make a second run, or two at once, add nothing.

Planning is a first look only; the sender decides again at send time (a cancelled or moved
appointment, an answered questionnaire, a new opt-out), so nothing here has to be perfect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.accounts.scoping import at_sites
from ketaclinic.apps.assessments.choices import SentVia
from ketaclinic.apps.assessments.models import SelfReportLink
from ketaclinic.apps.reminders.choices import ReminderKind, ReminderStatus
from ketaclinic.apps.reminders.models import Reminder, policy_for
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session

__all__ = ["PLAN_GRACE", "PlanReport", "plan_reminders"]

# A reminder whose time passed less than this long ago is still planned (the planner may run
# a little after the sender); an older one is not (a session booked for tomorrow gets no
# "48 hours before" reminder).
PLAN_GRACE = dt.timedelta(hours=1)
MOVED = "Appointment moved"
# Questionnaire links live at most 14 days (assessments.links.MAX_LIFETIME).
LINK_LOOKBACK = dt.timedelta(days=14)


@dataclass(frozen=True)
class PlanReport:
    now: dt.datetime
    appointment_reminders_created: int
    appointment_reminders_moved: int
    questionnaire_reminders_created: int

    def as_dict(self) -> dict:
        return {
            "now": self.now.isoformat(),
            "appointment_reminders_created": self.appointment_reminders_created,
            "appointment_reminders_moved": self.appointment_reminders_moved,
            "questionnaire_reminders_created": self.questionnaire_reminders_created,
        }

    def summary(self) -> str:
        return (
            f"planned {self.appointment_reminders_created} appointment and "
            f"{self.questionnaire_reminders_created} questionnaire reminders; "
            f"moved {self.appointment_reminders_moved} for rescheduled appointments"
        )


def _new(now: dt.datetime, **fields) -> Reminder:
    return Reminder(
        status=ReminderStatus.PENDING,
        due_at=fields["planned_for"],
        created_at=now,
        updated_at=now,
        **fields,
    )


def _plan_appointments(now: dt.datetime, policies: dict) -> tuple[int, int]:
    sites = [site_id for site_id, policy in policies.items() if policy.appointment_reminders]
    horizon = max((max(policies[s].appointment_offsets_hours) for s in sites), default=0)
    pending = Reminder.objects.filter(status=ReminderStatus.PENDING, session__isnull=False).values(
        "session_id"
    )
    soon = Q(planned_start__lte=now + dt.timedelta(hours=horizon) + PLAN_GRACE)
    sessions = list(
        at_sites(Session, sites)
        .filter(
            soon | Q(id__in=pending),
            status=SessionStatus.PLANNED,
            planned_start__gt=now,
        )
        .only("id", "patient_id", "site_id", "planned_start")
    )
    existing = {
        (r.session_id, r.offset_hours): r
        for r in Reminder.objects.filter(session_id__in=[s.id for s in sessions])
    }
    created: list[Reminder] = []
    moved: list[Reminder] = []
    for session in sessions:
        for offset in policies[session.site_id].appointment_offsets_hours:
            planned_for = session.planned_start - dt.timedelta(hours=offset)
            reminder = existing.get((session.id, offset))
            if reminder is not None:
                if (
                    reminder.status == ReminderStatus.PENDING
                    and reminder.planned_for != planned_for
                ):
                    reminder.planned_for = reminder.due_at = planned_for
                    reminder.note = MOVED
                    reminder.updated_at = now
                    moved.append(reminder)
                continue
            if planned_for < now - PLAN_GRACE:
                continue
            created.append(
                _new(
                    now,
                    patient_id=session.patient_id,
                    site_id=session.site_id,
                    kind=ReminderKind.APPOINTMENT,
                    session_id=session.id,
                    offset_hours=offset,
                    planned_for=planned_for,
                )
            )
    Reminder.objects.bulk_create(created, ignore_conflicts=True)
    Reminder.objects.bulk_update(moved, ["planned_for", "due_at", "note", "updated_at"])
    return len(created), len(moved)


def _plan_questionnaires(now: dt.datetime, policies: dict) -> int:
    sites = [site_id for site_id, policy in policies.items() if policy.questionnaire_reminders]
    links = (
        at_sites(SelfReportLink, sites, site_path="patient__site")
        .filter(
            used_at__isnull=True,
            expires_at__gt=now,
            created_at__gte=now - LINK_LOOKBACK,
            sent_via__in=[SentVia.EMAIL, SentVia.SMS],
        )
        .exclude(
            id__in=Reminder.objects.filter(self_report_link__isnull=False).values(
                "self_report_link_id"
            )
        )
        .select_related("patient")
        .only("id", "patient_id", "patient__site_id", "created_at", "expires_at")
    )
    created = []
    for link in links:
        after = dt.timedelta(hours=policies[link.patient.site_id].questionnaire_after_hours)
        planned_for = link.created_at + after
        if planned_for >= link.expires_at:
            continue
        created.append(
            _new(
                now,
                patient_id=link.patient_id,
                site_id=link.patient.site_id,
                kind=ReminderKind.QUESTIONNAIRE,
                self_report_link_id=link.id,
                planned_for=planned_for,
            )
        )
    Reminder.objects.bulk_create(created, ignore_conflicts=True)
    return len(created)


def plan_reminders(now: dt.datetime) -> PlanReport:
    """Create the reminders due from ``now`` on (idempotent), and move pending ones whose
    appointment was rescheduled."""
    policies = {
        site.id: policy_for(site) for site in Site.objects.select_related("reminder_policy")
    }
    with transaction.atomic():
        created, moved = _plan_appointments(now, policies)
        questionnaires = _plan_questionnaires(now, policies)
    return PlanReport(now, created, moved, questionnaires)
