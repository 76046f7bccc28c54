"""A person joins the waitlist from the public page on a phone; the front desk converts them
to a patient on a desk-sized screen, without retyping anything."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from ketaclinic.apps.demo.organisation import DEMO_PASSWORD
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.enquiries.choices import EnquiryStatus
from ketaclinic.apps.enquiries.models import Enquiry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_joins_on_a_phone_and_the_front_desk_converts_them(phone_page, page, fixed_clock):
    cache.clear()
    seed_demo_clinic(patient_count=20, seed=5)

    phone_page.goto("/join/riverside/?program=home_sublingual")
    expect(phone_page.get_by_role("heading", name="Join the waiting list")).to_be_visible()
    expect(phone_page.get_by_label("Home-based sublingual ketamine")).to_be_checked()
    phone_page.get_by_label("First name").fill("Carla")
    phone_page.get_by_label("Last name").fill("Quennell")
    phone_page.get_by_label("Date of birth").fill("1990-02-03")
    phone_page.get_by_label("Sex assigned at birth (optional)").select_option("female")
    phone_page.get_by_label("Email (optional if you give a phone number)").fill(
        "carla.moreau@example.com"
    )
    phone_page.get_by_label("Phone (optional if you give an email)").fill("+1 555 234 5678")
    phone_page.get_by_label("Text message").check()
    phone_page.get_by_label("What would you like help with?").select_option("trd")
    phone_page.get_by_label("I have high blood pressure").check()
    phone_page.get_by_label("I agree that the clinic may contact me").check()
    # The honeypot is off-screen: a person never sees it.
    expect(phone_page.get_by_label("Leave this field empty")).not_to_be_in_viewport()
    # Nothing overflows sideways on a 390-pixel screen.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    fixed_clock.moment += dt.timedelta(minutes=3)  # the time a person takes to fill it in
    phone_page.get_by_role("button", name="Send").click()
    expect(
        phone_page.get_by_role("heading", name="Thank you — you are on the waiting list")
    ).to_be_visible()
    expect(phone_page.get_by_text("What happens next")).to_be_visible()
    # Names are encrypted at rest: the database cannot match them, so compare in Python.
    (enquiry,) = [e for e in Enquiry.objects.all() if e.family_name == "Quennell"]
    assert enquiry.status == EnquiryStatus.NEW
    assert enquiry.high_blood_pressure

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Waitlist").click()
    expect(page.get_by_role("heading", name="Waitlist")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Quennell, Carla")
    expect(row).to_contain_text("High blood pressure")
    row.get_by_role("link", name="Quennell, Carla").click()
    expect(page.get_by_role("heading", name="Quennell, Carla")).to_be_visible()
    page.get_by_role("link", name="Convert to patient").click()
    expect(page.get_by_label("Given name")).to_have_value("Carla")
    expect(page.get_by_label("Date of birth")).to_have_value("1990-02-03")
    expect(page.get_by_label("Email")).to_have_value("carla.moreau@example.com")
    page.get_by_role("button", name="Create patient").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Quennell, Carla"))
    expect(page.get_by_text("is now a patient")).to_be_visible()
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CONVERTED
    patient = enquiry.patient
    assert (patient.given_name, patient.date_of_birth, patient.phone) == (
        "Carla",
        dt.date(1990, 2, 3),
        "+1 555 234 5678",
    )
    assert patient.site.slug == "riverside"
