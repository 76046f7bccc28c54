"""An urgent alert reaches whoever is on call — by e-mail through a real SMTP server and by text
message through a real HTTP webhook — and escalates while nobody acknowledges it."""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
from django.template.loader import render_to_string

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel, PageChannel, PageOutcome
from ketaclinic.apps.alerts.models import AlertPage, OnCallPolicy, OnCallShift, PagerNumber
from ketaclinic.apps.alerts.on_call import contact_promise, on_call_chain, spoken_duration
from ketaclinic.apps.alerts.paging import escalate_due
from ketaclinic.apps.alerts.raising import acknowledge_alert, raise_alert
from ketaclinic.apps.messaging.senders import SmtpSender
from ketaclinic.apps.messaging.smtp_url import SmtpConfig
from ketaclinic.cli import main

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def on_call(clinic):
    """Paul (prescriber) is on call tonight; Dora (the director) is the fallback."""
    for user, address, number in (
        (clinic.prescriber, "paul@clinic.example", "+1 212 555 0101"),
        (clinic.director, "dora@clinic.example", "+1 212 555 0102"),
    ):
        user.email = address
        user.save(update_fields=["email"])
        PagerNumber.objects.create(person=user, number=number)
    OnCallShift.objects.create(
        site=clinic.site_a,
        person=clinic.prescriber,
        starts_at=NOW - 2 * dt.timedelta(hours=1),
        ends_at=NOW + dt.timedelta(hours=10),
    )
    return OnCallPolicy.objects.create(
        site=clinic.site_a,
        escalate_after_minutes=10,
        contact_within_minutes=30,
        fallback_person=clinic.director,
    )


def raise_suicidal_ideation(clinic, capture, level=AlertLevel.URGENT):
    with capture(execute=True):
        return raise_alert(
            site=clinic.site_a,
            patient=clinic.alice,
            kind=AlertKind.SUICIDAL_IDEATION,
            level=level,
            title="PHQ-9 item 9 answered 2",
            message="Alice Rivera answered item 9 with 2.",
        )


def test_an_urgent_alert_reaches_the_on_call_clinician_by_email_and_text(
    clinic, fixed_clock, on_call, paging_senders, django_capture_on_commit_callbacks
):
    inbox, webhook = paging_senders
    alert = raise_suicidal_ideation(clinic, django_capture_on_commit_callbacks)

    [(recipients, mail)] = inbox.messages
    assert recipients == ["paul@clinic.example"]
    assert mail["Subject"] == "Urgent alert at Riverside: Suicidal ideation reported"
    body = mail.get_payload()
    assert f"http://localhost:8000/alerts/{alert.pk}/" in body
    [(headers, payload)] = webhook.received
    assert headers["Authorization"] == "Bearer s3cret"
    assert payload["to"] == "+1 212 555 0101"
    assert payload["channel"] == "sms"
    assert payload["body"] == (
        "Ketaclinic URGENT at Riverside: Suicidal ideation reported. "
        f"http://localhost:8000/alerts/{alert.pk}/"
    )
    for text in (body, mail["Subject"], json.dumps(payload)):
        for phi in ("Alice", "Rivera", clinic.alice.mrn, "item 9"):
            assert phi not in text
    pages = list(alert.pages.values_list("step", "recipient", "channel", "outcome"))
    assert pages == [
        (0, clinic.prescriber.pk, PageChannel.EMAIL, PageOutcome.SENT),
        (0, clinic.prescriber.pk, PageChannel.SMS, PageOutcome.SENT),
    ]
    alert.refresh_from_db()
    assert alert.escalate_at == NOW + 10 * MINUTE


def test_an_unacknowledged_alert_escalates_to_the_next_person_once(
    clinic, fixed_clock, on_call, paging_senders, django_capture_on_commit_callbacks
):
    inbox, webhook = paging_senders
    alert = raise_suicidal_ideation(clinic, django_capture_on_commit_callbacks)
    assert escalate_due(NOW + 9 * MINUTE).escalations == 0
    run = escalate_due(NOW + 10 * MINUTE)
    assert (run.first_pages, run.retries, run.escalations) == (0, 0, 1)
    assert [to for to, _mail in inbox.messages] == [
        ["paul@clinic.example"],
        ["dora@clinic.example"],
    ]
    assert [p["to"] for _h, p in webhook.received] == ["+1 212 555 0101", "+1 212 555 0102"]
    assert escalate_due(NOW + 10 * MINUTE).escalations == 0
    # nobody left after Dora: recorded, and the alert stops escalating
    assert escalate_due(NOW + 20 * MINUTE).escalations == 1
    alert.refresh_from_db()
    assert (alert.paging_step, alert.escalate_at) == (2, None)
    assert alert.pages.last().outcome == PageOutcome.CHAIN_EXHAUSTED
    assert len(inbox.messages) == 2


def test_an_acknowledged_alert_does_not_escalate(
    clinic, fixed_clock, on_call, paging_senders, django_capture_on_commit_callbacks
):
    inbox, _webhook = paging_senders
    alert = raise_suicidal_ideation(clinic, django_capture_on_commit_callbacks)
    acknowledge_alert(alert, user=clinic.prescriber, note="Called; safe.", request=None)
    assert escalate_due(NOW + 30 * MINUTE).escalations == 0
    assert len(inbox.messages) == 1


