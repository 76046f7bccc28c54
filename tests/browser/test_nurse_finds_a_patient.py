"""A nurse logs in, searches a demo patient, opens the chart and logs out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ketaclinic.apps.demo.organisation import DEMO_PASSWORD
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.patients.models import Patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_searches_a_demo_patient_opens_the_chart_and_logs_out(page):
    seed_demo_clinic(patient_count=40, seed=5)
    patient = Patient.objects.filter(site__slug="riverside").order_by("id").first()

    page.goto("/patients/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()

    page.get_by_label("Name or MRN").fill(patient.family_name)
    page.get_by_role("button", name="Search").click()
    link = page.get_by_role("link", name=f"{patient.family_name}, {patient.given_name}").first
    expect(link).to_be_visible()
    link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(f"{patient.family_name}, ")
    )
    expect(page.get_by_text("Weight and height")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"/patients/{patient.pk}/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_another_sites_nurse_gets_not_found_for_this_patient(page):
    seed_demo_clinic(patient_count=40, seed=5)
    riverside = Patient.objects.filter(site__slug="riverside").order_by("id").first()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nurse.lakeview")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    response = page.goto(f"/patients/{riverside.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
