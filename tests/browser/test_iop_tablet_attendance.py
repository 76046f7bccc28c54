"""A facilitator takes attendance for a whole IOP group on a tablet in the group room and
sees each patient's hours this week update; a late arrival counts its missing minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.iop.factories import enrol, make_group, make_session
from tests.personas import PASSWORD, build_clinic, make_patient

from ketaclinic.apps.iop.models import Attendance
from ketaclinic.apps.web import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=TABLET, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_facilitator_takes_attendance_on_a_tablet_and_sees_the_weekly_hours(tablet):
    page = tablet
    clinic = build_clinic()
    today = clock.today(clinic.site_a.timezone)
    group = make_group(clinic, starts_on=today - dt.timedelta(days=28))
    alice = enrol(group, clinic.alice, clinic.front_desk, starts_on=group.starts_on)
    carol = enrol(
        group,
        make_patient(clinic.site_a, "K000002", "Carol", "Nguyen", dt.date(1990, 1, 1)),
        clinic.front_desk,
        starts_on=group.starts_on,
    )
    session = make_session(group, today)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(clinic.therapist.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/iop/groups/{group.pk}/")
    page.get_by_role("link", name="Take attendance").click()

    alice_line = page.locator(f"#line-{alice.pk}")
    carol_line = page.locator(f"#line-{carol.pk}")
    expect(alice_line.locator(".week-hours")).to_have_text("0.0 h")
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the attendance sheet scrolls sideways on a tablet"
    box = alice_line.locator("label.choice", has_text="Present").bounding_box()
    assert box is not None
    assert box["height"] >= 44, "touch targets on the sheet are at least 44 px high"

    alice_line.get_by_text("Present", exact=True).tap()
    carol_line.get_by_text("Late", exact=True).tap()
    carol_line.get_by_label("Minutes late").fill("30")
    page.get_by_role("button", name="Save attendance").tap()

    expect(page.get_by_text("Attendance saved for 2 patients.")).to_be_visible()
    expect(alice_line.locator(".week-hours")).to_have_text("3.0 h")
    expect(carol_line.locator(".week-hours")).to_have_text("2.5 h")
    minutes = dict(
        Attendance.objects.filter(session=session).values_list("enrolment_id", "attended_minutes")
    )
    assert minutes == {alice.pk: 180, carol.pk: 150}

    # A mistake is caught on its line and nothing is saved.
    carol_line.get_by_label("Minutes late").fill("")
    page.get_by_role("button", name="Save attendance").tap()
    expect(carol_line.get_by_text("say how many minutes late")).to_be_visible()
    assert Attendance.objects.get(session=session, enrolment=carol).late_minutes == 30
