"""Two senders at once (two cron runs overlapping) send each reminder once: the claim is a
conditional UPDATE, so the second waits on the row lock and then finds it no longer pending.
Threads need separate connections, which SQLite's test database (in one file, one writer)
does not model faithfully; this runs on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from tests.personas import build_clinic
from tests.reminders.factories import NOW, make_session

from ketaclinic.apps.messaging.senders import MemorySender, OutboundMessage
from ketaclinic.apps.messaging.sending import install_sender
from ketaclinic.apps.reminders.delivery import send_due_reminders
from ketaclinic.apps.reminders.models import Reminder
from ketaclinic.apps.reminders.planning import plan_reminders

pytestmark = pytest.mark.django_db(transaction=True)


class SlowSender(MemorySender):
    """Holds each message a moment, so the two runs overlap inside the transaction."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def send(self, message: OutboundMessage) -> None:
        threading.Event().wait(0.05)
        with self.lock:
            self.outbox.append(message)


def test_two_senders_at_once_send_each_reminder_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: run with PostgreSQL")
    clinic = build_clinic()
    clinic.alice.email = "alice@example.org"
    clinic.alice.save()
    for number in range(1, 6):
        make_session(clinic, NOW + dt.timedelta(hours=48 + number), number=number)
        plan_reminders(NOW + dt.timedelta(hours=number - 1))
    due = NOW + dt.timedelta(hours=7)  # 17:00 EDT: five 48-hour reminders due, no 2-hour one
    sender = SlowSender()
    previous = install_sender(sender)
    reports = []

    def run() -> None:
        try:
            reports.append(send_due_reminders(due))
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        install_sender(previous)
    sent = Reminder.objects.filter(status="sent").count()
    assert sent == 5, list(
        Reminder.objects.exclude(status="sent").values_list("offset_hours", "status", "due_at")
    )
    assert len(sender.outbox) == 5
    assert sum(report.count("sent") for report in reports) == 5
