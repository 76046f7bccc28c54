"""Cohort rates over per-course rows: a hand-counted cohort, then statsmodels and lifelines."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lifelines import KaplanMeierFitter
from statsmodels.stats.proportion import proportion_confint

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange, UnknownCode
from ketaclinic.clinical.outcomes.cohort import (
    AdverseEventKind,
    CohortCounts,
    CourseRow,
    count_rows,
    summarize_cohort,
    summarize_counts,
)
from ketaclinic.clinical.outcomes.course import assess_course, course_row
from ketaclinic.clinical.outcomes.definitions import OutcomeDefinition
from ketaclinic.clinical.outcomes.records import CourseRecord, CourseState, ScoredAssessment

CASE = json.loads((Path(__file__).parents[1] / "cases/outcomes/cohort.json").read_text())
EXPECT = CASE["expect"]


def to_row(record: dict) -> CourseRow:
    fields = {k: v for k, v in record.items() if k != "id"}
    fields["state"] = CourseState(fields["state"])
    fields["adverse_event_sessions"] = {
        AdverseEventKind(kind): count
        for kind, count in fields.get("adverse_event_sessions", {}).items()
    }
    return CourseRow(**fields)


ROWS = [to_row(record) for record in CASE["rows"]]


def counts(proportion) -> list[int]:
    return [proportion.events, proportion.total]


def test_the_case_file_cites_its_sources():
    assert "outcomes_elekt_d_anand2023" in CASE["source"]


def test_cohort_counts_match_the_hand_count():
    summary = summarize_cohort(ROWS)
    assert summary.started == EXPECT["started"]
    assert summary.intent_to_treat == EXPECT["intent_to_treat"]
    assert summary.in_progress == EXPECT["in_progress"]
    assert counts(summary.in_progress_responding) == EXPECT["in_progress_responding"]
    assert summary.lost == EXPECT["lost"]
    assert summary.response_measured == EXPECT["response_measured"]
    assert summary.rapid_measured == EXPECT["rapid_measured"]
    assert counts(summary.rapid_among_measured) == EXPECT["rapid_among_measured"]
    assert summary.relapse_eligible == EXPECT["relapse_eligible"]
    assert summary.completed == EXPECT["completed"]
    assert summary.completers_with_followup == EXPECT["completers_with_followup"]
    assert counts(summary.lost_to_follow_up) == EXPECT["lost_to_follow_up"]
    assert counts(summary.completion) == EXPECT["completion"]
    for name in ("response", "remission", "rapid_response", "worsening"):
        pair = getattr(summary, name)
        assert counts(pair.intent_to_treat) == EXPECT[name]["intent_to_treat"], name
        assert counts(pair.completers) == EXPECT[name]["completers"], name
    assert summary.relapse_at_risk == EXPECT["relapse_at_risk"]
    assert summary.relapsed == EXPECT["relapsed"]
    assert summary.sessions == EXPECT["sessions"]
    assert counts(summary.holds) == EXPECT["holds"]
    assert counts(summary.adverse_events) == EXPECT["adverse_events"]
    assert {k.value: counts(v) for k, v in summary.adverse_events_by_kind.items()} == EXPECT[
        "adverse_events_by_kind"
    ]


def test_durability_curve_matches_the_hand_table():
    steps = summarize_cohort(ROWS).durability.steps
    assert len(steps) == len(EXPECT["durability"])
    for step, expected in zip(steps, EXPECT["durability"], strict=True):
        assert step.time == expected["time"]
        assert step.at_risk == expected["at_risk"]
        assert step.survival == pytest.approx(expected["survival"])


def test_intent_to_treat_is_never_above_the_completers_when_dropouts_do_worse():
    summary = summarize_cohort(ROWS)
    assert summary.response.intent_to_treat.estimate == pytest.approx(5 / 12)
    assert summary.response.completers.estimate == pytest.approx(4 / 7)


def random_rows(seed: int, n: int) -> list[CourseRow]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        state = rng.choice([CourseState.CLOSED] * 8 + [CourseState.IN_PROGRESS, CourseState.LOST])
        completed = state is CourseState.CLOSED and rng.random() < 0.75
        followup = rng.random() < (0.9 if completed else 0.4)
        evaluable = followup and rng.random() < 0.95
        responded = evaluable and rng.random() < 0.5
        sessions = 6 if completed else rng.randint(1, 5)
        eligible = responded and state is CourseState.CLOSED
        at_risk = eligible and rng.random() < 0.9
        adverse = rng.randint(0, sessions)
        rapid_measured = rng.random() < 0.3
        rows.append(
            CourseRow(
                completed=completed,
                has_followup=followup,
                state=state,
                response_evaluable=evaluable,
                rapid_evaluable=rapid_measured,
                relapse_eligible=eligible,
                responded=responded,
                remitted=responded and rng.random() < 0.5,
                rapid_response=rapid_measured and rng.random() < 0.5,
                worsened=followup and not responded and rng.random() < 0.15,
                relapse_at_risk=at_risk,
                relapsed=at_risk and rng.random() < 0.5,
                relapse_days=rng.randint(0, 52) * 7 if at_risk else None,
                sessions_given=sessions,
                sessions_held=rng.randint(0, 1) if sessions else 0,
                sessions_with_adverse_event=adverse,
                adverse_event_sessions={AdverseEventKind.DISSOCIATION: adverse},
            )
        )
    return rows


@pytest.mark.parametrize("seed", [7, 11])
def test_an_independent_recomputation_with_statsmodels_and_lifelines_agrees(seed):
    rows = random_rows(seed, 2000)
    summary = summarize_cohort(rows)

    def check(proportion, events, total):
        lower, upper = proportion_confint(events, total, method="wilson")
        assert (proportion.events, proportion.total) == (events, total)
        assert proportion.lower == pytest.approx(lower, abs=1e-12)
        assert proportion.upper == pytest.approx(upper, abs=1e-12)

    in_progress = [r for r in rows if r.state is CourseState.IN_PROGRESS]
    every_course = rows
    sessions = sum(r.sessions_given for r in rows)
    rows = [r for r in rows if r.state is not CourseState.IN_PROGRESS]
    assert summary.in_progress == len(in_progress) > 0
    assert summary.lost == sum(r.state is CourseState.LOST for r in rows) > 0
    check(summary.in_progress_responding, sum(r.responded for r in in_progress), len(in_progress))
    measured = [r for r in rows if r.rapid_evaluable]
    check(summary.rapid_among_measured, sum(r.rapid_response for r in measured), len(measured))
    completers = [
        r for r in rows if r.completed and r.has_followup and r.state is CourseState.CLOSED
    ]
    for name, attribute in (
        ("response", "responded"),
        ("remission", "remitted"),
        ("rapid_response", "rapid_response"),
        ("worsening", "worsened"),
    ):
        pair = getattr(summary, name)
        check(pair.intent_to_treat, sum(getattr(r, attribute) for r in rows), len(rows))
        check(pair.completers, sum(getattr(r, attribute) for r in completers), len(completers))
    check(summary.completion, sum(r.completed for r in rows), len(rows))
    check(summary.lost_to_follow_up, sum(not r.has_followup for r in rows), len(rows))
    check(summary.holds, sum(r.sessions_held for r in every_course), sessions)
    check(
        summary.adverse_events,
        sum(r.sessions_with_adverse_event for r in every_course),
        sessions,
    )

    at_risk = [r for r in rows if r.relapse_at_risk]
    fitter = KaplanMeierFitter().fit(
        [r.relapse_days for r in at_risk], [r.relapsed for r in at_risk]
    )
    survival = fitter.survival_function_.iloc[:, 0]
    band = fitter.confidence_interval_survival_function_
    steps = summary.durability.steps
    assert [s.time for s in steps] == list(survival.index)
    assert [s.survival for s in steps] == pytest.approx(list(survival), abs=1e-12)
    assert [s.lower for s in steps] == pytest.approx(list(band.iloc[:, 0]), abs=1e-9)
    assert [s.upper for s in steps] == pytest.approx(list(band.iloc[:, 1]), abs=1e-9)


def test_an_empty_cohort_has_no_estimates_and_a_flat_curve():
    summary = summarize_cohort([])
    assert summary.started == 0
    assert summary.response.intent_to_treat.estimate is None
    assert summary.holds.estimate is None
    assert len(summary.durability.steps) == 1


def test_rows_may_be_any_iterable_such_as_a_database_cursor():
    summary = summarize_cohort(row for row in ROWS)
    assert summary.started == 13


@pytest.mark.parametrize(
    ("row", "error", "field"),
    [
        (CourseRow(True, False, responded=True), InvalidValue, "rows[0].responded"),
        (CourseRow(True, False, remitted=True), InvalidValue, "rows[0].remitted"),
        (CourseRow(True, False, worsened=True), InvalidValue, "rows[0].worsened"),
        (CourseRow(True, True, relapsed=True), InvalidValue, "rows[0].relapsed"),
        (CourseRow(True, True, relapse_at_risk=True), InvalidValue, "rows[0].relapse_at_risk"),
        (
            CourseRow(True, True, relapse_eligible=True, relapse_at_risk=True),
            InvalidValue,
            "rows[0].relapse_days",
        ),
        (
            CourseRow(True, True, relapse_eligible=True, relapse_at_risk=True, relapse_days="3"),
            InvalidValue,
            "rows[0].relapse_days",
        ),
        (
            CourseRow(True, True, relapse_eligible=True, relapse_at_risk=True, relapse_days=-1),
            OutOfRange,
            "rows[0].relapse_days",
        ),
        (CourseRow(True, True, rapid_response=True), InvalidValue, "rows[0].rapid_response"),
        (
            CourseRow(True, False, response_evaluable=True),
            InvalidValue,
            "rows[0].response_evaluable",
        ),
        (CourseRow(True, True, state="closed"), UnknownCode, "rows[0].state"),
        (CourseRow(True, True, sessions_given=-1), OutOfRange, "rows[0].sessions_given"),
        (CourseRow(True, True, sessions_given=1.0), InvalidValue, "rows[0].sessions_given"),
        (
            CourseRow(True, True, sessions_given=2, sessions_held=3),
            OutOfRange,
            "rows[0].sessions_held",
        ),
        (
            CourseRow(True, True, sessions_given=2, adverse_event_sessions={"rash": 1}),
            UnknownCode,
            "rows[0].adverse_event_sessions",
        ),
        (
            CourseRow(
                True, True, sessions_given=2, adverse_event_sessions={AdverseEventKind.SEDATION: 3}
            ),
            OutOfRange,
            "rows[0].adverse_event_sessions[sedation]",
        ),
    ],
)
def test_an_inconsistent_row_is_refused_naming_the_field(row, error, field):
    with pytest.raises(error) as caught:
        summarize_cohort([row])
    assert caught.value.field == field


def test_a_kind_given_as_its_plain_code_is_accepted():
    row = CourseRow(True, True, sessions_given=2, adverse_event_sessions={"sedation": 1})
    summary = summarize_cohort([row])
    assert summary.adverse_events_by_kind[AdverseEventKind.SEDATION].events == 1


def test_aggregated_counts_give_the_same_summary_as_the_rows():
    from_rows = summarize_cohort(ROWS)
    counts = count_rows(ROWS)
    assert counts.relapse_table == ((10.0, 0, 1), (30.0, 1, 0), (60.0, 1, 0), (90.0, 0, 1))
    assert summarize_counts(counts) == from_rows


def test_an_in_progress_course_counts_only_apart_and_in_the_sessions():
    # Closed responder + an in-progress one responding so far: the rate of patients is 1 of 1;
    # the in-progress course is 1 of 1 "responding so far"; its 3 sessions are attended.
    closed = CourseRow(True, True, response_evaluable=True, responded=True, sessions_given=6)
    running = CourseRow(
        False,
        True,
        state=CourseState.IN_PROGRESS,
        response_evaluable=True,
        responded=True,
        sessions_given=3,
    )
    summary = summarize_cohort([closed, running])
    assert (summary.started, summary.intent_to_treat, summary.in_progress) == (2, 1, 1)
    assert counts(summary.response.intent_to_treat) == [1, 1]
    assert counts(summary.in_progress_responding) == [1, 1]
    assert summary.sessions == 9


def test_a_lost_course_is_a_drop_out_in_the_intent_to_treat_figures():
    # Lost: no dose for 4 weeks and never closed. It stays in ITT as not responding and is
    # never a completer, even with enough sessions and a score.
    lost = CourseRow(True, True, state=CourseState.LOST, response_evaluable=True, sessions_given=6)
    closed = CourseRow(True, True, response_evaluable=True, responded=True, sessions_given=6)
    summary = summarize_cohort([lost, closed])
    assert (summary.intent_to_treat, summary.lost) == (2, 1)
    assert counts(summary.response.intent_to_treat) == [1, 2]
    assert counts(summary.response.completers) == [1, 1]


def test_counts_as_a_database_would_return_them():
    # One aggregate query's worth of numbers, typed in by hand from the cohort above.
    counts = CohortCounts(
        started=13,
        completed=8,
        completers=7,
        followed_up=8,
        in_progress=1,
        lost=1,
        in_progress_responding=1,
        response_measured=8,
        rapid_measured=5,
        relapse_eligible=5,
        response_itt=5,
        response_completers=4,
        remission_itt=2,
        remission_completers=2,
        rapid_itt=3,
        rapid_completers=1,
        worsening_itt=1,
        worsening_completers=1,
        sessions=57,
        sessions_held=2,
        sessions_with_adverse_event=5,
        adverse_event_sessions={"hypertension": 2, AdverseEventKind.DISSOCIATION: 1},
        relapse_table=((90.0, 0, 1), (30.0, 1, 0), (10.0, 0, 1), (60.0, 1, 0)),
    )
    summary = summarize_counts(counts)
    assert summary.response == summarize_cohort(ROWS).response
    assert summary.rapid_among_measured == summarize_cohort(ROWS).rapid_among_measured
    assert summary.durability == summarize_cohort(ROWS).durability
    assert summary.adverse_events_by_kind[AdverseEventKind.SEDATION].events == 0
    assert summary.adverse_events_by_kind[AdverseEventKind.HYPERTENSION].events == 2


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"started": -1}, OutOfRange, "started"),
        ({"started": 1.5}, InvalidValue, "started"),
        ({"completed": 11}, OutOfRange, "completed"),
        ({"completers": 8}, OutOfRange, "completers"),
        ({"followed_up": 5}, OutOfRange, "completers"),
        ({"response_itt": 11}, OutOfRange, "response_itt"),
        ({"rapid_completers": 7}, OutOfRange, "rapid_completers"),
        ({"sessions_held": 47}, OutOfRange, "sessions_held"),
        ({"in_progress": 11}, OutOfRange, "in_progress"),
        ({"in_progress": 4}, OutOfRange, "completed"),
        ({"in_progress": 2, "in_progress_responding": 3}, OutOfRange, "in_progress_responding"),
        ({"lost": 9, "in_progress": 2}, OutOfRange, "lost"),
        ({"rapid_itt": 1}, OutOfRange, "rapid_itt"),
        ({"response_measured": 8}, OutOfRange, "response_measured"),
        ({"adverse_event_sessions": {"rash": 1}}, UnknownCode, "adverse_event_sessions"),
        (
            {"adverse_event_sessions": {"sedation": 47}},
            OutOfRange,
            "adverse_event_sessions[sedation]",
        ),
        (
            {"adverse_event_sessions": {"sedation": 1.0}},
            InvalidValue,
            "adverse_event_sessions[sedation]",
        ),
    ],
)
def test_counts_that_do_not_fit_together_are_refused_naming_the_field(change, error, field):
    arguments = {"started": 10, "completed": 7, "completers": 6, "followed_up": 7, "sessions": 46}
    arguments.update(change)
    with pytest.raises(error) as caught:
        summarize_counts(CohortCounts(**arguments))
    assert caught.value.field == field


def test_a_not_a_number_relapse_time_is_refused():
    row = CourseRow(
        True,
        True,
        response_evaluable=True,
        responded=True,
        relapse_eligible=True,
        relapse_at_risk=True,
        relapse_days=float("nan"),
    )
    with pytest.raises(OutOfRange) as caught:
        summarize_cohort([row])
    assert caught.value.field == "rows[0].relapse_days"


def test_courses_assessed_one_by_one_roll_up_into_the_cohort():
    first = datetime(2026, 1, 5, 9, tzinfo=timezone(timedelta(hours=1)))
    day = timedelta(days=1)
    phq9 = {"phq9": OutcomeDefinition("phq9", 5, False, relapse_min_total=10, max_total=27)}

    def course(sessions, *scores):
        record = CourseRecord(first, sessions, first + 17 * day)
        assessments = [
            ScoredAssessment("phq9", total, first + days * day) for days, total in scores
        ]
        outcome = assess_course(record, assessments, phq9, "phq9", as_of=first + 90 * day)
        return course_row(outcome)

    rows = [
        course(6, (-1, 20), (18, 4), (60, 12)),  # remission, then loses response at day 60
        course(6, (-1, 18), (18, 12)),  # completer, no response
        course(2, (-1, 22)),  # dropped out, never scored again
    ]
    summary = summarize_cohort(rows)
    assert counts(summary.response.intent_to_treat) == [1, 3]
    assert counts(summary.response.completers) == [1, 2]
    assert counts(summary.remission.intent_to_treat) == [1, 3]
    assert counts(summary.lost_to_follow_up) == [1, 3]
    assert summary.relapsed == 1
    assert summary.durability.steps[-1].time == 43.0  # day 60 - day 17
