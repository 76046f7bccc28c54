"""Questionnaire schedules: which self-report links are due, issued and sent.

Run ``send_due_self_reports(clock.now())`` every few minutes (the management command
``send_due_self_reports`` does). A schedule issues at most one link per session (before
every dosing session) or per due day (weekly, every N days): the database's unique
constraints make a second run, or two runs at once, a no-op.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from ketaclinic.apps.assessments.choices import ScheduleRule
from ketaclinic.apps.assessments.links import IssuedLink, deliver_link, issue_link
from ketaclinic.apps.assessments.models import QuestionnaireSchedule
from ketaclinic.apps.treatment.choices import CourseStatus, SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Course, Session

__all__ = ["SESSION_LEAD", "SendSummary", "due_self_reports", "send_due_self_reports"]

# A link before a session is issued up to two days ahead and expires when the session starts,
# so the answers describe the days just before the dose.
SESSION_LEAD = dt.timedelta(hours=48)
# A periodic link stays open for its interval, at most a week.
MAX_PERIODIC_LIFETIME = dt.timedelta(days=7)
MIN_LIFETIME = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class SendSummary:
    issued: int
    sent: int
    failed: int


def _current_phase(patient_id: int) -> str | None:
    return (
        Course.objects.filter(patient_id=patient_id, status=CourseStatus.ACTIVE)
        .order_by("-starts_on", "-id")
        .values_list("phase", flat=True)
        .first()
    )


def _issue(schedule: QuestionnaireSchedule, **kwargs) -> IssuedLink | None:
    try:
        with transaction.atomic():
            return issue_link(
                patient=schedule.patient,
                instruments=schedule.instruments,
                created_by=None,
                sent_via=schedule.send_via,
                schedule=schedule,
                **kwargs,
            )
    except IntegrityError:  # issued by a concurrent run
        return None


def _before_sessions(schedule: QuestionnaireSchedule, as_of: dt.datetime) -> list[IssuedLink]:
    sessions = (
        Session.objects.filter(
            patient_id=schedule.patient_id,
            kind=SessionKind.DOSING,
            status__in=[SessionStatus.PLANNED, SessionStatus.CHECKED_IN],
            planned_start__gt=as_of + MIN_LIFETIME,
            planned_start__lte=as_of + SESSION_LEAD,
        )
        .exclude(pk__in=schedule.links.filter(session__isnull=False).values("session_id"))
        .order_by("planned_start")
    )
    issued = [_issue(schedule, session=s, lifetime=s.planned_start - as_of) for s in sessions]
    return [link for link in issued if link]


def _periodic(schedule: QuestionnaireSchedule, as_of: dt.datetime) -> list[IssuedLink]:
    interval = dt.timedelta(days=schedule.interval_days or 7)
    today = as_of.astimezone(ZoneInfo(schedule.patient.site.timezone)).date()
    last = (
        schedule.links.filter(due_on__isnull=False)
        .order_by("-due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    if last is not None and today < last + interval:
        return []
    issued = _issue(schedule, due_on=today, lifetime=min(interval, MAX_PERIODIC_LIFETIME))
    return [issued] if issued else []


def due_self_reports(as_of: dt.datetime) -> list[IssuedLink]:
    """Issue every link that is due at ``as_of`` and return them (tokens included, to send)."""
    issued: list[IssuedLink] = []
    schedules = QuestionnaireSchedule.objects.filter(
        active=True, patient__is_active=True
    ).select_related("patient__site")
    for schedule in schedules:
        if schedule.only_in_phase and _current_phase(schedule.patient_id) != schedule.only_in_phase:
            continue
        if schedule.rule == ScheduleRule.BEFORE_EVERY_SESSION:
            issued += _before_sessions(schedule, as_of)
        else:
            issued += _periodic(schedule, as_of)
    return issued


def send_due_self_reports(as_of: dt.datetime, base_url: str | None = None) -> SendSummary:
    """Issue what is due and send each link; a failed send is audited and counted."""
    issued = due_self_reports(as_of)
    failed = sum(1 for link in issued if deliver_link(link, base_url=base_url) is not None)
    return SendSummary(issued=len(issued), sent=len(issued) - failed, failed=failed)
