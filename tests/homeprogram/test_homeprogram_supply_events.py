"""Misuse signals in the home program: who records them, the pill count's own shortfall, the
audit, and how the outcomes page counts them for the "non-addictive" claim (issue 15)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from tests.homeprogram.factories import GOOD_ANSWERS, issue, make_prescription
from tests.personas import PERSONAS

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.homeprogram.models import SupplyEvent
from ketaclinic.apps.outcomes.models import CourseOutcome
from ketaclinic.apps.outcomes.refreshing import refresh_course_outcomes
from ketaclinic.apps.treatment.choices import CourseStatus, SessionKind

pytestmark = pytest.mark.usefixtures("fixed_clock")

RECORD = {"nurse", "prescriber", "director"}
NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def expected(persona):
    if persona == "anonymous":
        return 302
    if persona == "nurse_b":
        return 404
    return 200 if persona in RECORD else 403


@pytest.fixture
def as_persona(client, clinic):
    def login(persona):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("persona", PERSONAS)
def test_recording_a_misuse_signal_per_persona(as_persona, clinic, persona):
    rx = make_prescription(clinic)
    response = as_persona(persona).get(reverse("homeprogram:supply-event", args=[rx.pk]))
    assert response.status_code == expected(persona)


def test_a_nurse_records_an_early_refill_request_and_the_program_page_lists_it(client, clinic):
    rx = make_prescription(clinic)
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("homeprogram:supply-event", args=[rx.pk]),
        {"kind": "early_refill_request", "occurred_on": "2026-03-09", "note": "Asked on day 7."},
        follow=True,
    )
    event = SupplyEvent.objects.get()
    assert (event.kind, event.occurred_on, event.recorded_by) == (
        "early_refill_request",
        dt.date(2026, 3, 9),
        clinic.nurse,
    )
    body = response.content.decode()
    assert "Asked for a refill early" in body
    assert "Asked on day 7." in body
    audit = AuditEvent.objects.get(action=Action.CREATE, object_type="supply_event")
    assert audit.detail == {"kind": "early_refill_request", "occurred_on": "2026-03-09"}


@pytest.mark.parametrize(
    ("day", "message"),
    [("2026-03-11", "is in the future"), ("2026-03-01", "is before the prescription")],
)
def test_a_date_outside_the_prescription_is_a_form_error(client, clinic, day, message):
    rx = make_prescription(clinic)
    client.force_login(clinic.prescriber)
    response = client.post(
        reverse("homeprogram:supply-event", args=[rx.pk]),
        {"kind": "missed_return", "occurred_on": day},
    )
    assert response.status_code == 422
    assert message in str(response.context["form"].errors["occurred_on"])
    assert not SupplyEvent.objects.exists()


def test_a_pill_count_short_of_expected_records_its_own_shortfall(client, clinic):
    rx = make_prescription(clinic)
    client.post(reverse("home_check_in:form", args=[issue(rx).token]), GOOD_ANSWERS)
    client.force_login(clinic.nurse)
    url = reverse("homeprogram:pill-count", args=[rx.pk])
    client.post(url, {"counted_on": "2026-03-10", "counted": "5"})  # matches: no signal
    assert not SupplyEvent.objects.exists()
    client.post(url, {"counted_on": "2026-03-10", "counted": "3"})  # 2 short
    event = SupplyEvent.objects.get()
    assert event.kind == "pill_count_shortfall"
    assert event.pill_count.counted == 3
    assert event.note == "2.00 troche(s) short at the count"


def test_the_outcomes_count_home_courses_with_each_signal(client, clinic):
    # Alice's home course: first dose given 2 March, stopped; a dose-increase request.
    rx = make_prescription(clinic)
    course = rx.course
    session = course.sessions.get()
    session.kind = SessionKind.DOSING
    session.dose_started_at = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
    session.save()
    course.status = CourseStatus.STOPPED
    course.save()
    client.force_login(clinic.prescriber)
    client.post(
        reverse("homeprogram:supply-event", args=[rx.pk]),
        {"kind": "dose_increase_request", "occurred_on": "2026-03-08"},
    )
    refresh_course_outcomes([course.pk], NOW)
    row = CourseOutcome.objects.get(course=course)
    assert (row.state, row.home_program, row.misuse_dose_increase_request) == (
        "closed",
        True,
        True,
    )
    assert not row.misuse_early_refill_request
    assert not row.misuse_missed_return
    client.force_login(clinic.director)
    body = client.get("/api/v1/outcomes/cohort", {"site": clinic.site_a.pk}).json()
    claim = body["non_addictive"]
    assert (claim["verdict"], claim["courses"]) == ("not_judged", 1)
    assert (claim["any_signal"]["events"], claim["any_signal"]["total"]) == (1, 1)
    assert claim["by_signal"]["dose_increase_request"]["events"] == 1
    assert claim["by_signal"]["missed_return"]["events"] == 0
    assert "Shown, not judged" in claim["message"]
    page = client.get(reverse("outcomes:dashboard"), {"site": clinic.site_a.pk}).content.decode()
    assert 'id="non-addictive"' in page
    assert "1 of 1 home-program courses" in page
    exported = client.get(reverse("outcomes:dataset"), {"site": clinic.site_a.pk})
    (line,) = csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode()))
    assert (line["home_program"], line["misuse_dose_increase_request"]) == ("1", "1")
