"""A nurse runs a whole IV session in the browser: check-in, a pre-dose BP that holds the
session, the prescriber's recorded decision and order, the infusion, vitals charted every
few minutes, and discharge once the readiness check passes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from tests.browser.two_factor import type_code
from tests.charting.factories import make_session
from tests.personas import PASSWORD, build_clinic

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.charting.models import Discharge, HoldDecision, VitalSign
from ketaclinic.apps.treatment.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if username in ("dora", "paul", "adam"):
        type_code(page, username)


def chart_vitals(page, clock, minutes: float, systolic: str, diastolic: str, hr: str) -> None:
    clock.moment += dt.timedelta(minutes=minutes)
    panel = page.locator("#vitals")
    panel.get_by_role("spinbutton", name="Systolic", exact=True).fill(systolic)
    panel.get_by_role("spinbutton", name="Diastolic", exact=True).fill(diastolic)
    panel.get_by_role("spinbutton", name="Heart rate", exact=True).fill(hr)
    panel.get_by_role("spinbutton", name="SpO2 %", exact=True).fill("98")
    before = VitalSign.objects.count()
    panel.get_by_role("button", name="Record vitals").click()
    expect(page.locator("#vitals .vitals-table tbody tr")).to_have_count(before + 1)


def test_nurse_runs_an_iv_session_through_a_hold_to_discharge(
    page, browser, live_server, fixed_clock
):
    clinic = build_clinic()
    session = make_session(clinic)
    chart = f"/sessions/{session.pk}/"

    # Check-in from today's list.
    log_in(page, "nadia")
    page.goto("/sessions/")
    row = page.get_by_role("row", name=re.compile("Rivera, Alice"))
    row.get_by_role("button", name="Check in").click()
    expect(page.locator(".status-pill").first).to_have_text("Checked in")

    # Pre-dose check: 186/98 is above the 180/100 hold line.
    pre = page.locator("#pre-checks")
    pre.get_by_label("Systolic BP (mmHg)").fill("186")
    pre.get_by_label("Diastolic BP (mmHg)").fill("98")
    pre.get_by_label("Heart rate (/min)").fill("78")
    pre.get_by_label("SpO2 (%)").fill("98")
    pre.get_by_label("Minutes since last food").fill("300")
    pre.get_by_label("Minutes since last drink").fill("90")
    pre.get_by_label("Pre-session questionnaires done").check()
    pre.get_by_label("Escort present to take the patient home").check()
    pre.get_by_role("button", name="Run pre-dose check").click()
    expect(page.get_by_role("alert").filter(has_text="HOLD — do not dose")).to_be_visible()
    expect(page.get_by_text("Waiting for the prescriber's decision.")).to_be_visible()
    assert Alert.objects.get(kind="session_hold").assigned_to == clinic.prescriber

    # The prescriber, at another desk, decides and orders.
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    prescriber = desk.new_page()
    log_in(prescriber, "paul")
    prescriber.goto(chart)
    prescriber.get_by_label("Proceed with the dose").check()
    prescriber.get_by_label("Reason").fill(
        "Rested 10 min, 172/94; her usual. Proceed, recheck at 15."
    )
    prescriber.get_by_role("button", name="Record decision").click()
    expect(prescriber.get_by_text("Prescriber's decision: Proceed with the dose")).to_be_visible()
    dose = prescriber.locator("#dose")
    dose.get_by_label("Concentration (mg/mL)").fill("10")
    dose.get_by_role("button", name="Calculate").click()
    expect(prescriber.get_by_text(re.compile(r"Preview: 35 mg"))).to_be_visible()
    prescriber.locator("#dose").get_by_role("button", name="Order dose").click()
    expect(prescriber.locator("#dose").get_by_text("35 mg", exact=False).first).to_be_visible()
    desk.close()

    decision = HoldDecision.objects.get()
    assert decision.decided_by == clinic.prescriber
    assert decision.reason.startswith("Rested 10 min")

    # The nurse starts the infusion (0.5 mg/kg x 70 kg = 35 mg = 3.5 mL of 10 mg/mL).
    page.goto(chart)
    expect(page.get_by_text("Prescriber's decision: Proceed with the dose")).to_be_visible()
    start = page.locator("#dose")
    start.get_by_label("Product").fill("Ketamine HCl 10 mg/mL")
    start.get_by_label("Lot").fill("KX2231")
    start.get_by_label("Strength (mg/mL, or mg per device or troche)").fill("10")
    expect(start.get_by_label("Volume drawn from the vial (mL)")).to_have_value("3.5")
    start.get_by_role("button", name="Start dose").click()
    expect(page.locator(".status-pill").first).to_have_text("Dosing")

    # Vitals every few minutes: htmx swaps the vitals panel in place (no page load; the
    # marker set on this page survives).
    page.evaluate("window.ketaclinicMarker = 'same page'")
    chart_vitals(page, fixed_clock, 0, "150", "90", "84")
    chart_vitals(page, fixed_clock, 10, "162", "94", "88")
    chart_vitals(page, fixed_clock, 15, "168", "96", "90")
    expect(page.locator("#vitals svg circle")).to_have_count(3 * 4)
    assert page.evaluate("window.ketaclinicMarker") == "same page"
    page.locator("#vitals").get_by_label("MOAA/S").select_option("4")
    page.locator("#vitals").get_by_role("button", name="Record MOAA/S").click()
    expect(page.locator("#vitals .moaas")).to_have_count(1)

    fixed_clock.moment += dt.timedelta(minutes=15)  # 40 minutes in
    page.goto(chart)
    page.locator("#dose").get_by_role("button", name="End dose").click()
    expect(page.locator(".status-pill").first).to_have_text("Observing")

    # Two hours after the dose started: back near baseline, alert, escort here.
    chart_vitals(page, fixed_clock, 85, "138", "84", "76")
    page.locator("#vitals").get_by_label("MOAA/S").select_option("5")
    page.locator("#vitals").get_by_role("button", name="Record MOAA/S").click()
    # Wait for the swap before leaving the page: the live server's SQLite test database
    # cannot serialise two writing requests (see tests/ledger's note on row locks).
    expect(page.locator("#vitals .moaas")).to_have_count(2)
    page.goto(chart)
    expect(page.get_by_text("Ready for discharge")).to_be_visible()
    leave = page.locator("#discharge")
    expect(leave.get_by_text("Do not drive or operate machinery").first).to_be_visible()
    leave.get_by_label("Dissociation resolved").check()
    leave.get_by_label("Escort confirmed").check()
    leave.get_by_label("No-driving instruction given to the patient and escort").check()
    leave.get_by_label("Escort's name").fill("Sam Rivera")
    leave.get_by_role("button", name="Discharge").click()
    expect(page.locator(".status-pill").first).to_have_text("Discharged")
    expect(page.get_by_text(re.compile("Instruction given: Do not drive"))).to_be_visible()

    record = Discharge.objects.get()
    assert record.ready
    assert record.discharged_by == clinic.nurse
    assert Session.objects.get(pk=session.pk).status == "discharged"
