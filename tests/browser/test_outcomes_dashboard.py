"""The medical director opens the outcomes page, filters by route and reads the verdicts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import menu_link
from tests.browser.two_factor import enrol_demo_user, type_code

from ketaclinic.apps.demo.organisation import DEMO_PASSWORD
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.outcomes.models import CourseOutcome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_director_filters_by_route_and_sees_intervals_and_claim_verdicts(page):
    seed_demo_clinic(patient_count=60, seed=5)
    iv_courses = CourseOutcome.objects.filter(route="iv").count()
    assert 0 < iv_courses < CourseOutcome.objects.count()

    enrol_demo_user("director")
    page.goto("/outcomes/")
    page.get_by_label("Username").fill("director")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    type_code(page, "director")
    expect(page.get_by_role("heading", name="Outcomes", level=1)).to_be_visible()
    expect(menu_link(page, "Outcomes")).to_be_visible()

    page.get_by_label("Route").select_option("iv")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"route=iv"))
    expect(page.locator("#started")).to_have_text(str(iv_courses))

    bars = page.get_by_role("img", name="Response and remission: intent to treat beside completers")
    expect(bars).to_be_visible()
    assert bars.locator("rect").count() >= 4
    assert bars.locator("g.whisker").count() >= 4
    expect(page.get_by_role("columnheader", name="Intent to treat")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Completers")).to_be_visible()

    claims = page.locator(".claim")
    # 70% success, relief within hours, lasting relief, few side effects, fewer suicidal
    # thoughts, non-addictive
    expect(claims).to_have_count(6)
    expect(claims.first).to_contain_text("70% success")
    expect(claims.first.locator(".badge")).to_have_text(
        re.compile(r"Supported|Contradicted|Inconclusive|No data")
    )
    expect(page.get_by_role("img", name=re.compile("Kaplan–Meier"))).to_be_visible()
