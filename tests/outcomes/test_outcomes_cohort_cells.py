"""The cohort cells (pre-aggregated figures kept at refresh) against the exact path.

The data set: the hand-worked cohort (``build_cohort``: four IV courses and one esketamine
course at site A, one at site B), a course still in induction (p6, March) and a lost one
(p7, January) as in ``test_outcomes_states``, and a February course of another prescriber
whose patient had suicidal ideation at baseline (p8), so the filters have something to tell
apart: sites, routes, indications, age bands, sexes, prescribers, months and course states.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from tests.outcomes.outcome_factories import NOW, START, build_cohort, make_course, phq9
from tests.personas import make_patient

from ketaclinic.apps.outcomes.cohort import (
    CohortFilters,
    cohort_counts,
    uses_cells,
    whole_months,
)
from ketaclinic.apps.outcomes.cohort_cells import lock_cell_state, rebuild_cells
from ketaclinic.apps.outcomes.models import (
    CohortCell,
    CohortCellState,
    CourseOutcome,
    RelapseCell,
    TrajectoryCell,
)
from ketaclinic.apps.outcomes.refreshing import refresh_all, refresh_course_outcomes
from ketaclinic.apps.outcomes.reporting import cohort_report, summary_json
from ketaclinic.apps.treatment.models import Session

pytestmark = pytest.mark.django_db

FEBRUARY = dt.datetime(2026, 2, 9, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def cohort(clinic, fixed_clock):
    built = build_cohort(clinic)
    a = clinic.site_a
    p6 = make_patient(a, "K000006", "Pip", "Six", dt.date(1980, 1, 1))
    p7 = make_patient(a, "K000007", "Pru", "Seven", dt.date(1975, 1, 1))
    p8 = make_patient(a, "K000008", "Pat", "Eight", dt.date(1999, 5, 5))
    recent = NOW - dt.timedelta(days=7)
    built.courses["p6"], _ = make_course(
        clinic, p6, given=3, status="active", start=recent, undone="planned"
    )
    phq9(p6, 20, recent - dt.timedelta(days=2))
    phq9(p6, 9, recent + dt.timedelta(days=6, hours=3))
    built.courses["p7"], _ = make_course(clinic, p7, given=2, status="active", undone="planned")
    phq9(p7, 21, START - dt.timedelta(days=2))
    built.courses["p8"], _ = make_course(clinic, p8, start=FEBRUARY)
    built.courses["p8"].prescriber = clinic.director
    built.courses["p8"].save(update_fields=["prescriber"])
    phq9(p8, 24, FEBRUARY - dt.timedelta(days=1), item9=2)
    phq9(p8, 10, FEBRUARY + dt.timedelta(days=2))
    phq9(p8, 6, FEBRUARY + dt.timedelta(days=15, hours=3), item9=0)
    phq9(p8, 7, FEBRUARY + dt.timedelta(days=22))
    built.patients.update(p6=p6, p7=p7, p8=p8)
    refresh_course_outcomes([built.courses[k].pk for k in ("p6", "p7", "p8")], NOW)
    return built


def _filters(clinic, **chosen) -> CohortFilters:
    sites = chosen.pop("sites", (clinic.site_a.pk,))
    if chosen.pop("prescriber", None) == "director":
        chosen["prescriber_id"] = clinic.director.pk
    return CohortFilters(tuple(sites), **chosen)


FILTERS = [
    {},
    {"route": "iv"},
    {"route": "esketamine"},
    {"protocol_id": "iv-depression-induction"},
    {"indication": "trd"},
    {"indication": "ptsd"},
    {"age_band": "25-34"},
    {"sex": "female"},
    {"prescriber": "director"},
    {"started_from": dt.date(2026, 1, 1), "started_to": dt.date(2026, 1, 31)},
    {"started_from": dt.date(2026, 2, 1)},
    {"started_to": dt.date(2026, 2, 28)},
    {"started_from": dt.date(2026, 2, 1), "started_to": dt.date(2026, 3, 31), "route": "iv"},
    {"started_from": dt.date(2027, 1, 1)},
]


def _report_json(report) -> dict:
    body = summary_json(report)
    body["charts"] = [
        report.rate_chart,
        report.survival_chart,
        report.trajectory_chart,
        report.adverse_event_chart,
    ]
    return body


@pytest.mark.parametrize("chosen", FILTERS, ids=lambda f: ",".join(f) or "none")
@pytest.mark.parametrize("both_sites", [False, True], ids=["site-a", "both-sites"])
def test_the_cells_and_the_rows_give_identical_reports(cohort, clinic, chosen, both_sites):
    sites = {"sites": (clinic.site_a.pk, clinic.site_b.pk)} if both_sites else {}
    filters = _filters(clinic, **sites, **dict(chosen))
    assert uses_cells(filters)
    from_cells = _report_json(cohort_report(filters, cells=True))
    from_rows = _report_json(cohort_report(filters, cells=False))
    assert from_cells == from_rows


def test_the_varied_cohort_really_varies(cohort, clinic):
    everyone = cohort_counts(_filters(clinic, sites=(clinic.site_a.pk, clinic.site_b.pk)))
    assert (everyone.started, everyone.in_progress, everyone.lost) == (9, 1, 1)
    assert cohort_counts(_filters(clinic, prescriber="director")).started == 1
    assert cohort_counts(_filters(clinic, started_from=dt.date(2026, 2, 1))).started == 2
    assert CohortCell.objects.count() >= 6
    assert RelapseCell.objects.exists()
    assert TrajectoryCell.objects.exists()


def test_a_course_still_in_induction_counts_in_no_rate_from_the_cells(cohort, clinic):
    march = _filters(clinic, started_from=dt.date(2026, 3, 1), started_to=dt.date(2026, 3, 31))
    counts = cohort_counts(march, cells=True)
    # p6 alone: started and responding so far, but in progress: no rate counts it.
    assert (counts.started, counts.in_progress, counts.in_progress_responding) == (1, 1, 1)
    assert (counts.response_itt, counts.completed, counts.response_measured) == (0, 0, 0)
    assert counts.sessions == 3  # sessions are counted in every course


@pytest.mark.parametrize(
    ("start", "end", "whole"),
    [
        (None, None, True),
        (dt.date(2026, 1, 1), None, True),
        (None, dt.date(2026, 2, 28), True),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29), True),
        (dt.date(2026, 1, 2), None, False),
        (None, dt.date(2026, 2, 27), False),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 30), False),
    ],
)
def test_only_periods_of_whole_months_are_answered_from_the_cells(clinic, start, end, whole):
    assert whole_months(_filters(clinic, started_from=start, started_to=end)) is whole


def test_a_period_of_part_months_is_counted_from_the_rows(cohort, clinic):
    # The 5th to the 31st of January leaves out nothing (the courses start on the 5th) but
    # the cells cannot know that: the rows answer, with the same figures.
    filters = _filters(clinic, started_from=dt.date(2026, 1, 5), started_to=dt.date(2026, 1, 31))
    assert not uses_cells(filters)
    with pytest.raises(ValueError, match="started_from/started_to"):
        cohort_report(filters, cells=True)
    automatic = summary_json(cohort_report(filters))
    assert automatic == summary_json(cohort_report(filters, cells=False))
    assert automatic["started"] == 6


def _cells() -> dict:
    return {
        model.__name__: sorted(
            tuple(row.values()) for row in model.objects.values(*_columns(model))
        )
        for model in (CohortCell, RelapseCell, TrajectoryCell)
    }


def _columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def test_refreshes_keep_the_cells_equal_to_a_rebuild_from_the_rows(cohort, clinic):
    p4 = cohort.courses["p4"]
    # p4 gets an end score (moves from "no follow-up" to a response group), p8 changes
    # prescriber (moves to another cell), p3 loses every dose (no longer started).
    phq9(cohort.patients["p4"], 9, START + dt.timedelta(days=6))
    cohort.courses["p8"].prescriber = clinic.prescriber
    cohort.courses["p8"].save(update_fields=["prescriber"])
    Session.objects.filter(course=cohort.courses["p3"]).update(
        dose_started_at=None, checked_in_at=None, status="cancelled"
    )
    refresh_course_outcomes([p4.pk, cohort.courses["p8"].pk, cohort.courses["p3"].pk], NOW)
    refresh_course_outcomes([cohort.courses["p1"].pk], NOW + dt.timedelta(days=1))
    assert not CourseOutcome.objects.filter(course=cohort.courses["p3"]).exists()
    kept = _cells()
    with transaction.atomic():
        lock_cell_state()
        rebuild_cells()
    assert _cells() == kept
    assert not CohortCell.objects.filter(started=0).exists()


def test_a_deleted_course_sends_the_page_back_to_the_rows_until_the_full_refresh(
    cohort, clinic, fixed_clock
):
    filters = _filters(clinic)
    assert uses_cells(filters)
    # A course's row deleted other than by the refresh (with its course or patient).
    CourseOutcome.objects.filter(course=cohort.courses["p3"]).delete()
    assert not uses_cells(filters)
    assert cohort_report(filters).summary.started == 7
    refresh_all(NOW)
    assert uses_cells(filters)
    assert cohort_report(filters).summary.started == 8
    assert summary_json(cohort_report(filters, cells=True)) == summary_json(
        cohort_report(filters, cells=False)
    )


def test_a_report_is_kept_until_the_next_refresh(cohort, clinic):
    filters = _filters(clinic)
    first = cohort_report(filters)
    assert cohort_report(filters) is first
    version = CohortCellState.objects.get().version
    phq9(cohort.patients["p4"], 9, START + dt.timedelta(days=6))
    refresh_course_outcomes([cohort.courses["p4"].pk], NOW)
    assert CohortCellState.objects.get().version != version
    second = cohort_report(filters)
    assert second is not first
    assert first.summary.response.intent_to_treat.events == 3  # p1, p2, p8
    assert second.summary.response.intent_to_treat.events == 4  # and p4


def test_cells_missing_after_an_upgrade_are_built_by_the_full_refresh(cohort, clinic):
    CohortCell.objects.all().delete()
    CohortCellState.objects.update(built=False)
    filters = _filters(clinic)
    assert not uses_cells(filters)
    exact = summary_json(cohort_report(filters))
    refresh_all(NOW)
    assert uses_cells(filters)
    assert summary_json(cohort_report(filters, cells=True)) == exact
