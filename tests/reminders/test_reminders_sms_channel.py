"""Scheduled questionnaires by SMS through the site's own provider (a real local HTTP server),
with opt-in, quiet hours, and STOP / START / HELP through the signed inbound webhook."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from tests.reminders.factories import NOW, make_link

from ketaclinic.apps.reminders.choices import ReminderStatus, SkipReason
from ketaclinic.apps.reminders.delivery import send_due_reminders
from ketaclinic.apps.reminders.models import ContactPreference, OptOut, Reminder, SmsChannel
from ketaclinic.apps.reminders.planning import plan_reminders
from ketaclinic.apps.reminders.sms import record_sms_consent, sign

H = dt.timedelta(hours=1)
SECRET = "provider-token-123"


@pytest.fixture
def provider():
    """A stand-in SMS provider: keeps each form-encoded POST and its Authorization header."""
    got: list[dict] = []
    state = {"fail": False}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            fields = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            fields["_auth"] = self.headers.get("Authorization", "")
            status = 503 if state["fail"] else 201
            if not state["fail"]:
                got.append(fields)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield got, state, f"http://127.0.0.1:{server.server_address[1]}/Messages.json"
    server.shutdown()
    server.server_close()


@pytest.fixture
def texting(clinic, provider):
    got, state, url = provider
    channel = SmsChannel(
        site=clinic.site_a, api_url=url, account_id="AC42", from_number="+15550000", updated_at=NOW
    )
    channel.set_secret(SECRET)
    channel.save()
    ContactPreference.objects.create(patient=clinic.alice, preferred_channel="sms", updated_at=NOW)
    return got, state


def test_a_questionnaire_is_texted_through_the_sites_provider_once_the_patient_opted_in(
    clinic, texting
):
    got, _ = texting
    assert SECRET not in SmsChannel.objects.get().secret_encrypted
    record_sms_consent(clinic.alice, via="staff", by=clinic.nurse, now=NOW)
    make_link(clinic, NOW - 2 * H)
    plan_reminders(NOW)
    report = send_due_reminders(NOW + 22 * H)  # 08:00 EDT, as the quiet hours end
    assert [r.result for r in report.results] == ["sent"]
    assert len(got) == 1
    assert (got[0]["To"], got[0]["From"]) == ("+1 555 0100", "+15550000")
    assert "questionnaire" in got[0]["Body"].lower()
    assert got[0]["_auth"] == "Basic " + base64.b64encode(f"AC42:{SECRET}".encode()).decode()
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.channel, reminder.sender) == ("sent", "sms", "sms_api")


def test_without_opt_in_the_site_texts_nobody_and_e_mail_is_used_instead(clinic, texting):
    got, _ = texting
    make_link(clinic, NOW - 2 * H)
    plan_reminders(NOW)
    send_due_reminders(NOW + 22 * H)
    assert got == []
    assert Reminder.objects.get().channel == "email"
    clinic.alice.email = ""
    clinic.alice.save()
    make_link(clinic, NOW - H, token_hash="b" * 64)
    plan_reminders(NOW)
    send_due_reminders(NOW + 23 * H)
    assert Reminder.objects.order_by("id").last().skip_reason == SkipReason.NO_SMS_CONSENT


def test_quiet_hours_hold_the_text_until_morning(clinic, texting):
    got, _ = texting
    record_sms_consent(clinic.alice, via="staff", by=clinic.nurse, now=NOW)
    make_link(clinic, NOW - 2 * H)
    plan_reminders(NOW)
    send_due_reminders(NOW + 12 * H)  # 02:00 UTC = 22:00 EDT: quiet until 08:00
    assert got == []
    reminder = Reminder.objects.get()
    assert reminder.due_at == NOW + 22 * H
    send_due_reminders(NOW + 22 * H)
    assert len(got) == 1


def test_a_provider_failure_is_retried(clinic, texting):
    got, state = texting
    record_sms_consent(clinic.alice, via="staff", by=clinic.nurse, now=NOW)
    make_link(clinic, NOW - 2 * H)
    plan_reminders(NOW)
    state["fail"] = True
    send_due_reminders(NOW + 22 * H)
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.PENDING, 1)
    assert "HTTP 503" in reminder.last_error
    state["fail"] = False
    send_due_reminders(reminder.due_at)
    assert len(got) == 1


def _inbound(client, clinic, text, *, secret=SECRET, at=NOW):
    body = json.dumps({"from": "+15550100", "body": text}).encode()
    stamp = str(int(at.timestamp()))
    return client.post(
        reverse("sms_hooks:inbound", args=[clinic.site_a.slug]),
        body,
        content_type="application/json",
        headers={
            "X-Ketaclinic-Timestamp": stamp,
            "X-Ketaclinic-Signature": sign(secret, stamp, body),
        },
    )


def test_stop_by_text_stops_every_text_and_is_confirmed_once(client, clinic, texting):
    got, _ = texting
    record_sms_consent(clinic.alice, via="staff", by=clinic.nurse, now=NOW)
    response = _inbound(client, clinic, "Stop")
    assert response.status_code == 200
    assert response.json() == {"keyword": "stop", "patients": 1, "reply_problem": ""}
    assert OptOut.objects.get(patient=clinic.alice).scope == "sms"
    assert OptOut.objects.get().created_via == "sms"
    assert "no more text messages" in got[-1]["Body"]
    make_link(clinic, NOW - 2 * H)
    plan_reminders(NOW)
    send_due_reminders(NOW + 22 * H)
    assert len(got) == 1  # only the confirmation; the reminder went by e-mail
    assert Reminder.objects.get().channel == "email"


def test_start_opts_in_again_and_help_answers(client, clinic, texting):
    got, _ = texting
    _inbound(client, clinic, "STOP")
    assert _inbound(client, clinic, "start").json()["keyword"] == "start"
    assert not OptOut.objects.filter(withdrawn_at__isnull=True).exists()
    assert ContactPreference.objects.get().sms_consent_via == "sms"
    assert _inbound(client, clinic, "HELP please").json()["keyword"] == "help"
    assert "+1 555 0199" in got[-1]["Body"]


@pytest.mark.parametrize(
    ("secret", "at"),
    [("wrong-secret", NOW), (SECRET, NOW - dt.timedelta(minutes=6))],
)
def test_an_unsigned_or_stale_inbound_call_is_refused_and_changes_nothing(
    client, clinic, texting, secret, at
):
    response = _inbound(client, clinic, "STOP", secret=secret, at=at)
    assert response.status_code == 403
    assert not OptOut.objects.exists()


def test_a_site_without_an_sms_channel_has_no_webhook(client, clinic):
    response = client.post(
        reverse("sms_hooks:inbound", args=[clinic.site_a.slug]),
        "{}",
        content_type="application/json",
    )
    assert response.status_code == 404
