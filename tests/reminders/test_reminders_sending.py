"""Planning and sending reminders: offsets, idempotence, decisions at send time, quiet hours,
opt-outs, failures and the privacy of the words.

Times: the fixed clock is 2026-03-10 14:00 UTC = 10:00 EDT at Riverside (America/New_York,
daylight time since 8 March). Clinic quiet hours by default: 21:00-08:00.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tests.reminders.factories import NOW, make_link, make_session

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.messaging.senders import MemorySender, SendError
from ketaclinic.apps.messaging.sending import install_sender
from ketaclinic.apps.reminders.choices import (
    ChangedVia,
    OptOutScope,
    ReminderKind,
    ReminderStatus,
    SkipReason,
)
from ketaclinic.apps.reminders.delivery import MAX_ATTEMPTS, send_due_reminders
from ketaclinic.apps.reminders.models import ContactPreference, Reminder, ReminderPolicy
from ketaclinic.apps.reminders.planning import plan_reminders
from ketaclinic.apps.reminders.preferences import record_opt_out
from ketaclinic.apps.treatment.choices import SessionStatus

H = dt.timedelta(hours=1)
# Thursday 12 March 2026 15:00 UTC = 11:00 EDT.
START = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)


def test_planning_makes_one_reminder_per_offset_and_a_second_run_adds_nothing(clinic):
    session = make_session(clinic, START)
    first = plan_reminders(NOW)
    assert first.appointment_reminders_created == 2
    reminders = Reminder.objects.filter(session=session).order_by("offset_hours")
    assert [(r.offset_hours, r.due_at) for r in reminders] == [
        (2, START - 2 * H),
        (48, START - 48 * H),
    ]
    again = plan_reminders(NOW)
    assert again.appointment_reminders_created == 0
    assert Reminder.objects.count() == 2


def test_a_session_booked_for_tomorrow_gets_no_reminder_whose_time_has_passed(clinic):
    make_session(clinic, NOW + 20 * H)
    plan_reminders(NOW)
    assert list(Reminder.objects.values_list("offset_hours", flat=True)) == [2]


def test_the_site_policy_sets_the_offsets(clinic):
    ReminderPolicy.objects.create(site=clinic.site_a, appointment_offsets_hours=[24])
    make_session(clinic, START)
    plan_reminders(NOW)
    assert list(Reminder.objects.values_list("offset_hours", flat=True)) == [24]


def test_sending_twice_never_sends_twice(clinic, sender):
    make_session(clinic, START)
    plan_reminders(NOW)
    due = START - 48 * H
    first = send_due_reminders(due)
    second = send_due_reminders(due)
    assert first.count("sent") == 1
    assert second.results == []
    assert len(sender.outbox) == 1
    reminder = Reminder.objects.get(offset_hours=48)
    assert (reminder.status, reminder.sender, reminder.channel) == ("sent", "memory", "email")
    assert reminder.sent_at == due
    assert reminder.attempts == 1
    assert Reminder.objects.get(offset_hours=2).status == ReminderStatus.PENDING


def test_nothing_is_sent_before_it_is_due(clinic, sender):
    make_session(clinic, START)
    plan_reminders(NOW)
    assert send_due_reminders(START - 48 * H - dt.timedelta(seconds=1)).results == []
    assert sender.outbox == []


def test_a_session_cancelled_after_planning_is_skipped_at_send_time(clinic, sender):
    session = make_session(clinic, START)
    plan_reminders(NOW)
    session.status = SessionStatus.CANCELLED
    session.save()
    send_due_reminders(START - 2 * H)
    assert sender.outbox == []
    assert set(Reminder.objects.values_list("status", "skip_reason")) == {
        ("skipped", SkipReason.SESSION_CANCELLED)
    }


def test_a_moved_session_defers_its_reminder_at_send_time_and_the_planner_moves_it(clinic, sender):
    session = make_session(clinic, START)
    plan_reminders(NOW)
    session.planned_start = START + 24 * H
    session.save()
    report = send_due_reminders(START - 48 * H)
    assert [r.result for r in report.results] == ["deferred"]
    reminder = Reminder.objects.get(offset_hours=48)
    assert reminder.due_at == START - 24 * H
    assert reminder.note == "Appointment moved"
    assert sender.outbox == []
    # The 2-hour reminder is moved by the next planning run.
    assert plan_reminders(START - 47 * H).appointment_reminders_moved == 1
    assert Reminder.objects.get(offset_hours=2).due_at == START + 22 * H
    send_due_reminders(START - 24 * H)
    assert len(sender.outbox) == 1
    assert "Friday 13 March 2026 at 11:00 (EDT)" in sender.outbox[0].body


def test_an_appointment_that_has_started_is_too_late(clinic, sender):
    make_session(clinic, START)
    plan_reminders(NOW)
    send_due_reminders(START + H)
    assert set(Reminder.objects.values_list("skip_reason", flat=True)) == {SkipReason.TOO_LATE}
    assert sender.outbox == []


def test_an_opted_out_patient_gets_nothing_of_that_kind(clinic, sender):
    make_session(clinic, START)
    link = make_link(clinic, NOW - 25 * H, hours=96)
    plan_reminders(NOW)
    record_opt_out(clinic.alice, OptOutScope.APPOINTMENT, via=ChangedVia.STAFF, by=clinic.nurse)
    send_due_reminders(START - 2 * H)
    skipped = Reminder.objects.filter(kind=ReminderKind.APPOINTMENT)
    assert set(skipped.values_list("skip_reason", flat=True)) == {SkipReason.OPTED_OUT}
    questionnaire = Reminder.objects.get(self_report_link=link)
    assert questionnaire.status == ReminderStatus.SENT
    assert len(sender.outbox) == 1


def test_a_stopped_channel_falls_back_to_the_other_and_both_stopped_is_an_opt_out(clinic, sender):
    make_session(clinic, START)
    plan_reminders(NOW)
    record_opt_out(clinic.alice, OptOutScope.EMAIL, via=ChangedVia.STAFF, by=clinic.nurse)
    send_due_reminders(START - 48 * H)
    assert sender.outbox[0].channel == "sms"
    assert sender.outbox[0].to == "+1 555 0100"
    record_opt_out(clinic.alice, OptOutScope.SMS, via=ChangedVia.STAFF, by=clinic.nurse)
    send_due_reminders(START - 2 * H)
    assert Reminder.objects.get(offset_hours=2).skip_reason == SkipReason.OPTED_OUT
    assert len(sender.outbox) == 1


def test_the_preferred_channel_is_used_first(clinic, sender):
    ContactPreference.objects.create(patient=clinic.alice, preferred_channel="sms", updated_at=NOW)
    make_session(clinic, START)
    plan_reminders(NOW)
    send_due_reminders(START - 48 * H)
    assert sender.outbox[0].channel == "sms"
    assert sender.outbox[0].subject == ""


def test_a_patient_without_an_address_is_skipped_as_no_address(clinic, sender):
    clinic.alice.email = ""
    clinic.alice.phone = ""
    clinic.alice.save()
    make_session(clinic, START)
    plan_reminders(NOW)
    send_due_reminders(START - 48 * H)
    assert Reminder.objects.get(offset_hours=48).skip_reason == SkipReason.NO_ADDRESS


def test_quiet_hours_defer_a_reminder_to_the_morning(clinic, sender):
    # Session at 09:00 EDT (13:00 UTC): the 2-hour reminder falls at 07:00 EDT, quiet until
    # 08:00 EDT = 12:00 UTC.
    start = dt.datetime(2026, 3, 12, 13, 0, tzinfo=dt.UTC)
    make_session(clinic, start)
    plan_reminders(NOW)
    report = send_due_reminders(start - 2 * H)
    reminder = Reminder.objects.get(offset_hours=2)
    assert {r.reminder_id: r.result for r in report.results}[reminder.pk] == "deferred"
    assert reminder.status == ReminderStatus.PENDING
    assert reminder.due_at == dt.datetime(2026, 3, 12, 12, 0, tzinfo=dt.UTC)
    assert reminder.note == "Quiet hours"
    assert send_due_reminders(reminder.due_at - dt.timedelta(minutes=1)).results == []
    send_due_reminders(reminder.due_at)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert reminder.sent_at == dt.datetime(2026, 3, 12, 12, 0, tzinfo=dt.UTC)


def test_quiet_hours_lasting_until_the_appointment_skip_the_reminder(clinic, sender):
    # Session at 07:30 EDT: the 2-hour reminder at 05:30 could only go at 08:00, too late.
    start = dt.datetime(2026, 3, 12, 11, 30, tzinfo=dt.UTC)
    make_session(clinic, start)
    plan_reminders(NOW)
    send_due_reminders(start - 2 * H)
    assert Reminder.objects.get(offset_hours=2).skip_reason == SkipReason.QUIET_UNTIL_START


def test_the_patients_own_quiet_hours_replace_the_clinics(clinic, sender):
    ContactPreference.objects.create(
        patient=clinic.alice,
        quiet_start=dt.time(9, 0),
        quiet_end=dt.time(12, 0),
        updated_at=NOW,
    )
    make_session(clinic, START)  # 48-hour reminder at 11:00 EDT, inside the patient's 9-12
    plan_reminders(NOW)
    send_due_reminders(START - 48 * H)
    reminder = Reminder.objects.get(offset_hours=48)
    assert reminder.due_at == dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)  # 12:00 EDT


def test_an_unanswered_questionnaire_gets_one_reminder_a_day_after_it_was_sent(clinic, sender):
    link = make_link(clinic, NOW - 2 * H)
    assert plan_reminders(NOW).questionnaire_reminders_created == 1
    assert plan_reminders(NOW).questionnaire_reminders_created == 0
    reminder = Reminder.objects.get()
    assert reminder.due_at == NOW + 22 * H
    send_due_reminders(NOW + 22 * H)
    message = sender.outbox[0]
    assert message.subject == "A questionnaire from Riverside is waiting"
    assert "/r/" not in message.body
    link.refresh_from_db()
    assert link.used_at is None


def test_a_questionnaire_answered_before_the_reminder_is_skipped(clinic, sender):
    link = make_link(clinic, NOW - 2 * H)
    plan_reminders(NOW)
    link.used_at = NOW
    link.save()
    send_due_reminders(NOW + 22 * H)
    assert Reminder.objects.get().skip_reason == SkipReason.QUESTIONNAIRE_DONE
    assert sender.outbox == []


def test_links_copied_by_staff_or_expiring_before_the_reminder_get_none(clinic):
    make_link(clinic, NOW - 2 * H, sent_via="not_sent")
    make_link(clinic, NOW - 3 * H, hours=12)
    assert plan_reminders(NOW).questionnaire_reminders_created == 0


def test_a_site_that_turns_a_kind_off_skips_what_was_planned(clinic, sender):
    make_session(clinic, START)
    plan_reminders(NOW)
    ReminderPolicy.objects.create(site=clinic.site_a, appointment_reminders=False)
    send_due_reminders(START - 48 * H)
    assert Reminder.objects.get(offset_hours=48).skip_reason == SkipReason.TURNED_OFF
    assert plan_reminders(NOW).appointment_reminders_created == 0


def test_a_failed_send_is_retried_then_given_up(clinic):
    make_session(clinic, START)
    plan_reminders(NOW)
    failing = MemorySender(fail_with=SendError("the SMTP server refused the message"))
    previous = install_sender(failing)
    try:
        moment = START - 48 * H
        for attempt in range(1, MAX_ATTEMPTS + 1):
            report = send_due_reminders(moment)
            reminder = Reminder.objects.get(offset_hours=48)
            assert reminder.attempts == attempt
            moment = reminder.due_at
        assert [r.result for r in report.results] == ["failed"]
        assert reminder.status == ReminderStatus.FAILED
        assert reminder.last_error == "the SMTP server refused the message"
        assert AuditEvent.objects.filter(object_type="reminder", outcome="error").count() == 3
    finally:
        install_sender(previous)


def test_a_dry_run_decides_but_sends_and_stores_nothing(clinic, sender):
    make_session(clinic, START)
    plan_reminders(NOW)
    before = list(Reminder.objects.values())
    report = send_due_reminders(START - 48 * H, dry_run=True)
    assert [r.result for r in report.results] == ["sent"]
    assert report.summary().startswith("dry run: would have 1 sent")
    assert sender.outbox == []
    assert list(Reminder.objects.values()) == before


def test_a_send_is_audited_without_the_message_or_its_token(clinic, sender):
    make_session(clinic, START)
    plan_reminders(NOW)
    send_due_reminders(START - 48 * H)
    event = AuditEvent.objects.get(object_type="reminder", action="send")
    assert event.patient_id == clinic.alice.pk
    assert event.detail == {
        "kind": "appointment",
        "channel": "email",
        "sender": "memory",
        "attempt": 1,
        "problem": "",
    }
    token = re.search(r"/stop/([^/]+)/", sender.outbox[0].body).group(1)
    assert token not in str(AuditEvent.objects.values_list("detail", "path"))


PRIVATE_WORDS = ["Alice", "Rivera", "K000001", "ketamine", "mg", "IV", "dosing", "PHQ", "phq9"]


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_reminders_say_only_the_clinic_the_date_and_the_time(clinic, sender, channel):
    ContactPreference.objects.create(
        patient=clinic.alice, preferred_channel=channel, updated_at=NOW
    )
    make_session(clinic, START)
    make_link(clinic, START - 72 * H)
    plan_reminders(START - 48 * H)
    send_due_reminders(START - 48 * H)
    assert len(sender.outbox) == 2
    for message in sender.outbox:
        text = f"{message.subject}\n{message.body}"
        for word in PRIVATE_WORDS:
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), (word, text)
        assert "Riverside" in text
        assert re.search(r"https://clinic\.example\.org/stop/[A-Za-z0-9_-]{43}/", text)
    appointment = next(m for m in sender.outbox if "appointment" in m.body)
    assert ("Thursday 12 March 2026 at 11:00 (EDT)" in appointment.body) == (channel == "email")
    assert ("Thu 12 Mar at 11:00" in appointment.body) == (channel == "sms")


def test_a_questionnaire_expired_by_send_time_or_closing_in_quiet_hours_is_too_late(clinic, sender):
    # Link sent 9 March 22:00 EDT (10 March 02:00 UTC) for 30 hours: reminder due 10 March
    # 22:00 EDT, quiet until 08:00, but the link closes at 11 March 04:00 EDT.
    link = make_link(clinic, dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC), hours=30)
    plan_reminders(NOW)
    send_due_reminders(dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC))
    assert Reminder.objects.get(self_report_link=link).skip_reason == SkipReason.TOO_LATE
    other = make_link(clinic, NOW - 2 * H, patient=clinic.bob, hours=30)
    plan_reminders(NOW)
    send_due_reminders(NOW + 40 * H)
    assert Reminder.objects.get(self_report_link=other).skip_reason == SkipReason.TOO_LATE
    assert sender.outbox == []


@pytest.mark.parametrize("offsets", [[], [0], [True], [48, 48], [1, 2, 3, 4, 5], [337], "48"])
def test_a_policy_refuses_offsets_that_are_not_one_to_four_different_hours(offsets):
    from django.core.exceptions import ValidationError

    from ketaclinic.apps.reminders.models import validate_offsets

    with pytest.raises(ValidationError):
        validate_offsets(offsets)
    validate_offsets([336, 1])
