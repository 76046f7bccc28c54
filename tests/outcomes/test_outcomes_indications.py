"""Outcomes judged per indication: a PTSD course on PCL-5, a pain course on the PEG."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.outcomes.outcome_factories import NOW, START, make_course, phq9
from tests.personas import make_patient

from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.outcomes.cohort import CohortFilters, cohort_counts
from ketaclinic.apps.outcomes.models import CourseOutcome
from ketaclinic.apps.outcomes.refreshing import refresh_course_outcomes
from ketaclinic.clinical.scales import score

pytestmark = pytest.mark.django_db
END = START + dt.timedelta(days=15, hours=3)  # after the sixth dose


def scored(patient, instrument: str, answers: list[int], at: dt.datetime) -> Assessment:
    result = score(instrument, answers)
    return Assessment.objects.create(
        patient=patient,
        site=patient.site,
        instrument=instrument,
        instrument_version=result.version,
        answers=dict(result.answers),
        total=result.total,
        max_total=result.max_total,
        band=result.band or "",
        source="self_report",
        taken_at=at,
    )


def pcl5(patient, total: int, at: dt.datetime) -> Assessment:
    answers = [total // 20 + (1 if i < total % 20 else 0) for i in range(20)]
    return scored(patient, "pcl5", answers, at)


@pytest.fixture
def courses(clinic, fixed_clock):
    """PTSD: PHQ-9 20 -> 8 (a response on mood) but PCL-5 50 -> 44 (6 points: none).
    Pain: PEG 24 -> 15 (a 37.5% fall: response) and PHQ-9 16 -> 15 (none)."""
    a = clinic.site_a
    ptsd = make_patient(a, "K000011", "Tess", "Trauma", dt.date(1985, 1, 1))
    pain = make_patient(a, "K000012", "Paul", "Pain", dt.date(1970, 1, 1))
    made = {}
    made["ptsd"], _ = make_course(clinic, ptsd, indication="ptsd")
    phq9(ptsd, 20, START - dt.timedelta(days=2))
    pcl5(ptsd, 50, START - dt.timedelta(days=2))
    phq9(ptsd, 8, END)
    pcl5(ptsd, 44, END)
    made["pain"], _ = make_course(clinic, pain, indication="chronic_pain")
    phq9(pain, 16, START - dt.timedelta(days=2))
    scored(pain, "peg", [8, 8, 8], START - dt.timedelta(days=2))
    phq9(pain, 15, END)
    scored(pain, "peg", [5, 5, 5], END)
    refresh_course_outcomes([c.pk for c in made.values()], NOW)
    return made


def test_a_ptsd_course_is_judged_on_pcl5(courses):
    row = CourseOutcome.objects.get(course=courses["ptsd"])
    assert (row.primary_instrument, row.baseline_total, row.end_total) == ("pcl5", 50, 44)
    assert (row.responded, row.remitted) == (False, False)
    assert row.explanation.definitions["response"]["rule"].startswith("pcl5 total ≤ 40")


def test_a_chronic_pain_course_is_judged_on_the_peg(courses):
    row = CourseOutcome.objects.get(course=courses["pain"])
    assert (row.primary_instrument, row.baseline_total, row.end_total) == ("peg", 24, 15)
    assert row.responded is True
    assert row.remitted is False
    assert row.explanation.definitions["remission"]["evaluable"] is False


def test_the_cohort_filters_by_indication(courses, clinic):
    site = (clinic.site_a.pk,)
    ptsd = cohort_counts(CohortFilters(site, indication="ptsd"))
    pain = cohort_counts(CohortFilters(site, indication="chronic_pain"))
    assert (ptsd.started, ptsd.response_itt) == (1, 0)
    assert (pain.started, pain.response_itt) == (1, 1)
    assert cohort_counts(CohortFilters(site, indication="anxiety")).started == 0


def test_the_dashboards_indication_filter_reaches_the_api(client, courses, clinic):
    client.force_login(clinic.director)
    body = client.get("/api/v1/outcomes/cohort", {"condition": "ptsd"}).json()
    assert (body["started"], body["response"]["intent_to_treat"]["events"]) == (1, 0)
