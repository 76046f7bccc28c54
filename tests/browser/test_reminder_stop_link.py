"""A patient stops appointment reminders from a phone with the link in a reminder: one
question, one button, no login; the front desk then sees the opt-out on the patient's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from tests.personas import PASSWORD, build_clinic
from tests.reminders.factories import make_session

from ketaclinic.apps.messaging.senders import MemorySender
from ketaclinic.apps.messaging.sending import install_sender
from ketaclinic.apps.reminders.delivery import send_due_reminders
from ketaclinic.apps.reminders.models import OptOut
from ketaclinic.apps.reminders.planning import plan_reminders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)


def test_a_patient_stops_appointment_reminders_from_a_phone(phone_page, page, settings):
    settings.KETACLINIC_PUBLIC_URL = "https://clinic.example.org"
    clinic = build_clinic()
    clinic.alice.email = "alice@example.org"
    clinic.alice.save()
    make_session(clinic, START)
    plan_reminders(NOW)
    sender = MemorySender()
    previous = install_sender(sender)
    try:
        send_due_reminders(START - dt.timedelta(hours=48))
    finally:
        install_sender(previous)
    path = re.search(r"/stop/[A-Za-z0-9_-]{43}/", sender.outbox[0].body).group(0)

    phone_page.goto(path)
    expect(phone_page.get_by_role("heading", name="Stop appointment reminders?")).to_be_visible()
    expect(phone_page.get_by_text("Rivera")).to_have_count(0)
    fits = phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the stop page scrolls sideways on a phone"
    phone_page.get_by_role("button", name="Stop appointment reminders").click()
    expect(phone_page.get_by_role("heading", name="Done")).to_be_visible()
    phone_page.reload()
    expect(phone_page.get_by_role("heading", name="Already stopped")).to_be_visible()
    assert OptOut.objects.get().created_via == "link"

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Reminders").first.click()
    page.get_by_role("link", name="Rivera, Alice").first.click()
    expect(page.locator("#stopped-scopes")).to_contain_text("Appointment reminders")
    expect(page.get_by_text("Patient's stop link")).to_be_visible()
