"""Per-course outcome rules: worked cases on both sides of every threshold, then the edges."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, OutOfRange, UnknownCode
from ketaclinic.clinical.outcomes.cohort import AdverseEventKind
from ketaclinic.clinical.outcomes.course import assess_course, course_row
from ketaclinic.clinical.outcomes.definitions import (
    OutcomeDefinition,
    OutcomeParameters,
    RelapseRule,
)
from ketaclinic.clinical.outcomes.records import (
    ChangeDirection,
    CourseRecord,
    CourseState,
    ScoredAssessment,
    SuicideRisk,
    SuicideRiskRating,
)

CASES = json.loads((Path(__file__).parents[1] / "cases/outcomes/course_rules.json").read_text())
FIRST_DOSE = datetime.fromisoformat(CASES["first_dose_at"])
DEFINITIONS = {
    name: OutcomeDefinition(instrument=name, **fields)
    for name, fields in CASES["definitions"].items()
}
DAY = 1440
INDUCTION_END = 17 * DAY


def at(minutes: int) -> datetime:
    return FIRST_DOSE + timedelta(minutes=minutes)


def run_case(case: dict):
    end_minutes = case.get("induction_end_minutes", INDUCTION_END)
    course = CourseRecord(
        first_dose_at=FIRST_DOSE,
        sessions_given=case.get("sessions_given", 6),
        induction_end_at=None if end_minutes is None else at(end_minutes),
        planned_sessions=case.get("planned_sessions"),
    )
    assessments = [
        ScoredAssessment(a["instrument"], a["total"], at(a["minutes"]), a.get("items", {}))
        for a in case["assessments"]
    ]
    ratings = [
        SuicideRiskRating(SuicideRisk[level.upper()], at(m)) for level, m in case.get("cssrs", [])
    ]
    parameters = OutcomeParameters(
        relapse_rule=RelapseRule(case.get("relapse_rule", "loss_of_response"))
    )
    return assess_course(
        course,
        assessments,
        DEFINITIONS,
        case.get("primary", "phq9"),
        as_of=at(case.get("as_of_minutes", 60 * DAY)),
        parameters=parameters,
        suicide_risk=ratings,
    )


def observed(outcome, key: str):
    readers = {
        "baseline_total": lambda o: o.baseline.total if o.baseline else None,
        "response": lambda o: o.response.met,
        "response_evaluable": lambda o: o.response.evaluable,
        "remission": lambda o: o.remission.met,
        "rapid_response": lambda o: o.rapid_response.met,
        "rapid_evaluable": lambda o: o.rapid_response.evaluable,
        "rapid_instrument": lambda o: o.rapid_response.instrument,
        "worsening": lambda o: o.worsening.met,
        "sustained": lambda o: o.sustained_response.met,
        "sustained_evaluable": lambda o: o.sustained_response.evaluable,
        "relapse_at_risk": lambda o: o.relapse.at_risk,
        "relapsed": lambda o: o.relapse.relapsed,
        "relapse_days": lambda o: o.relapse.days,
        "time_to_response_minutes": lambda o: o.time_to_response / timedelta(minutes=1),
        "completed": lambda o: o.completed,
        "has_followup": lambda o: o.end_of_induction is not None,
        "induction_ended": lambda o: o.induction_ended,
        "time_point_minutes": lambda o: (o.response.time_point - FIRST_DOSE) / timedelta(minutes=1),
        "ideation": lambda o: o.suicidal_ideation.direction.value,
        "ideation_baseline": lambda o: o.suicidal_ideation.baseline_score,
        "ideation_latest": lambda o: o.suicidal_ideation.latest_score,
        "cssrs": lambda o: o.suicidal_ideation.cssrs_direction.value,
    }
    return readers[key](outcome)


def test_the_case_file_cites_its_sources():
    assert "McInnes" in CASES["source"]
    assert "ELEKT-D" in CASES["source"]


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["name"])
def test_course_rule_matches_the_worked_case(case):
    outcome = run_case(case)
    for key, expected in case["expect"].items():
        assert observed(outcome, key) == expected, f"{key}: {case['why']}"


def score(total: int, minutes: int, instrument: str = "phq9", **items: int) -> ScoredAssessment:
    return ScoredAssessment(instrument, total, at(minutes), items)


def assess(assessments, *, course=None, **kwargs):
    course = course or CourseRecord(FIRST_DOSE, 6, at(INDUCTION_END))
    kwargs.setdefault("as_of", at(60 * DAY))
    return assess_course(course, assessments, DEFINITIONS, kwargs.pop("primary", "phq9"), **kwargs)


def test_every_flag_carries_its_definition_instrument_threshold_and_time_point():
    outcome = assess([score(20, -DAY), score(10, 18 * DAY)])
    response = outcome.response
    assert response.code == "response"
    assert response.instrument == "phq9"
    assert response.threshold == Decimal("10.0")
    assert response.time_point == at(18 * DAY)
    assert (response.total, response.baseline_total) == (10, 20)
    assert response.rule == "phq9 total ≤ 10 (a fall of ≥ 50% from baseline 20) at end of induction"
    assert response.source == "outcomes_elekt_d_anand2023"
    remission = outcome.remission
    assert remission.rule.startswith("phq9 total < 5 at end of induction")
    assert remission.threshold == Decimal(5)
    assert remission.source == CASES["definitions"]["phq9"]["source"]
    assert outcome.worsening.rule.startswith("phq9 total ≥ 21 (baseline 20 + 1)")
    assert outcome.rapid_response.source == "outcomes_rapid_newport2015"
    assert outcome.completion_source == "outcomes_elekt_d_anand2023"


def test_a_flag_that_cannot_be_judged_says_why():
    no_baseline = assess([score(10, 18 * DAY)])
    assert no_baseline.response.rule == "not evaluable: no baseline score"
    no_followup = assess([score(20, -DAY)])
    assert no_followup.remission.rule == "not evaluable: no score after the first dose"
    assert no_followup.worsening.evaluable is False
    assert no_followup.rapid_response.rule.startswith("not evaluable: no phq9 score within 24 h")
    assert no_followup.sustained_response.evaluable is False


def test_ongoing_induction_is_named_in_the_rule():
    course = CourseRecord(FIRST_DOSE, 2, None)
    outcome = assess([score(20, -DAY), score(9, 3 * DAY)], course=course, as_of=at(4 * DAY))
    assert outcome.response.rule.endswith("at latest (induction ongoing)")


def test_a_planned_end_still_in_the_future_is_an_ongoing_induction():
    course = CourseRecord(FIRST_DOSE, 4, at(INDUCTION_END))
    outcome = assess([score(20, -DAY), score(9, 10 * DAY)], course=course, as_of=at(12 * DAY))
    assert outcome.induction_ended is False
    assert outcome.relapse.at_risk is False


def test_a_plan_count_is_named_as_the_completion_source():
    course = CourseRecord(FIRST_DOSE, 4, at(INDUCTION_END), planned_sessions=4)
    assert assess([], course=course).completion_source == "clinic plan"


def test_a_responder_never_scored_after_the_induction_is_eligible_but_not_at_risk():
    # The end-of-induction score was taken the day before the last session and nothing since:
    # staying well was never observed, so the course does not enter the durability curve.
    outcome = assess([score(20, -DAY), score(8, INDUCTION_END - DAY)])
    assert outcome.response.met is True
    assert (outcome.relapse.eligible, outcome.relapse.at_risk) == (True, False)
    assert outcome.relapse.days is None
    row = course_row(outcome)
    assert (row.relapse_eligible, row.relapse_at_risk) == (True, False)


def test_a_non_responder_is_not_eligible_for_durability():
    outcome = assess([score(20, -DAY), score(15, 18 * DAY), score(14, 40 * DAY)])
    assert (outcome.relapse.eligible, outcome.relapse.at_risk) == (False, False)


@pytest.mark.parametrize(
    ("end", "last_dose_day", "as_of_day", "state"),
    [
        # Induction ended on day 17: closed, whatever happened since.
        (INDUCTION_END, 17, 60, CourseState.CLOSED),
        # Not ended, last dose day 9, as of day 37: 28 days exactly is still in progress.
        (None, 9, 37, CourseState.IN_PROGRESS),
        # One minute more than 28 days without a dose: lost.
        (None, 9, 37 + 1 / 1440, CourseState.LOST),
        # No later dose recorded: the first dose is the latest (day 0, as of day 29): lost.
        (None, None, 29, CourseState.LOST),
        # An end planned after as_of is not an end: day 12 with a dose on day 9 is in progress.
        (INDUCTION_END, 9, 12, CourseState.IN_PROGRESS),
    ],
)
def test_a_course_is_closed_lost_or_in_progress(end, last_dose_day, as_of_day, state):
    course = CourseRecord(
        FIRST_DOSE,
        3,
        None if end is None else at(end),
        last_dose_at=None if last_dose_day is None else at(last_dose_day * DAY),
    )
    outcome = assess([score(20, -DAY)], course=course, as_of=at(round(as_of_day * DAY)))
    assert outcome.state is state
    assert course_row(outcome).state is state


def test_a_last_dose_before_the_first_is_refused():
    course = CourseRecord(FIRST_DOSE, 3, None, last_dose_at=at(-DAY))
    with pytest.raises(OutOfRange) as caught:
        assess([], course=course)
    assert caught.value.field == "last_dose_at"


def test_the_remission_rule_needs_a_relapse_threshold_on_the_instrument():
    parameters = OutcomeParameters(relapse_rule=RelapseRule.SCORE_AT_OR_ABOVE)
    assessments = [score(16, -DAY, "qids_sr16"), score(4, 18 * DAY, "qids_sr16")]
    with pytest.raises(MissingItem) as caught:
        assess(assessments, primary="qids_sr16", parameters=parameters)
    assert caught.value.field == "relapse_min_total"


def test_relapse_records_when_and_by_which_rule():
    outcome = assess([score(20, -DAY), score(8, 18 * DAY), score(11, 31 * DAY)])
    assert outcome.relapse.relapsed_at == at(31 * DAY)
    assert outcome.relapse.rule == "loss of response after a response at the end of induction"
    assert outcome.relapse.source == "outcomes_community_mcinnes2022"


def test_course_row_carries_the_flags_and_the_session_counts():
    outcome = assess([score(20, -DAY), score(8, 18 * DAY), score(11, 31 * DAY)])
    row = course_row(
        outcome,
        sessions_held=1,
        sessions_with_adverse_event=2,
        adverse_event_sessions={AdverseEventKind.NAUSEA_VOMITING: 2},
    )
    assert (row.completed, row.has_followup, row.responded) == (True, True, True)
    assert (row.remitted, row.worsened, row.rapid_response) == (False, False, False)
    assert (row.relapse_at_risk, row.relapsed, row.relapse_days) == (True, True, 14.0)
    assert (row.sessions_given, row.sessions_held, row.sessions_with_adverse_event) == (6, 1, 2)
    assert row.adverse_event_sessions == {AdverseEventKind.NAUSEA_VOMITING: 2}
    assert course_row(assess([])).adverse_event_sessions == {}


def test_ideation_latest_is_the_last_item_nine_after_the_first_dose():
    outcome = assess(
        [score(20, -DAY, item9=2), score(15, 3 * DAY, item9=1), score(9, 18 * DAY)],
        suicide_risk=[SuicideRiskRating(SuicideRisk.HIGH, at(-DAY))],
    )
    ideation = outcome.suicidal_ideation
    assert (ideation.baseline_score, ideation.latest_score) == (2, 1)
    assert ideation.latest_at == at(3 * DAY)
    assert ideation.direction is ChangeDirection.IMPROVED
    assert ideation.cssrs_baseline is SuicideRisk.HIGH
    assert ideation.cssrs_direction is ChangeDirection.UNKNOWN


def test_assessments_of_instruments_without_a_definition_are_ignored_for_outcomes():
    outcome = assess([score(20, -DAY), score(3, -DAY, "gad7"), score(1, 600, "gad7")])
    assert outcome.rapid_response.evaluable is False


NAIVE = datetime(2026, 3, 2, 9, 0)


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"as_of": NAIVE}, InvalidValue, "as_of"),
        ({"as_of": "2026-03-02"}, InvalidValue, "as_of"),
        ({"course": CourseRecord(NAIVE, 1)}, InvalidValue, "first_dose_at"),
        ({"as_of": FIRST_DOSE - timedelta(minutes=1)}, OutOfRange, "first_dose_at"),
        ({"course": CourseRecord(FIRST_DOSE, 1, NAIVE)}, InvalidValue, "induction_end_at"),
        ({"course": CourseRecord(FIRST_DOSE, 1, at(-1))}, OutOfRange, "induction_end_at"),
        ({"course": CourseRecord(FIRST_DOSE, -1)}, OutOfRange, "sessions_given"),
        ({"course": CourseRecord(FIRST_DOSE, 2.5)}, InvalidValue, "sessions_given"),
        ({"course": CourseRecord(FIRST_DOSE, 1, None, 0)}, OutOfRange, "planned_sessions"),
        ({"primary": "hamd17"}, UnknownCode, "primary_instrument"),
        (
            {"assessments": [ScoredAssessment("phq9", 5, NAIVE)]},
            InvalidValue,
            "assessments[0].taken_at",
        ),
        ({"assessments": [score(28, 0)]}, OutOfRange, "assessments[0].total"),
        ({"assessments": [score(-1, 0)]}, OutOfRange, "assessments[0].total"),
        ({"assessments": [score(True, 0)]}, InvalidValue, "assessments[0].total"),
        ({"assessments": [score(5, 0, item9=4.0)]}, InvalidValue, "assessments[0].item9"),
        (
            {"suicide_risk": [SuicideRiskRating(SuicideRisk.LOW, NAIVE)]},
            InvalidValue,
            "suicide_risk[0].taken_at",
        ),
        (
            {"suicide_risk": [SuicideRiskRating("low", at(0))]},
            UnknownCode,
            "suicide_risk[0].risk",
        ),
    ],
)
def test_bad_input_names_the_field(change, error, field):
    arguments = {
        "course": CourseRecord(FIRST_DOSE, 6, at(INDUCTION_END)),
        "assessments": [],
        "primary": "phq9",
        "as_of": at(60 * DAY),
        "suicide_risk": (),
    }
    arguments.update(change)
    with pytest.raises(error) as caught:
        assess_course(
            arguments["course"],
            arguments["assessments"],
            DEFINITIONS,
            arguments["primary"],
            as_of=arguments["as_of"],
            suicide_risk=arguments["suicide_risk"],
        )
    assert caught.value.field == field


def test_a_definition_filed_under_another_instruments_name_is_refused():
    definitions = {"phq9": DEFINITIONS["madrs"]}
    with pytest.raises(InvalidValue) as caught:
        assess_course(CourseRecord(FIRST_DOSE, 1), [], definitions, "phq9", as_of=at(DAY))
    assert caught.value.field == "definitions[phq9]"


def test_a_total_on_an_instrument_without_a_maximum_is_not_capped():
    definitions = {"custom": OutcomeDefinition("custom", remission_max_total=3)}
    assessments = [
        ScoredAssessment("custom", 500, at(-DAY)),
        ScoredAssessment("custom", 10, at(DAY)),
    ]
    outcome = assess_course(
        CourseRecord(FIRST_DOSE, 1), assessments, definitions, "custom", as_of=at(2 * DAY)
    )
    assert outcome.response.met is True


def test_timezones_are_compared_as_instants():
    # 14:00 UTC is 09:00 in New York (UTC-5): the same instant as the first dose, so not baseline.
    same_instant = ScoredAssessment("phq9", 20, datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    outcome = assess([same_instant, score(10, 18 * DAY)])
    assert outcome.baseline is None


@pytest.mark.parametrize(
    ("baseline", "latest", "flags"),
    [
        (2, 0, (True, True, True)),  # ideation at baseline, answered again, lower
        (1, 1, (True, True, False)),  # unchanged
        (0, 0, (False, False, False)),  # no ideation at baseline: not in the claim's group
        (2, None, (True, False, False)),  # never answered again: not measured
    ],
)
def test_ideation_flags_come_from_item_nine(baseline, latest, flags):
    scores = [score(20, -DAY, item9=baseline)]
    if latest is not None:
        scores.append(score(10, 18 * DAY, item9=latest))
    row = course_row(assess(scores))
    assert (row.ideation_at_baseline, row.ideation_followed, row.ideation_reduced) == flags
    assert (row.ideation_on_phq9, row.ideation_on_cssrs) == (flags[1], False)


@pytest.mark.parametrize(
    ("item9", "cssrs", "flags"),
    [
        # Item 9 silent (0 then 0), C-SSRS moderate then low: judged on the C-SSRS, lower.
        ((0, 0), ("moderate", "low"), (True, True, False, True, True)),
        # No item 9 at all, C-SSRS low then low: judged on the C-SSRS, unchanged.
        (None, ("low", "low"), (True, True, False, True, False)),
        # Item 9 showed thoughts but never answered again; C-SSRS high then none: C-SSRS.
        ((2, None), ("high", "none"), (True, True, False, True, True)),
        # Both showed thoughts and both followed: item 9 wins (1 -> 1, unchanged) although
        # the C-SSRS fell: one measure per course, the one McInnes et al. 2022 followed.
        ((1, 1), ("high", "none"), (True, True, True, False, False)),
        # C-SSRS "none" at baseline is no ideation; item 9 silent: not in the claim's group.
        ((0, 0), ("none", "high"), (False, False, False, False, False)),
        # C-SSRS low at baseline, never rated again, item 9 absent: at baseline, not followed.
        (None, ("low", None), (True, False, False, False, False)),
    ],
)
def test_ideation_is_judged_on_the_c_ssrs_where_item_nine_cannot_judge_it(item9, cssrs, flags):
    scores = [score(20, -DAY)]
    if item9 is not None:
        scores = [score(20, -DAY, item9=item9[0])]
        if item9[1] is not None:
            scores.append(score(10, 18 * DAY, item9=item9[1]))
    before, after = cssrs
    ratings = [SuicideRiskRating(SuicideRisk[before.upper()], at(-DAY))]
    if after is not None:
        ratings.append(SuicideRiskRating(SuicideRisk[after.upper()], at(18 * DAY)))
    row = course_row(assess(scores, suicide_risk=ratings))
    assert (
        row.ideation_at_baseline,
        row.ideation_followed,
        row.ideation_on_phq9,
        row.ideation_on_cssrs,
        row.ideation_reduced,
    ) == flags
