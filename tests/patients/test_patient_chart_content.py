"""The patient chart shows what the database holds, and shows a change on the next view.

The chart's sections read their rows through prepared queries and build their longest lists
(score tables, recent sessions) in Python rather than cell by cell in templates. These tests
check the rendered page against facts read from the database here, independently of the
chart's own code, on the demo clinic's patient with the most records: every score in each
instrument's table in order, the recent sessions with their links, the next planned
session, each course's sessions done, the weights, the conditions, the outcome courses and
the program sections. Nothing on the chart is cached, so a change made by any path (here a
bulk ``update`` that sends no signal) must appear on the next view; a test pins that, so a
cache added later without an invalidation for every write fails here first. The query count
is pinned as flat in the patient's history (the clinic's size is covered by
``tests/web/test_page_queries_flat.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.assessments.naming import short_title
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.homeprogram.models import HomePrescription
from ketaclinic.apps.iop.models import IopEnrolment
from ketaclinic.apps.outcomes.models import CourseOutcome
from ketaclinic.apps.patients.models import Measurement, Patient
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Course, Session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.scales import get_scale


@pytest.fixture
def demo_chart(db, client, fixed_clock):
    """The demo clinic, the director logged in, and its patient with the most assessments."""
    seed_demo_clinic(patient_count=6, seed=7)
    client.force_login(User.objects.get(username="director"))
    patient = Patient.objects.annotate(n=Count("assessments")).order_by("-n", "pk").first()
    return patient, reverse("patients:detail", args=[patient.pk])


def _chart(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _section(body: str, heading_id: str) -> str:
    start = body.index(f'aria-labelledby="{heading_id}"')
    return body[start : body.index("</section>", start)]


def _next_planned(patient: Patient) -> Session | None:
    return (
        Session.objects.filter(
            patient=patient, status=SessionStatus.PLANNED, planned_start__gte=clock.now()
        )
        .order_by("planned_start", "id")
        .first()
    )


def _assert_next_session_shown(html: str, patient: Patient) -> None:
    """The chart's "Next session" is the earliest planned session the clock has not reached."""
    upcoming = _next_planned(patient)
    shown = re.search(r"<dt>Next session</dt><dd>(.*?)</dd>", html).group(1)
    if upcoming is None:
        assert "none planned" in shown
    else:
        assert f"session {upcoming.number}<" in shown


def test_the_chart_shows_every_score_session_course_weight_and_outcome_the_database_holds(
    client, demo_chart
):
    patient, url = demo_chart
    body = _chart(client, url)
    _assert_scores(body, patient)
    _assert_sessions_and_courses(body, patient)
    _assert_weights_conditions_outcomes_and_programs(body, patient)


def _assert_scores(body: str, patient: Patient) -> None:
    """Every score in its instrument's table, oldest first, with the latest and baseline."""
    scored = Assessment.objects.current().filter(patient=patient, total__isnull=False)
    instruments = sorted(set(scored.values_list("instrument", flat=True)))
    assert instruments, "the demo's richest patient has scores"
    figures = re.findall(r'<figure class="trajectory-figure">(.*?)</figure>', body, re.S)
    assert len(figures) == len(instruments)
    for figure in figures:
        title = re.search(r"<strong>(.*?)</strong>", figure).group(1)
        instrument = next(i for i in instruments if short_title(get_scale(i)) == title)
        totals = list(
            scored.filter(instrument=instrument)
            .order_by("taken_at", "id")
            .values_list("total", flat=True)
        )
        shown = re.findall(r"<tr><td>\d{4}-\d\d-\d\d</td><td>(\d+)</td>", figure)
        assert [int(total) for total in shown] == totals, instrument
        assert f"latest {totals[-1]}" in figure
        assert f"baseline {totals[0]}" in figure
        assert "<svg" in figure


def _assert_sessions_and_courses(body: str, patient: Patient) -> None:
    """The six latest sessions with their links, the next planned one, each course's count."""
    recent = _section(body, "recent-sessions-h")
    latest = Session.objects.filter(patient=patient).order_by("-planned_start", "-id")[:6]
    assert latest, "the demo's richest patient has sessions"
    links = re.findall(r'<a href="([^"]+)">[^<]* · session (\d+)</a>', recent)
    assert links == [(reverse("charting:chart", args=[s.pk]), str(s.number)) for s in latest]
    treatment = _section(body, "treatment-h")
    _assert_next_session_shown(treatment, patient)
    courses = Course.objects.filter(patient=patient).annotate(
        done=Count("sessions", filter=Q(sessions__status=SessionStatus.DISCHARGED)),
        total=Count("sessions"),
    )[:5]
    assert courses
    for course in courses:
        assert reverse("treatment:course", args=[course.pk]) in treatment
        assert f"{course.done} of {course.total} sessions done" in treatment


def _assert_weights_conditions_outcomes_and_programs(body: str, patient: Patient) -> None:
    weights = _section(body, "weights-h")
    for measurement in patient.measurements.all()[:20]:
        assert f"<td>{measurement.weight_kg} kg</td>" in weights
    summary = _section(body, "summary-h")
    for condition in patient.conditions.all():
        assert condition.icd10cm in summary
    outcomes = CourseOutcome.objects.filter(patient=patient)
    assert body.count('<div class="outcome-course">') == outcomes.count()
    for outcome in outcomes:
        assert f"first dose {outcome.first_dose_on:%Y-%m-%d}" in body
    home = HomePrescription.objects.filter(patient=patient).exists()
    assert ('id="home-program-h"' in body) is home
    iop = IopEnrolment.objects.filter(patient=patient).exists()
    assert ('id="iop-h"' in body) is iop


def test_a_change_made_behind_the_charts_back_appears_on_the_next_view(client, demo_chart):
    """A bulk ``update`` (no model signal, as another process's write would look) and a new
    weight both show on the very next view, on a patient with a session planned."""
    planned = (
        Session.objects.filter(status=SessionStatus.PLANNED, planned_start__gte=clock.now())
        .order_by("planned_start", "id")
        .first()
    )
    assert planned is not None, "the demo clinic has sessions planned"
    patient = planned.patient
    url = reverse("patients:detail", args=[patient.pk])
    upcoming = _next_planned(patient)
    before = _chart(client, url)
    assert f"session {upcoming.number}<" in _section(before, "treatment-h")
    Measurement.objects.create(
        patient=patient, measured_on=clock.today(), weight_kg=Decimal("123.4")
    )
    Session.objects.filter(pk=upcoming.pk).update(
        status=SessionStatus.DISCHARGED,
        discharged_at=upcoming.planned_start + dt.timedelta(hours=2),
    )
    Patient.objects.filter(pk=patient.pk).update(phone="+1 555 0100 999")
    after = _chart(client, url)
    assert "123.4 kg" not in before
    assert "<td>123.4 kg</td>" in after
    assert "+1 555 0100 999" in after
    _assert_next_session_shown(after, patient)
    course = Course.objects.get(pk=upcoming.course_id)
    done = course.sessions.filter(status=SessionStatus.DISCHARGED).count()
    assert f"{done} of {course.sessions.count()} sessions done" in after


def test_the_charts_query_count_does_not_grow_with_the_patients_history(client, demo_chart):
    patient, url = demo_chart
    _chart(client, url)
    with CaptureQueriesContext(connection) as first:
        _chart(client, url)
    for days in range(1, 9):
        Measurement.objects.create(
            patient=patient,
            measured_on=clock.today() - dt.timedelta(days=days),
            weight_kg=Decimal("80.0"),
        )
    with CaptureQueriesContext(connection) as second:
        _chart(client, url)
    assert len(second) == len(first)
