"""A prescriber screens a demo patient, signs past a review finding with a reason, plans an
IV induction, and finds its six sessions on the schedule."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from tests.browser.two_factor import enrol_demo_user, type_code

from ketaclinic.apps.demo.organisation import DEMO_PASSWORD
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.treatment.models import Course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_prescriber_screens_signs_with_a_reason_plans_iv_and_sees_six_sessions(page):
    seed_demo_clinic(patient_count=40, seed=5)
    patient = (
        Patient.objects.filter(site__slug="riverside", courses__isnull=True).order_by("id").first()
    )
    enrol_demo_user("prescriber")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("prescriber")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    type_code(page, "prescriber")

    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="New screening").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Screening"))
    page.get_by_label("Route").select_option("iv")
    page.locator("#id_sex").select_option("female")
    # 146/88 is above the esketamine label's 140/90: a review finding.
    page.get_by_label("Resting BP systolic (mmHg)").fill("146")
    page.get_by_label("Resting BP diastolic (mmHg)").fill("88")
    page.get_by_label("Resting heart rate (/min)").fill("72")
    page.get_by_label("Medications").fill("sertraline")
    page.get_by_role("button", name="Run screening").click()

    expect(
        page.get_by_role("heading", name="Rules' decision: Needs a prescriber's review")
    ).to_be_visible()
    expect(page.get_by_text("bp_elevated", exact=True)).to_be_visible()
    page.get_by_label("Proceed with treatment").check()
    page.get_by_role("button", name="Sign").click()
    expect(
        page.get_by_text("Document why it is safe to proceed despite bp_elevated")
    ).to_be_visible()
    page.get_by_label("Reason to proceed despite bp_elevated").fill(
        "Repeat BP 134/84 after ten minutes' rest; monitor every 5 minutes."
    )
    page.get_by_label("Proceed with treatment").check()
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("Screening signed.")).to_be_visible()

    page.get_by_role("link", name="Create a treatment plan").click()
    page.get_by_label("Indication").select_option("trd")
    page.get_by_label("Protocol").select_option("iv-depression-induction:thrice-weekly")
    page.get_by_label("Time of day").fill("18:30")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_text("Plan created with 6 sessions.")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(6)

    course = Course.objects.get(patient=patient)
    tz = ZoneInfo(course.site.timezone)
    name = f"{patient.family_name}, {patient.given_name}"
    for session in course.sessions.order_by("number"):
        day = session.planned_start.astimezone(tz).date()
        page.goto(f"/schedule/?site={course.site_id}&date={day.isoformat()}")
        row = page.locator("#schedule-day table.table tr", has_text=name)
        expect(row).to_contain_text("18:30")
        expect(row).to_contain_text(f"#{session.number}")
