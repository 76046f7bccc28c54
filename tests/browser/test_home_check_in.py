"""A patient sends a home check-in with a high blood pressure from a phone, through the
private link and without logging in; the prescriber sees the alert on the dashboard and the
dose marked for review on the patient's home program."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from tests.browser.two_factor import type_code
from tests.homeprogram.factories import issue, make_prescription
from tests.personas import PASSWORD, build_clinic

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.homeprogram.models import HomeCheckIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page, question: str, choice: str) -> None:
    page.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(choice).check()


def test_a_high_home_blood_pressure_sent_from_a_phone_alerts_the_prescriber(phone_page, page):
    clinic = build_clinic()
    prescription = make_prescription(clinic)
    issued = issue(prescription, dt.date(2026, 3, 10))

    phone_page.goto(f"/home/{issued.token}/")
    expect(phone_page.get_by_role("heading", name="Riverside")).to_be_visible()
    expect(phone_page.get_by_text("Rivera")).to_have_count(0)
    answer(phone_page, "Did you take your dose?", "Yes")
    phone_page.get_by_label("What time did you take it?").fill("09:15")
    phone_page.get_by_label("How much did you take (mg)?").fill("100")
    answer(phone_page, "Was a responsible adult with you?", "Yes")
    phone_page.get_by_label("your mood").fill("5")
    phone_page.get_by_label("your anxiety").fill("4")
    answer(phone_page, "thoughts of ending your life", "No")
    phone_page.get_by_label("Nausea").check()
    answer(phone_page, "How bad were the side effects?", "Mild")
    phone_page.get_by_label("Blood pressure, top number").fill("172")
    phone_page.get_by_label("Blood pressure, bottom number").fill("96")
    fits = phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the check-in scrolls sideways on a phone"
    phone_page.get_by_role("button", name="Send my check-in").click()
    expect(phone_page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(phone_page.get_by_text("the team has been told")).to_be_visible()

    check_in = HomeCheckIn.objects.get()
    assert (check_in.bp_systolic, check_in.bp_diastolic) == (172, 96)
    alert = Alert.objects.get()
    assert (alert.kind, alert.level, alert.assigned_to) == (
        AlertKind.HOME_CHECK_IN,
        AlertLevel.WARNING,
        clinic.prescriber,
    )

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(clinic.prescriber.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    type_code(page, clinic.prescriber.username)
    expect(page.locator("article.alert-card", has_text="Home BP 172/96 mmHg")).to_be_visible()
    page.goto(f"/homeprogram/patient/{clinic.alice.pk}/")
    expect(page.get_by_role("cell", name="Checked in, needs review")).to_be_visible()
    reported = page.locator(".home-calendar tr.dose-needs_review")
    expect(reported).to_contain_text("100 mg at 09:15")  # Riverside time, as the patient wrote
    expect(reported.locator(".finding")).to_contain_text("Home BP 172/96 mmHg")
