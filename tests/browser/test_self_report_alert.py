"""A patient answers a PHQ-9 on a phone through a link, with item 9 answered "several
days": crisis resources appear at once and after sending, and the prescriber sees the
urgent alert on the dashboard and acknowledges it with a note."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from tests.browser.two_factor import type_code
from tests.personas import PASSWORD, build_clinic

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.assessments.choices import SentVia
from ketaclinic.apps.assessments.links import issue_link
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.treatment.models import Course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_reports_item_9_on_a_phone_and_the_prescriber_acknowledges_the_alert(
    phone_page, page, settings
):
    clinic = build_clinic()
    Course.objects.create(
        patient=clinic.alice,
        site=clinic.site_a,
        protocol_id="iv_racemic_induction",
        route="iv",
        status="active",
        prescriber=clinic.prescriber,
        starts_on=dt.date(2026, 2, 1),
    )
    issued = issue_link(
        patient=clinic.alice,
        instruments=["phq9"],
        created_by=clinic.nurse,
        sent_via=SentVia.NOT_SENT,
    )

    phone_page.goto(f"/r/{issued.token}/")
    expect(phone_page.get_by_role("heading", name="Riverside")).to_be_visible()
    crisis = phone_page.locator("#crisis")
    expect(crisis).to_be_hidden()
    for item in range(1, 9):
        phone_page.locator(f'label[for="id_phq9-item{item}_{item % 3}"]').click()
    phone_page.get_by_role("group", name=re.compile("better off dead")).get_by_text(
        "Several days"
    ).click()
    expect(crisis).to_be_visible()  # at once, before sending
    expect(crisis).to_contain_text("988")
    fits = phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the form scrolls sideways on a phone"
    phone_page.get_by_role("button", name="Send my answers").click()
    expect(phone_page.get_by_role("heading", name="Please reach out now")).to_be_visible()
    expect(phone_page.locator("#crisis")).to_contain_text(settings.KETACLINIC_CRISIS_TEXT[:40])
    expect(phone_page.get_by_role("heading", name="Thank you")).to_be_visible()

    assessment = Assessment.objects.get()
    assert assessment.answers["item9"] == 1
    alert = Alert.objects.get()
    assert alert.assigned_to == clinic.prescriber

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(clinic.prescriber.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    type_code(page, clinic.prescriber.username)
    card = page.locator("article.alert-card", has_text="PHQ-9 item 9 answered 1")
    expect(card).to_be_visible()
    opener = card.locator("summary")  # the note form may sit behind an "Acknowledge…" toggle
    if opener.count():
        opener.click()
    card.get_by_label("What was done").fill("Called Alice: passive thoughts, no plan; safety plan.")
    card.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Alert acknowledged: PHQ-9 item 9 answered 1")).to_be_visible()

    alert.refresh_from_db()
    assert alert.acknowledged_by == clinic.prescriber
    assert "safety plan" in alert.acknowledgement_note
