"""Every sender receives the same reminder (console, file, memory, SMTP through Django's
in-memory mail backend), and the cron commands ``ketaclinic reminders plan|send``."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import re

import pytest
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from tests.reminders.factories import NOW, make_session

from ketaclinic.apps.messaging.senders import ConsoleSender, FileSender, MemorySender, SmtpSender
from ketaclinic.apps.messaging.sending import install_sender
from ketaclinic.apps.messaging.smtp_url import parse_smtp_url
from ketaclinic.apps.reminders.delivery import send_due_reminders
from ketaclinic.apps.reminders.message_texts import appointment_text
from ketaclinic.apps.reminders.models import Reminder
from ketaclinic.apps.reminders.planning import plan_reminders
from ketaclinic.cli import main

H = dt.timedelta(hours=1)
START = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)
STOP = re.compile(r"https://clinic\.example\.org/stop/[A-Za-z0-9_-]{43}/")


def _parsed(raw: str) -> tuple[str, str]:
    message = email.message_from_string(raw, policy=email.policy.default)
    return str(message["Subject"]), message.get_content()


def _console(tmp_path, mailoutbox):
    stream = io.StringIO()
    return ConsoleSender(stream), lambda: _parsed(stream.getvalue().split("\n" + "-" * 72)[0])


def _file(tmp_path, mailoutbox):
    outbox = tmp_path / "outbox"
    return FileSender(outbox), lambda: _parsed(next(outbox.iterdir()).read_text())


def _memory(tmp_path, mailoutbox):
    sender = MemorySender()
    return sender, lambda: (sender.outbox[0].subject, sender.outbox[0].body)


def _smtp(tmp_path, mailoutbox):
    config = parse_smtp_url("smtp://user:pw@mail.example.org:587?tls=true")
    sender = SmtpSender(config, "Clinic <c@example.org>", lambda **_: MemoryBackend())
    return sender, lambda: (mailoutbox[0].subject, mailoutbox[0].body)


@pytest.mark.parametrize("make", [_console, _file, _memory, _smtp], ids=lambda f: f.__name__[1:])
def test_every_sender_receives_the_same_reminder(clinic, tmp_path, mailoutbox, make):
    sender, delivered = make(tmp_path, mailoutbox)
    previous = install_sender(sender)
    try:
        make_session(clinic, START)
        plan_reminders(NOW)
        send_due_reminders(START - 48 * H)
    finally:
        install_sender(previous)
    subject, body = delivered()
    url = STOP.search(body).group(0)
    expected = appointment_text(clinic.site_a, START, "email", url)
    assert (subject, body.rstrip("\n")) == (expected[0], expected[1].rstrip("\n"))
    assert Reminder.objects.get(offset_hours=48).sender == sender.name


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["reminders", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_then_send_from_the_command_line_is_idempotent(clinic, sender, capsys):
    make_session(clinic, START)
    code, out, _ = run(capsys, "plan", "--now", NOW.isoformat(), "--json")
    assert code == 0
    assert json.loads(out)["appointment_reminders_created"] == 2
    code, out, _ = run(capsys, "plan", "--now", NOW.isoformat())
    assert out.strip() == (
        "planned 0 appointment and 0 questionnaire reminders; moved 0 for rescheduled appointments"
    )
    due = (START - 48 * H).isoformat()
    code, out, _ = run(capsys, "send", "--now", due, "--dry-run", "--json")
    report = json.loads(out)
    assert (code, report["dry_run"], report["counts"]["sent"]) == (0, True, 1)
    assert sender.outbox == []
    code, out, _ = run(capsys, "send", "--now", due, "--json")
    assert json.loads(out)["counts"]["sent"] == 1
    assert json.loads(out)["reminders"][0]["channel"] == "email"
    code, out, _ = run(capsys, "send", "--now", due)
    assert out.strip() == "0 sent, 0 skipped, 0 deferred, 0 retry, 0 failed"
    assert len(sender.outbox) == 1


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["send", "--now", "tomorrow"],
            "ketaclinic: error: now: 'tomorrow' is not an ISO 8601 date and time",
        ),
        (
            ["plan", "--now", "2026-03-10T14:00:00"],
            "ketaclinic: error: now: '2026-03-10T14:00:00' needs an offset, "
            "e.g. 2026-03-10T14:00:00+00:00",
        ),
        (["send", "--later"], "ketaclinic: error: unrecognized arguments: --later"),
    ],
)
def test_bad_input_exits_two_with_one_line(capsys, args, line):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [line]


def test_a_missing_action_exits_two(capsys):
    assert main(["reminders"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
