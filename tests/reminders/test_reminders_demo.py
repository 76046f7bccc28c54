"""The demo's reminders: some planned from the schedule, some sent, one patient opted out
(who still has pending reminders, which the sender will skip); quick to seed."""

from __future__ import annotations

import time

import pytest

from ketaclinic.apps.demo import reminders as demo_reminders
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.reminders.choices import ChangedVia, ReminderStatus
from ketaclinic.apps.reminders.models import OptOut, Reminder

pytestmark = pytest.mark.django_db


def test_the_demo_has_planned_and_sent_reminders_and_one_opt_out(monkeypatch):
    timings = []
    create = demo_reminders.create_reminders

    def timed(*args):
        start = time.perf_counter()
        result = create(*args)
        timings.append(time.perf_counter() - start)
        return result

    monkeypatch.setattr(demo_reminders, "create_reminders", timed)
    seed_demo_clinic(patient_count=60, seed=11)
    assert Reminder.objects.filter(status=ReminderStatus.PENDING).count() >= 5
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() >= 3
    opt_out = OptOut.objects.get()
    assert opt_out.created_via == ChangedVia.LINK
    assert Reminder.objects.filter(patient=opt_out.patient, status="pending").exists()
    assert timings[0] < 2.0, f"reminders demo took {timings[0]:.2f} s"