def test_a_failed_text_is_retried_and_every_attempt_recorded(
    clinic, fixed_clock, on_call, paging_senders, django_capture_on_commit_callbacks
):
    _inbox, webhook = paging_senders
    webhook.fail_next = 1
    alert = raise_suicidal_ideation(clinic, django_capture_on_commit_callbacks)
    failed = alert.pages.get(channel=PageChannel.SMS)
    assert (failed.outcome, failed.error) == (
        PageOutcome.FAILED,
        "the paging webhook answered HTTP 503",
    )
    assert failed.retry_at == NOW + MINUTE
    assert escalate_due(NOW + 30 * dt.timedelta(seconds=1)).retries == 0
    assert escalate_due(NOW + MINUTE).retries == 1
    retried = alert.pages.filter(channel=PageChannel.SMS).order_by("id").last()
    assert (retried.attempt, retried.outcome, retried.sender) == (2, PageOutcome.SENT, "webhook")
    assert [p["to"] for _h, p in webhook.received] == ["+1 212 555 0101"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_server_that_is_down_is_tried_three_times_then_left(
    clinic, fixed_clock, on_call, paging_senders, django_capture_on_commit_callbacks
):
    from ketaclinic.apps.messaging.choices import Channel
    from ketaclinic.apps.messaging.sending import current_sender

    current_sender().by_channel[Channel.EMAIL] = SmtpSender(
        SmtpConfig(host="127.0.0.1", port=closed_port(), timeout_seconds=2), "a@clinic.example"
    )
    alert = raise_suicidal_ideation(clinic, django_capture_on_commit_callbacks)
    escalate_due(NOW + MINUTE)
    escalate_due(NOW + 6 * MINUTE)
    attempts = list(
        alert.pages.filter(channel=PageChannel.EMAIL).values_list("attempt", "outcome", "retry_at")
    )
    assert attempts == [
        (1, PageOutcome.FAILED, None),
        (2, PageOutcome.FAILED, None),
        (3, PageOutcome.FAILED, None),
    ]
    assert "ConnectionRefusedError" in alert.pages.first().error


def test_with_no_one_on_call_the_alert_says_so(
    clinic, fixed_clock, paging_senders, django_capture_on_commit_callbacks
):
    inbox, _webhook = paging_senders
    alert = raise_suicidal_ideation(clinic, django_capture_on_commit_callbacks)
    assert list(alert.pages.values_list("outcome", flat=True)) == [PageOutcome.NO_ONE_ON_CALL]
    assert inbox.messages == []


def test_warnings_are_not_paged(
    clinic, fixed_clock, on_call, paging_senders, django_capture_on_commit_callbacks
):
    alert = raise_suicidal_ideation(
        clinic, django_capture_on_commit_callbacks, level=AlertLevel.WARNING
    )
    assert not alert.pages.exists()
    assert escalate_due(NOW + MINUTE).first_pages == 0


def test_an_alert_whose_commit_hook_never_ran_is_paged_by_the_next_run(
    clinic, fixed_clock, on_call, paging_senders
):
    inbox, _webhook = paging_senders
    raise_alert(
        site=clinic.site_a, kind=AlertKind.LEDGER_DISCREPANCY, level=AlertLevel.URGENT, title="x"
    )
    assert inbox.messages == []
    assert escalate_due(NOW + MINUTE).first_pages == 1
    assert inbox.messages[0][1]["Subject"] == (
        "Urgent alert at Riverside: Controlled-substance discrepancy"
    )


def test_the_chain_skips_people_twice_and_inactive_accounts(clinic, on_call):
    OnCallShift.objects.create(
        site=clinic.site_a,
        person=clinic.director,
        starts_at=NOW - MINUTE,
        ends_at=NOW + MINUTE,
        rank=2,
    )
    assert on_call_chain(clinic.site_a.pk, NOW) == [clinic.prescriber, clinic.director]
    clinic.prescriber.is_active = False
    clinic.prescriber.save()
    assert on_call_chain(clinic.site_a.pk, NOW) == [clinic.director]
    assert on_call_chain(clinic.site_a.pk, NOW + 11 * dt.timedelta(hours=1)) == [clinic.director]


def test_a_fallback_role_pages_its_members_at_the_site(clinic):
    from django.contrib.auth.models import Group

    OnCallPolicy.objects.create(
        site=clinic.site_a, fallback_group=Group.objects.get(name="prescriber")
    )
    assert on_call_chain(clinic.site_a.pk, NOW) == [clinic.prescriber]


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (90, "1 hour 30 minutes"),
        (120, "2 hours"),
    ],
)
def test_spoken_durations(minutes, words):
    assert spoken_duration(minutes) == words


def test_the_patient_is_promised_what_the_policy_says_and_shown_the_crisis_line(clinic, on_call):
    assert contact_promise(clinic.site_a) == (
        "Your answers have reached your care team at Riverside. A clinician will contact you "
        "within 30 minutes."
    )
    assert "no one is paged out of hours" in contact_promise(clinic.site_b)
    html = render_to_string("assessments/public_done.html", {"site": clinic.site_a, "crisis": True})
    assert "within 30 minutes" in html
    assert '<a class="tel-link" href="tel:988">988</a>' in html
    html = render_to_string("enquiries/_crisis.html", {"site": clinic.site_a, "alerted": True})
    assert "within 30 minutes" in html
    assert 'href="tel:988"' in html


def test_the_escalation_command_runs_and_refuses_a_bad_time(
    clinic, fixed_clock, on_call, paging_senders, capsys
):
    raise_alert(site=clinic.site_a, kind=AlertKind.SESSION_HOLD, level=AlertLevel.URGENT, title="x")
    assert main(["alerts", "escalate", "--now", (NOW + MINUTE).isoformat(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "first_pages": 1,
        "retries": 0,
        "escalations": 0,
    }
    assert main(["alerts", "escalate", "--now", "tonight"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "ketaclinic: error: now: 'tonight' is not an ISO 8601 date and time"
    ]
    assert AlertPage.objects.count() == 2
