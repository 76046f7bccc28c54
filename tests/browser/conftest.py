"""Playwright driving Debian's Chromium against a live server; a failure saves a screenshot.

Outside CI a missing Chromium skips these tests with a message; with ``CI=true`` it fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.conftest import IN_CI

ARTIFACTS = Path(os.environ.get("KETACLINIC_TEST_ARTIFACTS", "test-artifacts"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        message = "Debian's chromium is not installed (make browser-deps installs it)"
        if IN_CI:
            pytest.fail(f"{message}; CI=true: browser tests must run")
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            path = ARTIFACTS / f"{item.name}.png"
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", str(path.resolve())))


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def menu_link(page, name: str):
    """The main menu's link ``name``, its group (Programs, Records, Admin) opened if it sits
    in one: roles with many pages see them grouped behind a summary."""
    link = page.locator("nav.mainnav").get_by_role(
        "link", name=name, exact=True, include_hidden=True
    )
    if not link.is_visible():
        inner = page.get_by_role("link", name=name, exact=True, include_hidden=True)
        group = page.locator(".navgroup details").filter(has=inner)
        if group.count():
            group.locator("summary").click()
    return link
