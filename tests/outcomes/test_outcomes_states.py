"""Courses in progress, closed or lost: who enters the rates, the CSV's state, the claims' coverage.

The hand-worked cohort of ``outcome_factories.build_cohort`` (five courses at site A, all
closed), plus two more at site A, as of 2026-03-10 14:00 UTC:

p6 IV: started 2026-03-03, 3 of 6 sessions given (days 0, 3, 6), 3 still planned; baseline
   20, 9 on day 6 -> responding so far, but *in progress*: counted apart, not in any rate.
p7 IV: started 2026-01-05, 2 of 6 given (Jan 5 and 8), the other 4 left planned and never
   held, never stopped: last dose 61 days ago > 28 -> *lost*; baseline 21, no later score.

Site A: started 7; in progress 1; intent to treat (closed + lost) 6; lost 1; completed 4;
completers 4; response 2/6 ITT, 2/4 completers; no end score 2/6 (p4, p7); in progress
responding 1/1. Sessions attended: 26 + 3 + 2 = 31 (every course's sessions count).
Rapid response: only p1 was scored within 24 h -> coverage 1 of 6 (16.7%) < 80%:
inconclusive. Durability: p1 and p2 responded and were scored after induction: 2 of 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from tests.outcomes.outcome_factories import NOW, START, build_cohort, cssrs, make_course, phq9
from tests.personas import make_patient

from ketaclinic.apps.outcomes.cohort import CohortFilters, cohort_counts
from ketaclinic.apps.outcomes.models import CourseOutcome
from ketaclinic.apps.outcomes.refreshing import refresh_course_outcomes
from ketaclinic.clinical.outcomes import summarize_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(clinic, fixed_clock):
    built = build_cohort(clinic)
    a = clinic.site_a
    p6 = make_patient(a, "K000006", "Pip", "Six", dt.date(1980, 1, 1))
    p7 = make_patient(a, "K000007", "Pru", "Seven", dt.date(1975, 1, 1))
    recent = NOW - dt.timedelta(days=7)
    built.courses["p6"], _ = make_course(
        clinic, p6, given=3, status="active", start=recent, undone="planned"
    )
    phq9(p6, 20, recent - dt.timedelta(days=2))
    phq9(p6, 9, recent + dt.timedelta(days=6, hours=3))
    built.courses["p7"], _ = make_course(clinic, p7, given=2, status="active", undone="planned")
    phq9(p7, 21, START - dt.timedelta(days=2))
    built.patients.update(p6=p6, p7=p7)
    refresh_course_outcomes([built.courses["p6"].pk, built.courses["p7"].pk], NOW)
    return built


def test_each_course_gets_its_state(cohort):
    states = {
        key: CourseOutcome.objects.get(course=course).state
        for key, course in cohort.courses.items()
    }
    assert states == {
        "p1": "closed",
        "p2": "closed",
        "p3": "closed",
        "p4": "closed",
        "p5": "closed",
        "bob": "closed",
        "p6": "in_progress",
        "p7": "lost",
    }


def test_rates_of_patients_count_closed_and_lost_courses_only(cohort, clinic):
    counts = cohort_counts(CohortFilters((clinic.site_a.pk,)))
    assert (counts.started, counts.in_progress, counts.lost) == (7, 1, 1)
    assert (counts.completed, counts.completers, counts.followed_up) == (4, 4, 4)
    assert (counts.response_itt, counts.response_completers) == (2, 2)
    assert counts.in_progress_responding == 1
    assert (counts.response_measured, counts.rapid_measured, counts.relapse_eligible) == (4, 1, 2)
    assert counts.sessions == 31
    summary = summarize_counts(counts)
    assert summary.intent_to_treat == 6
    assert (summary.response.intent_to_treat.events, summary.response.intent_to_treat.total) == (
        2,
        6,
    )
    assert (summary.lost_to_follow_up.events, summary.lost_to_follow_up.total) == (2, 6)


def test_the_api_gives_states_and_each_claims_coverage(client, cohort, clinic):
    client.force_login(clinic.director)
    body = client.get("/api/v1/outcomes/cohort", {"site": clinic.site_a.pk}).json()
    assert (body["started"], body["intent_to_treat"], body["in_progress"], body["lost"]) == (
        7,
        6,
        1,
        1,
    )
    claims = {claim["key"]: claim for claim in body["claims"]}
    rapid = claims["relief_within_hours"]
    assert rapid["verdict"] == "inconclusive"
    assert (rapid["coverage"]["measured"], rapid["coverage"]["eligible"]) == (1, 6)
    assert rapid["coverage"]["sufficient"] is False
    assert rapid["coverage"]["source"] == "outcomes_loss_to_follow_up_schulz2002"
    assert "coverage: 1 of 6 courses no longer in progress (16.7%)" in rapid["message"]
    lasting = claims["lasting_relief"]["coverage"]
    assert (lasting["measured"], lasting["eligible"]) == (2, 2)


def test_the_dashboard_shows_in_progress_courses_apart(client, cohort, clinic):
    client.force_login(clinic.director)
    page = client.get(reverse("outcomes:dashboard"), {"site": clinic.site_a.pk}).content.decode()
    assert 'id="in-progress">1' in page
    assert 'id="itt">6<' in page
    assert "Coverage: 1 of 6 courses no longer in progress (16.7%)" in page


def test_the_csv_carries_state_and_induction_end_as_days(client, cohort, clinic):
    client.force_login(clinic.director)
    exported = client.get(reverse("outcomes:dataset"), {"site": clinic.site_a.pk})
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    by_state = sorted(row["state"] for row in rows)
    assert by_state == ["closed"] * 5 + ["in_progress", "lost"]
    ended = {row["induction_end_days"] for row in rows if row["state"] == "closed"}
    # The sixth dose is 15 days after the first; p4 stopped after its second, day 3.
    assert ended == {"15.0", "3.0"}
    assert all(row["induction_end_days"] == "" for row in rows if row["state"] != "closed")
    assert "induction_sessions_given" in rows[0]


def test_csv_and_api_carry_the_very_same_relapse_days(client, cohort, clinic):
    # p1's last score is 40 days after the end; a time with many decimals is rounded once.
    p1 = cohort.patients["p1"]
    course = cohort.courses["p1"]
    phq9(p1, 9, START + dt.timedelta(days=15 + 41, seconds=7))
    refresh_course_outcomes([course.pk], NOW)
    client.force_login(clinic.director)
    api = client.get(f"/api/v1/outcomes/patients/{p1.pk}").json()
    days = next(c for c in api["courses"] if c["course_id"] == course.pk)["relapse"]["days"]
    assert days == round(41 + 7 / 86400, 6)
    exported = client.get(reverse("outcomes:dataset"), {"site": clinic.site_a.pk})
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert repr(days) in {row["relapse_days"] for row in rows}


def test_doses_given_other_than_ordered_reach_the_outcome_data(client, clinic, fixed_clock):
    # Issue 12: a dose accepted off its order (here an infusion stopped early, with the
    # prescriber's reason) is in the outcome data, so an analyst can set such courses apart.
    from decimal import Decimal

    from ketaclinic.apps.charting.models import Administration, DoseOrder

    patient = make_patient(clinic.site_a, "K000009", "Nia", "Nine", dt.date(1985, 5, 5))
    course, sessions = make_course(clinic, patient, given=6)
    phq9(patient, 20, START - dt.timedelta(days=2))
    for number, session in enumerate(sessions[:2]):
        order = DoseOrder.objects.create(
            session=session,
            drug="ketamine",
            route="iv",
            mg_per_kg=Decimal("0.5"),
            requested_dose_mg=Decimal("35"),
            dose_mg=Decimal("35"),
            weight_kg=Decimal("70"),
            weight_measured_on=dt.date(2026, 1, 5),
            weight_basis="actual",
            weight_used_kg=Decimal("70"),
            ordered_by=clinic.prescriber,
            ordered_at=session.planned_start,
        )
        Administration.objects.create(
            session=session,
            order=order,
            product="Ketamine 10 mg/mL",
            lot="K-1",
            started_at=session.planned_start,
            stopped_at=session.planned_start + dt.timedelta(minutes=40),
            started_by=clinic.nurse,
            dose_given_mg=Decimal("35"),
            deviations=[]
            if number == 0
            else [
                {
                    "code": "ended_early",
                    "field": "stopped_at",
                    "accepted_by": clinic.prescriber.pk,
                    "reason": "Stopped for blood pressure per monitoring rules.",
                }
            ],
        )
    refresh_course_outcomes([course.pk], NOW)
    assert CourseOutcome.objects.get(course=course).sessions_with_dose_deviation == 1
    client.force_login(clinic.director)
    exported = client.get(reverse("outcomes:dataset"), {"site": clinic.site_a.pk})
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [row["sessions_with_dose_deviation"] for row in rows] == ["1"]


def test_fewer_suicidal_thoughts_is_judged_on_the_c_ssrs_where_item_nine_is_silent(
    client, cohort, clinic
):
    # p1: item 9 0 throughout, but a C-SSRS screen "moderate" the day before the first dose
    # and "low" at the end of induction: ideation at baseline, judged on the C-SSRS, lower.
    # p2: item 9 at 2 in a second baseline PHQ-9 (same total, 18), 0 at every later answer:
    # judged on item 9, lower.
    p1, p2 = cohort.patients["p1"], cohort.patients["p2"]
    cssrs(clinic, p1, "moderate", START - dt.timedelta(days=1))
    cssrs(clinic, p1, "low", START + dt.timedelta(days=16))
    phq9(p2, 18, START - dt.timedelta(hours=3), item9=2)
    refresh_course_outcomes([cohort.courses["p1"].pk, cohort.courses["p2"].pk], NOW)
    one = CourseOutcome.objects.get(course=cohort.courses["p1"])
    two = CourseOutcome.objects.get(course=cohort.courses["p2"])
    flags = ("ideation_at_baseline", "ideation_on_phq9", "ideation_on_cssrs", "ideation_reduced")
    assert [getattr(one, f) for f in flags] == [True, False, True, True]
    assert [getattr(two, f) for f in flags] == [True, True, False, True]
    client.force_login(clinic.director)
    body = client.get("/api/v1/outcomes/cohort", {"site": clinic.site_a.pk}).json()
    assert (body["ideation_on_phq9"], body["ideation_on_cssrs"]) == (1, 1)
    claim = {c["key"]: c for c in body["claims"]}["fewer_suicidal_thoughts"]
    assert (claim["coverage"]["measured"], claim["coverage"]["eligible"]) == (2, 2)
    assert "(1 judged on item 9, 1 on the C-SSRS)" in claim["message"]
    exported = client.get(reverse("outcomes:dataset"), {"site": clinic.site_a.pk})
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert sorted(row["ideation_on_cssrs"] for row in rows) == ["0"] * 6 + ["1"]
