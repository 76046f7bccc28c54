"""Each role's main pages pass axe-core (no serious or critical violations); the menu folds
away on a phone and fits one line on a 1366 px desk; Compare on /pk/ sends one request.

axe-core comes from npm (package.json, pinned in package-lock.json; ``make install`` runs
``npm ci``) and is injected into each page by Playwright. Without node_modules these tests
skip with a message outside CI, and fail in CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_pk_page import log_in, serve_vendored_htmx
from tests.browser.two_factor import pass_second_factor, ready_for_log_in
from tests.conftest import IN_CI

from ketaclinic.apps.demo.seeding import seed_demo_clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
SERIOUS = {"serious", "critical"}

# The page each role opens first, and the pages the issue found violations on.
ROLE_PAGES = {
    "frontdesk": ["/", "/schedule/", "/waitlist/"],
    "nurse": ["/", "/sessions/", "/alerts/"],
    "prescriber": ["/", "/alerts/", "/patients/"],
    "therapist": ["/", "/patients/"],
    "director": ["/", "/alerts/", "/alerts/on-call/", "/outcomes/"],
    "admin": ["/", "/audit/"],
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = "axe-core is not installed (make install runs npm ci)"
        if IN_CI:
            pytest.fail(f"{message}; CI=true: accessibility checks must run")
        pytest.skip(message)
    return AXE.read_text()


def serious_violations(page, axe_source: str) -> list[str]:
    # evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on
    page.evaluate(axe_source + "\n;0")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {json.dumps(v['nodes'])}"
        for v in result
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_each_roles_main_pages_have_no_serious_accessibility_violations(page, axe_source, role):
    seed_demo_clinic(patient_count=12, seed=7)
    serve_vendored_htmx(page)
    log_in(page, role)
    found = {}
    for path in ROLE_PAGES[role]:
        page.goto(path)
        problems = serious_violations(page, axe_source)
        if problems:
            found[path] = problems
    assert found == {}


def test_the_public_join_page_has_no_serious_accessibility_violations(page, axe_source):
    seed_demo_clinic(patient_count=2, seed=7)
    for path in ("/join/", "/join/riverside/"):
        page.goto(path)
        assert serious_violations(page, axe_source) == [], path


def test_on_a_phone_the_menu_is_one_button_that_opens_it(phone_page):
    seed_demo_clinic(patient_count=2, seed=7)
    serve_vendored_htmx(phone_page)
    asks_code = ready_for_log_in("director")
    phone_page.goto("/accounts/login/")
    phone_page.get_by_label("Username").fill("director")
    from ketaclinic.apps.demo.organisation import DEMO_PASSWORD

    phone_page.get_by_label("Password").fill(DEMO_PASSWORD)
    phone_page.get_by_role("button", name="Log in").click()
    if asks_code:
        pass_second_factor(phone_page, "director")
    toggle = phone_page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(phone_page.get_by_role("link", name="Patients")).to_be_hidden()
    header = phone_page.locator("header.topbar").bounding_box()
    assert header["height"] < 80
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(phone_page.get_by_role("link", name="Patients")).to_be_visible()
    phone_page.get_by_text("Records", exact=True).click()
    expect(phone_page.get_by_role("link", name="Ledger")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone_page.screenshot(path=str(ARTIFACTS / "menu-open-390.png"))


def test_at_1366_px_the_directors_menu_and_user_menu_fit_one_line(browser, live_server):
    seed_demo_clinic(patient_count=2, seed=7)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 800})
    page = context.new_page()
    serve_vendored_htmx(page)
    log_in(page, "director")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    top = page.locator("header.topbar").bounding_box()
    assert top["height"] < 70
    logout = page.get_by_role("button", name="Log out").bounding_box()
    brand = page.locator("a.brand").bounding_box()
    assert abs((logout["y"] + logout["height"] / 2) - (brand["y"] + brand["height"] / 2)) < 12
    page.get_by_text("Programs", exact=True).click()
    expect(page.get_by_role("link", name="Home program")).to_be_visible()
    context.close()


def test_compare_sends_one_request_after_a_field_is_changed(page):
    seed_demo_clinic(patient_count=2, seed=7)
    serve_vendored_htmx(page)
    log_in(page, "nurse")
    page.goto("/pk/")
    expect(page.locator("svg.pk-chart")).to_be_visible()
    sent = []
    page.on(
        "request", lambda r: sent.append(r.url) if r.headers.get("hx-request") == "true" else None
    )
    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.locator("#id_r4-dose").fill("150")
    # the population simulation takes seconds on a busy machine: wait for it, not a clock
    with page.expect_response(lambda r: "r4-dose=150" in r.url, timeout=120_000):
        page.get_by_role("button", name="Compare").click()
    expect(page.locator('#pk-exposure tr[data-regimen="4"]')).to_contain_text(
        "150 mg", timeout=30_000
    )
    page.wait_for_load_state("networkidle")
    assert len(sent) == 1, sent
    assert csp_errors == []  # htmx settles no style attribute (attributesToSettle)
