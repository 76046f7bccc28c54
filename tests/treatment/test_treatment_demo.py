"""The demo clinic's treatment data: believable, consistent, never double-booked."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest

from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.treatment.models import Course, Screening, Session, SessionEvent


@pytest.fixture
def demo(db, fixed_clock):
    seed_demo_clinic(patient_count=120, seed=7)


def test_most_patients_are_screened_with_every_decision_represented(demo):
    decisions = set(Screening.objects.values_list("decision", flat=True))
    assert {"eligible", "review"} <= decisions
    assert Screening.objects.count() >= 80
    for screening in Screening.objects.filter(signoff_decision="proceed", decision="review"):
        assert set(screening.signoff_reasons) == set(screening.review_codes)
    assert not Screening.objects.filter(decision="ineligible", signoff_decision="proceed")


def test_courses_come_from_proceed_screenings_with_sessions_in_the_past_and_future(demo):
    courses = Course.objects.select_related("screening")
    assert courses.count() >= 50
    assert all(c.screening.signoff_decision == "proceed" for c in courses)
    assert {"iv-depression-induction", "esketamine-trd"} <= {c.protocol_id for c in courses}
    statuses = set(Session.objects.values_list("status", flat=True))
    assert {"discharged", "planned"} <= statuses
    now = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    assert not Session.objects.filter(
        status="planned", planned_start__lt=now - dt.timedelta(hours=6)
    )
    for session in Session.objects.filter(status="discharged")[:50]:
        assert session.checked_in_at < session.discharged_at <= now
        assert list(session.events.values_list("to_status", flat=True))[-1] == "discharged"
    assert SessionEvent.objects.count() > Session.objects.filter(status="discharged").count()


def test_no_chair_ever_holds_two_sessions_at_once(demo):
    by_chair = defaultdict(list)
    rows = Session.objects.exclude(status__in=["cancelled", "no_show"]).exclude(chair=None)
    for site_id, chair, start, minutes in rows.values_list(
        "site_id", "chair", "planned_start", "planned_minutes"
    ):
        by_chair[(site_id, chair)].append((start, start + dt.timedelta(minutes=minutes)))
    for bookings in by_chair.values():
        bookings.sort()
        for (_s1, end), (start, _e2) in itertools.pairwise(bookings):
            assert end <= start
