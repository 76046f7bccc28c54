"""Schedules issue the links that are due — before each session, weekly, every N days —
once each, and send them through the messaging chokepoint."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.assessments.conftest import SENDERS, expected
from tests.personas import PERSONAS

from ketaclinic.apps.assessments.choices import ScheduleRule, SentVia
from ketaclinic.apps.assessments.models import QuestionnaireSchedule, SelfReportLink
from ketaclinic.apps.assessments.schedules import due_self_reports, send_due_self_reports
from ketaclinic.apps.audit.models import AuditEvent
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


@pytest.mark.parametrize("persona", PERSONAS)
def test_scheduling_from_the_page_is_for_those_who_send_links(client, clinic, fixed_clock, persona):
    clinic.alice.email = "alice@example.org"
    clinic.alice.save()
    user = clinic.persona(persona)
    if user is not None:
        client.force_login(user)
    response = client.post(
        reverse("assessments:schedule-add", args=[clinic.alice.pk]),
        {"schedule-instruments": ["phq9", "gad7"], "schedule-rule": "weekly"}
        | {"schedule-send_via": "email", "schedule-only_in_phase": "maintenance"},
    )
    assert response.status_code == expected(persona, SENDERS, ok=302)
    made = QuestionnaireSchedule.objects.filter(patient=clinic.alice)
    assert made.exists() == (persona in SENDERS)
    if made.exists():
        assert made.get().only_in_phase == "maintenance"
        assert AuditEvent.objects.filter(object_type="questionnaire_schedule").exists()


def test_every_n_days_needs_its_number_on_the_page_and_a_schedule_can_be_stopped(
    client, clinic, fixed_clock
):
    clinic.alice.phone = "+1 555 200 1000"
    clinic.alice.save()
    client.force_login(clinic.nurse)
    url = reverse("assessments:schedule-add", args=[clinic.alice.pk])
    body = {"schedule-instruments": ["gad7"], "schedule-rule": "every_n_days"}
    body["schedule-send_via"] = "sms"
    refused = client.post(url, body)
    assert refused.status_code == 422
    assert "every how many days" in refused.context["schedule_form"].errors["every_n_days"][0]
    client.post(url, body | {"schedule-every_n_days": "3"})
    plan = QuestionnaireSchedule.objects.get()
    assert (plan.every_n_days, plan.send_via) == (3, "sms")
    page = client.get(reverse("assessments:send-link", args=[clinic.alice.pk])).content.decode()
    assert "every n days" in page.lower()
    nurse_b = client
    nurse_b.force_login(clinic.nurse_b)
    assert nurse_b.post(reverse("assessments:schedule-stop", args=[plan.pk])).status_code == 404
    client.force_login(clinic.nurse)
    client.post(reverse("assessments:schedule-stop", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.active is False
