"""A nurse half-fills a screening, is warned before the idle logout and stays signed in; later
the session ends while she types, she submits, logs in again, and finds what she typed.

The server's idle clock is moved by the test (``IdleTimeoutMiddleware.clock``), the browser's
by Playwright's clock: nobody waits 15 minutes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ketaclinic.apps.accounts.middleware import IdleTimeoutMiddleware
from ketaclinic.apps.accounts.models import FormDraft
from ketaclinic.apps.treatment.models import Screening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def server_clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(IdleTimeoutMiddleware, "clock", staticmethod(lambda: now[0]))
    return now


def log_in(page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_idle_warning_then_expiry_with_a_half_filled_form_loses_nothing(
    page, clinic, fixed_clock, server_clock, settings
):
    settings.SESSION_IDLE_MINUTES = 2  # warn 60 s before the end (half the limit, at most 2 min)
    clinic.nurse.set_password(PASSWORD)
    clinic.nurse.save()
    page.set_default_timeout(60_000)  # a loaded CI machine; no assertion is about time
    page.clock.install()
    form_url = f"/treatment/patients/{clinic.alice.pk}/screening/"
    page.goto(form_url)
    log_in(page, clinic.nurse.username)
    expect(page).to_have_url(re.compile(re.escape(form_url) + "$"))

    page.get_by_label("Route").select_option("iv")
    page.get_by_label("Weight (kg)").fill("68.4")
    page.get_by_label("Resting BP systolic (mmHg)").fill("132")
    page.get_by_label("Medications").fill("sertraline, lamotrigine")

    # 70 s later the page asks the server (which agrees: 50 s left) and warns.
    server_clock[0] += 70
    page.clock.fast_forward("01:10")
    notice = page.locator("#idle-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("You will be signed out in 0:")
    page.get_by_role("button", name="Stay signed in").click()
    expect(notice).to_be_hidden()

    # Without "stay", 70 + 70 s would be past the 120 s limit; the session was extended.
    server_clock[0] += 70
    assert page.request.get("/accounts/session/").json()["signed_in"] is True

    # Now she walks away: the session ends while the form is half filled, and she submits it.
    page.get_by_label("Resting BP diastolic (mmHg)").fill("84")
    server_clock[0] += 121
    page.get_by_role("button", name="Run screening").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text("What you submitted was kept")).to_be_visible()
    assert FormDraft.objects.filter(user=clinic.nurse).count() == 1

    log_in(page, clinic.nurse.username)
    expect(page).to_have_url(re.compile(re.escape(form_url) + "$"))
    expect(page.locator("#draft-notice")).to_contain_text("has been filled in again")
    expect(page.get_by_label("Weight (kg)")).to_have_value("68.4")
    expect(page.get_by_label("Resting BP systolic (mmHg)")).to_have_value("132")
    expect(page.get_by_label("Resting BP diastolic (mmHg)")).to_have_value("84")
    expect(page.get_by_label("Medications")).to_have_value("sertraline, lamotrigine")
    expect(page.get_by_label("Route")).to_have_value("iv")

    page.locator("#id_sex").select_option("female")
    page.get_by_label("Resting heart rate (/min)").fill("70")
    page.get_by_role("button", name="Run screening").click()
    expect(page.get_by_role("heading", name=re.compile("Rules' decision"))).to_be_visible()
    screening = Screening.objects.get(patient=clinic.alice)
    assert screening.inputs["weight_kg"] == 68.4
    assert screening.inputs["medications"] == ["sertraline", "lamotrigine"]
    assert not FormDraft.objects.exists()
