"""The stop link in every reminder: no login, a question and one button, idempotent; the
opt-out is kept with who, when and how; the token never reaches a log or the audit trail."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from tests.reminders.factories import NOW, make_session

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.reminders.choices import ChangedVia, OptOutScope, SkipReason
from ketaclinic.apps.reminders.delivery import send_due_reminders
from ketaclinic.apps.reminders.models import OptOut, Reminder
from ketaclinic.apps.reminders.planning import plan_reminders
from ketaclinic.apps.web.logging_filters import NoPatientData, redact

H = dt.timedelta(hours=1)
START = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def sent(clinic, sender, fixed_clock):
    """An appointment reminder sent to Alice; returns (reminder, stop path)."""
    make_session(clinic, START)
    plan_reminders(NOW)
    send_due_reminders(START - 48 * H)
    url = re.search(r"https://clinic\.example\.org(/stop/[^/]+/)", sender.outbox[0].body)
    return Reminder.objects.get(offset_hours=48), url.group(1)


def test_opening_the_link_asks_first_and_changes_nothing(client, clinic, sent):
    _reminder, path = sent
    response = client.get(path)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Stop appointment reminders?" in text
    assert "Riverside" in text
    assert "Alice" not in text
    assert "Rivera" not in text
    assert "no-store" in response["Cache-Control"]
    assert OptOut.objects.count() == 0


def test_pressing_stop_records_the_opt_out_once_and_the_next_reminder_is_skipped(
    client, clinic, sent, sender
):
    reminder, path = sent
    first = client.post(path)
    assert first.status_code == 200
    assert "Done" in first.content.decode()
    second = client.post(path)
    assert "Already stopped" in second.content.decode()
    assert "Already stopped" in client.get(path).content.decode()
    opt_out = OptOut.objects.get()
    assert (opt_out.scope, opt_out.created_via, opt_out.created_by, opt_out.reminder) == (
        OptOutScope.APPOINTMENT,
        ChangedVia.LINK,
        None,
        reminder,
    )
    assert opt_out.created_at == NOW
    events = AuditEvent.objects.filter(object_type="contact_preference")
    assert [e.detail for e in events] == [{"opted_out": "appointment", "via": "link"}]
    send_due_reminders(START - 2 * H)
    assert Reminder.objects.get(offset_hours=2).skip_reason == SkipReason.OPTED_OUT
    assert len(sender.outbox) == 1


@pytest.mark.parametrize("token", ["x" * 43, "short", "A" * 44])
def test_a_wrong_token_is_a_404_that_names_no_one(client, clinic, sent, token):
    response = client.get(f"/stop/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert client.post(f"/stop/{token}/").status_code == 404
    assert OptOut.objects.count() == 0


def test_the_stop_link_is_rate_limited(client, clinic, sent):
    _reminder, path = sent
    statuses = {client.get(path).status_code for _ in range(31)}
    assert 429 in statuses


def test_the_token_is_stored_only_as_its_hash_and_never_logged(client, clinic, sent, caplog):
    reminder, path = sent
    token = path.split("/")[2]
    assert token not in str(Reminder.objects.values_list())
    assert reminder.stop_token_hash
    assert token not in reminder.stop_token_hash
    with caplog.at_level(logging.DEBUG):
        client.post(path)
        client.get("/stop/" + "y" * 43 + "/")
    filter_ = NoPatientData()
    for record in caplog.records:
        filter_.filter(record)
        assert token not in record.getMessage()
    assert token not in str(AuditEvent.objects.values_list("detail", "path"))


def test_the_log_filter_and_the_access_log_replace_stop_tokens():
    assert redact("Not Found: /stop/Zz9_-token/") == "Not Found: /stop/[token]/"
    assert redact('"POST /stop/abcDEF123/ HTTP/1.1" 200') == '"POST /stop/[token]/ HTTP/1.1" 200'
    # Staff pages under /reminders/ are not tokens and stay readable.
    assert redact("/reminders/patients/12/") == "/reminders/patients/12/"
