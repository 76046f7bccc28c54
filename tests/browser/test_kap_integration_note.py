"""A therapist opens "My KAP patients", opens a program, and writes the integration note of
a past integration session; the note shows on the program's timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.kap.factories import make_program, session
from tests.personas import PASSWORD, build_clinic

from ketaclinic.apps.kap.models import KapNote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_therapist_writes_an_integration_note_from_the_caseload(page, fixed_clock):
    clinic = build_clinic()
    program = make_program(clinic)
    integration = session(program.course, 3)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(clinic.therapist.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="KAP", exact=True).click()
    expect(page.get_by_role("heading", name="My KAP patients")).to_be_visible()
    row = page.locator("table.kap-caseload tbody tr", has_text="Rivera, Alice")
    expect(row).to_contain_text("5 due")
    row.get_by_role("link", name="Rivera, Alice").click()

    expect(page.get_by_role("heading", name="KAP program")).to_be_visible()
    step = page.locator(f"#session-{integration.pk}")
    expect(step).to_contain_text("note due")
    step.get_by_role("link", name="Write integration note").click()

    expect(page.get_by_role("heading", name="Integration note")).to_be_visible()
    page.get_by_role("button", name="Save note").click()  # empty: refused, field named
    expect(page.locator(".field-invalid")).to_contain_text(
        "write the themes the patient is integrating"
    )
    page.get_by_label("Integration themes").fill("Anger at her father softening into sadness.")
    page.get_by_label("Practices").fill("Evening journaling; one call to her sister a week.")
    page.get_by_label("Plan").fill("Bring the letter she wrote to the next session.")
    page.get_by_role("button", name="Save note").click()

    expect(page.get_by_text("Integration note saved.")).to_be_visible()
    step = page.locator(f"#session-{integration.pk}")
    expect(step).to_contain_text("note written")
    expect(step.locator(".kap-note")).to_contain_text("Anger at her father softening")
    expect(step.locator(".kap-note")).to_contain_text("Evening journaling")
    note = KapNote.objects.get()
    assert (note.session, note.integration_note.author) == (integration, clinic.therapist)
