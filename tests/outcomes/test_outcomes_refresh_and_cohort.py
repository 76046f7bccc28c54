"""Stored course outcomes and the cohort figures, against the hand-worked cohort."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from tests.outcomes.outcome_factories import NOW, START, build_cohort, make_course, phq9

from ketaclinic.apps.outcomes.cohort import CohortFilters, cohort_counts, median_trajectories
from ketaclinic.apps.outcomes.models import CourseOutcome
from ketaclinic.apps.outcomes.refreshing import refresh_course_outcomes
from ketaclinic.apps.treatment.models import Session
from ketaclinic.clinical.outcomes import AdverseEventKind, summarize_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(clinic, fixed_clock):
    return build_cohort(clinic)


def row(cohort, key) -> CourseOutcome:
    return CourseOutcome.objects.get(course=cohort.courses[key])


def test_each_course_is_stored_with_its_flags_and_their_definitions(cohort):
    p1 = row(cohort, "p1")
    assert (p1.baseline_total, p1.end_total, p1.latest_total) == (20, 8, 9)
    assert (p1.responded, p1.rapid_response, p1.remitted, p1.completed) == (True, True, False, True)
    assert (p1.relapse_at_risk, p1.relapsed, p1.relapse_days) == (True, False, 40.0)
    assert p1.explanation.definitions["response"]["rule"].startswith("phq9 total ≤ 10")
    assert p1.explanation.definitions["response"]["source"]
    assert (p1.age_band, p1.sex) == ("35-44", "female")  # Alice, born 1984-06-02
    assert (p1.sessions_attended, p1.sessions_with_adverse_event, p1.ae_nausea_vomiting) == (
        6,
        1,
        1,
    )
    assert [(w.week, w.total) for w in p1.weeks.all()][:3] == [(0, 20), (1, 9), (3, 8)]
    p2 = row(cohort, "p2")
    assert (p2.remitted, p2.relapsed, p2.relapse_days) == (True, True, 30.0)
    p4 = row(cohort, "p4")
    assert (p4.has_followup, p4.completed, p4.response_group) == (False, False, "no_follow_up")
    p5 = row(cohort, "p5")
    assert (p5.worsened, p5.sessions_held, p5.route) == (True, 1, "esketamine")


def test_a_course_without_a_dose_is_not_counted_as_started(clinic, fixed_clock):
    course, _ = make_course(clinic, clinic.alice, given=0, status="planned")
    assert refresh_course_outcomes([course.pk], NOW) == 0
    assert not CourseOutcome.objects.exists()


def test_maintenance_doses_do_not_count_towards_the_induction_series(clinic, fixed_clock):
    # Esketamine: 8 induction sessions given, then 5 maintenance doses. The series is
    # "8 of 8", not "13 of 8".
    course, _ = make_course(clinic, clinic.alice, route="esketamine", given=8, planned=8)
    for number in range(9, 14):
        at = START + (number - 1) * 3 * dt.timedelta(days=1)
        Session.objects.create(
            course=course,
            patient=clinic.alice,
            site=clinic.alice.site,
            number=number,
            phase="maintenance",
            planned_start=at,
            status="discharged",
            checked_in_at=at,
            dose_started_at=at,
            discharged_at=at + dt.timedelta(hours=2),
        )
    refresh_course_outcomes([course.pk], NOW)
    outcome = CourseOutcome.objects.get()
    assert (outcome.sessions_given, outcome.sessions_required, outcome.completed) == (8, 8, True)


def test_a_score_taken_after_as_of_is_not_seen(clinic, fixed_clock):
    course, _ = make_course(clinic, clinic.alice)
    phq9(clinic.alice, 20, START - dt.timedelta(days=1))
    phq9(clinic.alice, 5, START + dt.timedelta(days=16))
    refresh_course_outcomes([course.pk], START + dt.timedelta(days=15, hours=1))
    assert CourseOutcome.objects.get().end_total is None


def test_the_cohort_counts_match_the_hand_worked_figures_for_site_a(cohort, clinic):
    counts = cohort_counts(CohortFilters((clinic.site_a.pk,)))
    assert (counts.started, counts.completed, counts.completers, counts.followed_up) == (5, 4, 4, 4)
    assert (counts.response_itt, counts.response_completers) == (2, 2)
    assert (counts.remission_itt, counts.remission_completers) == (1, 1)
    assert (counts.rapid_itt, counts.worsening_itt, counts.worsening_completers) == (1, 1, 1)
    assert (counts.sessions, counts.sessions_held, counts.sessions_with_adverse_event) == (26, 1, 2)
    assert counts.adverse_event_sessions[AdverseEventKind.NAUSEA_VOMITING] == 1
    assert counts.adverse_event_sessions[AdverseEventKind.HYPERTENSION] == 1
    assert counts.relapse_table == ((30.0, 1, 0), (40.0, 0, 1))
    summary = summarize_counts(counts)
    assert summary.durability.at(35).survival == 0.5
    assert summary.lost_to_follow_up.events == 1


@pytest.mark.parametrize(
    ("filters", "started", "responded"),
    [
        ({"route": "iv"}, 4, 2),
        ({"route": "esketamine"}, 1, 0),
        ({"age_band": "35-44"}, 2, 2),  # Alice (41) and p2 (36)
        ({"sex": "male"}, 0, 0),
        ({"indication": "trd"}, 5, 2),
        ({"protocol_id": "esketamine-trd"}, 1, 0),
        ({"started_from": dt.date(2026, 2, 1)}, 0, 0),
        ({"started_to": dt.date(2026, 1, 31)}, 5, 2),
    ],
)
def test_each_filter_narrows_the_cohort(cohort, clinic, filters, started, responded):
    counts = cohort_counts(CohortFilters((clinic.site_a.pk,), **filters))
    assert (counts.started, counts.response_itt) == (started, responded)


def test_the_prescriber_filter_keeps_only_their_courses(cohort, clinic):
    mine = cohort_counts(CohortFilters((clinic.site_a.pk,), prescriber_id=clinic.prescriber.pk))
    others = cohort_counts(CohortFilters((clinic.site_a.pk,), prescriber_id=clinic.director.pk))
    assert (mine.started, others.started) == (5, 0)


def test_trajectories_are_weekly_medians_by_response_group(cohort, clinic):
    series = median_trajectories(CohortFilters((clinic.site_a.pk,)))
    # Responders p1 (20, 9 in week 1, 8 in week 3) and p2 (18, 3 in week 3): medians by week.
    assert series["responder"][0] == (0, 19.0, 2)
    assert (3, 5.5, 2) in series["responder"]
    assert series["no_follow_up"] == [(0, 22.0, 1)]


def test_a_new_score_refreshes_the_course_after_commit(
    cohort, clinic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        phq9(cohort.patients["p3"], 9, START + dt.timedelta(days=15, hours=5))
    p3 = row(cohort, "p3")
    assert (p3.end_total, p3.responded) == (9, True)


def test_the_management_command_rebuilds_every_course(cohort, capsys):
    CourseOutcome.objects.all().delete()
    call_command("refresh_outcomes")
    assert CourseOutcome.objects.count() == 6
    assert "6 started courses" in capsys.readouterr().out


def test_the_ketaclinic_command_reaches_the_refresh(cohort, capsys):
    from ketaclinic.cli import main

    assert main(["refresh-outcomes"]) == 0
    assert "6 started courses" in capsys.readouterr().out
