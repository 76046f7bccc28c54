"""Schedules issue the links that are due — before each session, weekly, every N days —
once each, and send them through the messaging chokepoint."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from ketaclinic.apps.assessments.choices import ScheduleRule, SentVia
from ketaclinic.apps.assessments.models import QuestionnaireSchedule, SelfReportLink
from ketaclinic.apps.assessments.schedules import due_self_reports, send_due_self_reports
from ketaclinic.apps.treatment.models import Session

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def schedule(clinic, rule, **kwargs):
    kwargs.setdefault("send_via", SentVia.EMAIL)
    return QuestionnaireSchedule.objects.create(
        patient=clinic.alice,
        instruments=["phq9", "gad7"],
        rule=rule,
        created_by=clinic.nurse,
        **kwargs,
    )


def session(course, number, start, **kwargs):
    return Session.objects.create(
        course=course,
        patient=course.patient,
        site=course.site,
        number=number,
        planned_start=start,
        **kwargs,
    )


def test_phq9_and_gad7_are_due_before_every_session_in_the_next_two_days(
    clinic, fixed_clock, alice_course
):
    plan = schedule(clinic, ScheduleRule.BEFORE_EVERY_SESSION)
    tomorrow = session(alice_course, 1, NOW + dt.timedelta(hours=20))
    session(alice_course, 2, NOW + dt.timedelta(hours=60))  # too far ahead
    session(alice_course, 3, NOW + dt.timedelta(hours=30), status="cancelled")
    session(alice_course, 4, NOW + dt.timedelta(hours=40), kind="integration")
    issued = due_self_reports(NOW)
    assert [i.link.session for i in issued] == [tomorrow]
    link = issued[0].link
    assert link.instruments == ["phq9", "gad7"]
    assert link.expires_at == tomorrow.planned_start
    assert link.schedule == plan
    assert link.created_by is None
    assert due_self_reports(NOW + dt.timedelta(hours=1)) == []  # once per session


def test_weekly_links_are_due_every_seven_days(clinic, fixed_clock):
    schedule(clinic, ScheduleRule.WEEKLY)
    first = due_self_reports(NOW)
    assert [i.link.due_on for i in first] == [dt.date(2026, 3, 10)]
    assert first[0].link.expires_at == NOW + dt.timedelta(days=7)
    assert due_self_reports(NOW + dt.timedelta(days=6, hours=9)) == []  # 16 March, local
    again = due_self_reports(NOW + dt.timedelta(days=7))
    assert [i.link.due_on for i in again] == [dt.date(2026, 3, 17)]


def test_every_n_days_uses_its_interval(clinic, fixed_clock):
    schedule(clinic, ScheduleRule.EVERY_N_DAYS, every_n_days=3)
    due_self_reports(NOW)
    assert due_self_reports(NOW + dt.timedelta(days=2)) == []
    assert len(due_self_reports(NOW + dt.timedelta(days=3))) == 1


def test_a_phase_bound_schedule_waits_for_that_phase(clinic, fixed_clock, alice_course):
    schedule(clinic, ScheduleRule.WEEKLY, only_in_phase="maintenance")
    assert due_self_reports(NOW) == []
    alice_course.phase = "maintenance"
    alice_course.save()
    assert len(due_self_reports(NOW)) == 1


def test_inactive_schedules_issue_nothing(clinic, fixed_clock):
    schedule(clinic, ScheduleRule.WEEKLY, active=False)
    assert due_self_reports(NOW) == []


def test_the_every_n_days_rule_needs_its_number(clinic, fixed_clock):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        schedule(clinic, ScheduleRule.EVERY_N_DAYS)


def test_due_links_are_sent_and_failures_counted(clinic, fixed_clock, outbox):
    clinic.alice.email = "alice@example.org"
    clinic.alice.save()
    schedule(clinic, ScheduleRule.WEEKLY)
    summary = send_due_self_reports(NOW, base_url="https://clinic.example.org")
    assert (summary.issued, summary.sent, summary.failed) == (1, 1, 0)
    assert "https://clinic.example.org/r/" in outbox[0].body
    clinic.alice.email = ""
    clinic.alice.save()
    later = send_due_self_reports(NOW + dt.timedelta(days=7))
    assert (later.issued, later.sent, later.failed) == (1, 0, 1)


def test_the_management_command_runs_the_schedules(clinic, fixed_clock, outbox):
    clinic.alice.email = "alice@example.org"
    clinic.alice.save()
    schedule(clinic, ScheduleRule.WEEKLY)
    out = io.StringIO()
    call_command("send_due_self_reports", stdout=out)
    assert out.getvalue().strip() == "issued 1, sent 1, failed 0"
    assert SelfReportLink.objects.count() == 1
