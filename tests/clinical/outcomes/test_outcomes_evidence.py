"""Published figures with sources, brochure claims, and the verdict the director reads."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.outcomes.cohort import CourseRow, summarize_cohort
from ketaclinic.clinical.outcomes.evidence import (
    BROCHURE_CLAIMS,
    PUBLISHED_FIGURES,
    ClaimDirection,
    Coverage,
    Denominator,
    Measure,
    ObservedRate,
    Verdict,
    compare_claim,
    compare_claims,
    coverage_for,
    observed_for,
    published_figures,
)
from ketaclinic.clinical.outcomes.intervals import wilson_interval
from ketaclinic.clinical.sources import SOURCES

CASES = json.loads((Path(__file__).parents[1] / "cases/outcomes/claims.json").read_text())
CLAIMS = {claim.key: claim for claim in BROCHURE_CLAIMS}


def test_every_published_figure_cites_a_registered_source():
    for figure in PUBLISHED_FIGURES:
        assert figure.source in SOURCES, figure.key
        assert isinstance(figure.rate, Decimal)
        assert Decimal(0) < figure.rate < Decimal(1)


def test_the_published_figures_are_the_ones_the_sources_report():
    figures = {f.key: f for f in PUBLISHED_FIGURES}
    assert figures["elekt_d_response"].rate == Decimal("0.554")
    assert figures["elekt_d_response"].n == 195
    assert figures["us_community_response"].rate == Decimal("0.536")
    assert figures["us_community_remission"].rate == Decimal("0.289")
    assert figures["us_community_response"].source == "outcomes_community_mcinnes2022"
    assert (figures["toronto_response"].rate, figures["toronto_remission"].rate) == (
        Decimal("0.27"),
        Decimal("0.13"),
    )
    assert figures["ketect_remission"].rate == Decimal("0.46")
    assert figures["ketect_relapse"].rate == Decimal("0.70")
    assert figures["ketect_relapse"].denominator is Denominator.REMITTERS
    assert figures["at_home_response"].rate == Decimal("0.628")
    assert figures["at_home_response"].denominator is Denominator.COMPLETERS


def test_each_source_note_repeats_the_figure_taken_from_it():
    assert "55.4%" in SOURCES["outcomes_elekt_d_anand2023"].note
    assert "53.6%" in SOURCES["outcomes_community_mcinnes2022"].note
    assert "27%" in SOURCES["outcomes_toronto_mcintyre2020"].note
    assert "70%" in SOURCES["outcomes_ketect_ekstrand2022"].note
    assert "62.8%" in SOURCES["outcomes_at_home_hull2022"].note


def test_published_figures_are_found_by_measure():
    response = published_figures(Measure.RESPONSE)
    assert {f.key for f in response} >= {"elekt_d_response", "toronto_response"}
    assert all(f.measure is Measure.RESPONSE for f in response)
    assert published_figures(Measure.RAPID_RESPONSE) == ()


def test_brochure_claims_are_data():
    assert CLAIMS["seventy_percent_success"].rate == Decimal("0.70")
    assert CLAIMS["seventy_percent_success"].measure is Measure.RESPONSE
    assert CLAIMS["relief_within_hours"].measure is Measure.RAPID_RESPONSE
    assert CLAIMS["few_side_effects"].direction is ClaimDirection.AT_MOST


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: f"{c['claim']}-{c['verdict']}")
def test_claim_verdict_matches_the_worked_case(case):
    observed = ObservedRate(case["estimate"], case["lower"], case["upper"], "test cohort")
    result = compare_claim(CLAIMS[case["claim"]], observed)
    assert result.verdict is Verdict(case["verdict"]), case["why"]


def test_the_supported_message_gives_figure_interval_denominator_and_claim():
    observed = ObservedRate.from_proportion(wilson_interval(400, 500), "patients who started")
    result = compare_claim(CLAIMS["seventy_percent_success"], observed)
    assert result.verdict is Verdict.SUPPORTED
    # Wilson 400/500 by hand: centre = 401.9207/503.8415 = 0.797717; half = 1.959964 x
    # sqrt(80 + 0.960365) / 503.8415 = 0.035002; interval 0.762715 to 0.832719.
    assert result.message == (
        "“70% success” holds for this clinic: the clinic's response rate is 80.0% "
        "(95% CI 76.3% to 83.3%; 400 of 500 patients who started). The whole interval is "
        "at or above the claimed 70.0%."
    )


def test_the_contradicted_message_tells_the_clinic_not_to_make_the_claim():
    observed = ObservedRate.from_proportion(wilson_interval(45, 100), "patients who started")
    result = compare_claim(CLAIMS["seventy_percent_success"], observed)
    assert result.verdict is Verdict.CONTRADICTED
    assert "does not hold for this clinic" in result.message
    assert "45 of 100 patients who started" in result.message
    assert "below the claimed 70.0%" in result.message
    assert result.message.endswith("The clinic should not make this claim.")


def test_the_inconclusive_message_says_the_data_cannot_settle_it():
    observed = ObservedRate.from_proportion(wilson_interval(7, 10), "patients who started")
    result = compare_claim(CLAIMS["seventy_percent_success"], observed)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert "can neither confirm nor rule it out" in result.message
    assert "(95% CI 39.7% to 89.2%; 7 of 10 patients who started)" in result.message


def test_an_at_most_claim_reads_above_as_the_wrong_side():
    observed = ObservedRate.from_proportion(wilson_interval(30, 100), "sessions")
    result = compare_claim(CLAIMS["few_side_effects"], observed)
    assert result.verdict is Verdict.CONTRADICTED
    assert "above the claimed 10.0%" in result.message
    supported = compare_claim(
        CLAIMS["few_side_effects"],
        ObservedRate.from_proportion(wilson_interval(1, 200), "sessions"),
    )
    assert "at or below the claimed 10.0%" in supported.message


def test_an_empty_group_gives_no_data():
    observed = ObservedRate.from_proportion(wilson_interval(0, 0), "patients who started")
    result = compare_claim(CLAIMS["seventy_percent_success"], observed)
    assert result.verdict is Verdict.NO_DATA
    assert "no patients who started in this group" in result.message


def test_an_interval_outside_zero_and_one_is_refused():
    with pytest.raises(InvalidValue) as caught:
        compare_claim(CLAIMS["seventy_percent_success"], ObservedRate(0.5, 0.6, 0.4, "bad"))
    assert caught.value.field == "observed"


def _cohort(n_responders: int, n_others: int, relapse_days: float, relapsed: bool):
    responders = [
        CourseRow(
            True,
            True,
            response_evaluable=True,
            rapid_evaluable=True,
            responded=True,
            relapse_eligible=True,
            relapse_at_risk=True,
            relapsed=relapsed,
            relapse_days=relapse_days,
            sessions_given=6,
        )
        for _ in range(n_responders)
    ]
    others = [
        CourseRow(True, True, response_evaluable=True, rapid_evaluable=True, sessions_given=6)
        for _ in range(n_others)
    ]
    return summarize_cohort(responders + others)


def test_claims_are_judged_on_the_intent_to_treat_figures():
    summary = _cohort(n_responders=30, n_others=70, relapse_days=400.0, relapsed=False)
    verdicts = {v.claim.key: v for v in compare_claims(summary)}
    assert verdicts["seventy_percent_success"].verdict is Verdict.CONTRADICTED
    assert "30 of 100 courses no longer in progress" in verdicts["seventy_percent_success"].message
    assert "coverage: 100 of 100 courses" in verdicts["seventy_percent_success"].message
    assert verdicts["seventy_percent_success"].coverage.sufficient
    assert verdicts["relief_within_hours"].verdict is Verdict.CONTRADICTED
    assert verdicts["few_side_effects"].verdict is Verdict.SUPPORTED
    assert verdicts["lasting_relief"].verdict is Verdict.SUPPORTED


def test_durability_needs_someone_followed_to_the_time_point():
    summary = _cohort(n_responders=5, n_others=0, relapse_days=90.0, relapsed=False)
    observed = observed_for(summary, Measure.RELAPSE_FREE_6_MONTHS)
    assert observed.estimate is None
    assert "none followed that long yet" in observed.basis
    assert compare_claim(CLAIMS["lasting_relief"], observed).verdict is Verdict.NO_DATA


def test_relapse_within_a_year_is_one_minus_the_relapse_free_curve():
    # Everyone relapsed by day 200: the curve is 0 from then on, so 12 months is known.
    summary = _cohort(n_responders=10, n_others=0, relapse_days=200.0, relapsed=True)
    observed = observed_for(summary, Measure.RELAPSE_WITHIN_12_MONTHS)
    assert observed.estimate == pytest.approx(1.0)
    six_months = observed_for(summary, Measure.RELAPSE_FREE_6_MONTHS)
    assert six_months.estimate == pytest.approx(1.0)
    assert "Kaplan–Meier estimate at 182 days from 10 courses" in six_months.basis


def test_remission_is_read_from_the_intent_to_treat_pair():
    summary = _cohort(n_responders=3, n_others=1, relapse_days=1.0, relapsed=False)
    observed = observed_for(summary, Measure.REMISSION)
    assert observed.basis == "0 of 4 courses no longer in progress"


def test_the_wording_example_in_the_docs_is_what_the_code_says():
    doc = (Path(__file__).parents[3] / "docs/outcomes.md").read_text()
    observed = ObservedRate.from_proportion(
        wilson_interval(45, 100), "courses no longer in progress"
    )
    message = compare_claim(CLAIMS["seventy_percent_success"], observed).message
    assert message in " ".join(doc.split())
    measured = _rapid_cohort(575, 17, 10)
    message = compare_claims(measured)[1].message
    example = message.split(", and a verdict")[0]
    assert example in " ".join(doc.split())
    assert message.split("failure. ")[1] in " ".join(doc.split())


def _followed(censored_at: list[float], relapsed_at: list[float]):
    """Responders followed for relapse: censored (still well) or relapsed at those days."""
    rows = [
        CourseRow(
            True,
            True,
            response_evaluable=True,
            responded=True,
            relapse_eligible=True,
            relapse_at_risk=True,
            relapsed=relapsed,
            relapse_days=days,
            sessions_given=6,
        )
        for days, relapsed in [(d, False) for d in censored_at] + [(d, True) for d in relapsed_at]
    ]
    return summarize_cohort(rows)


def test_one_last_relapse_does_not_make_a_durability_figure():
    # 11 responders censored at day 100, the twelfth relapses at day 190. The curve is 1
    # until 190, then 0 with a (0, 0) band: a figure resting on one patient. At 182 days
    # one course is still followed; at 365 the curve reached 0 with 1 at risk.
    summary = _followed(censored_at=[100.0] * 11, relapsed_at=[190.0])
    assert summary.durability.at(365).survival == 0.0
    six_months = observed_for(summary, Measure.RELAPSE_FREE_6_MONTHS)
    assert six_months.estimate is None
    assert "only 1 still followed at 182 days, fewer than the 10" in six_months.basis
    year = observed_for(summary, Measure.RELAPSE_WITHIN_12_MONTHS)
    assert year.estimate is None
    assert compare_claim(CLAIMS["lasting_relief"], six_months).verdict is Verdict.NO_DATA


def test_durability_is_reported_from_ten_courses_followed_and_not_from_nine():
    nine = observed_for(_followed([200.0] * 9, []), Measure.RELAPSE_FREE_6_MONTHS)
    assert nine.estimate is None
    assert "only 9 still followed" in nine.basis
    # 10 followed past 182 days and 2 relapses at day 50 among 12: S = 1 - 2/12 = 5/6.
    ten = observed_for(_followed([200.0] * 10, [50.0, 50.0]), Measure.RELAPSE_FREE_6_MONTHS)
    assert ten.estimate == pytest.approx(5 / 6)


def _rapid_cohort(closed: int, measured: int, rapid: int):
    """``closed`` courses, ``measured`` of them scored within 24 h, ``rapid`` responding then."""
    rows = [
        CourseRow(
            True,
            True,
            response_evaluable=True,
            rapid_evaluable=index < measured,
            rapid_response=index < rapid,
            sessions_given=6,
        )
        for index in range(closed)
    ]
    return summarize_cohort(rows)


def test_relief_within_hours_on_17_measured_of_575_is_inconclusive_not_contradicted():
    # The demo clinic: 10 rapid responses, 17 courses measured within 24 h, 575
    # closed. ITT 10/575 = 1.7% would "contradict" the claim, but 17/575 = 3.0% coverage is
    # far below 80% (Schulz & Grimes 2002); among the measured 10/17 = 58.8% (36.0% to 78.4%).
    summary = _rapid_cohort(575, 17, 10)
    verdict = {v.claim.key: v for v in compare_claims(summary)}["relief_within_hours"]
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert (verdict.coverage.measured, verdict.coverage.eligible) == (17, 575)
    assert verdict.coverage.sufficient is False
    assert "coverage: 17 of 575 courses no longer in progress (3.0%)" in verdict.message
    assert "Among the 17 measured: 10 (58.8%, 95% CI 36.0% to 78.4%)" in verdict.message
    assert "Schulz & Grimes 2002" in verdict.message


def test_with_enough_coverage_the_interval_decides():
    # 80 of 100 measured (exactly 80%), 10 rapid responses: ITT 10% (5.5% to 17.4%) is wholly
    # below the claimed 50%: contradicted, coverage stated.
    verdict = compare_claims(_rapid_cohort(100, 80, 10))[1]
    assert verdict.claim.key == "relief_within_hours"
    assert verdict.verdict is Verdict.CONTRADICTED
    assert "coverage: 80 of 100" in verdict.message


@pytest.mark.parametrize(
    ("measured", "eligible", "sufficient"),
    [(8, 10, True), (7, 10, False), (4, 5, True), (79, 99, False), (0, 0, False)],
)
def test_coverage_needs_eighty_percent_measured(measured, eligible, sufficient):
    # 8/10 = 80% yes; 7/10 no; 4/5 = 80% yes; 79/99 = 79.8% no; nobody: no verdict.
    assert Coverage(measured, eligible, "courses", "a score").sufficient is sufficient


def test_coverage_cannot_exceed_its_group():
    with pytest.raises(InvalidValue) as caught:
        Coverage(3, 2, "courses", "a score")
    assert caught.value.field == "coverage"


def test_durability_coverage_is_of_responders_scored_after_the_induction():
    followed = CourseRow(
        True,
        True,
        response_evaluable=True,
        responded=True,
        relapse_eligible=True,
        relapse_at_risk=True,
        relapse_days=30.0,
        sessions_given=6,
    )
    unseen = CourseRow(True, True, response_evaluable=True, responded=True, relapse_eligible=True)
    summary = summarize_cohort([followed, unseen])
    coverage = coverage_for(summary, Measure.RELAPSE_FREE_6_MONTHS)
    assert (coverage.measured, coverage.eligible) == (1, 2)
    sessions = coverage_for(summary, Measure.ADVERSE_EVENT_SESSIONS)
    assert (sessions.measured, sessions.eligible, sessions.sufficient) == (6, 6, True)
    assert coverage_for(summary, Measure.REMISSION).measured == 2
    assert "coverage: 1 of 2 responders at the end of induction (50.0%)" in coverage.describe()


def test_no_data_keeps_its_coverage():
    summary = summarize_cohort([])
    verdict = compare_claims(summary)[0]
    assert verdict.verdict is Verdict.NO_DATA
    assert verdict.coverage.fraction is None
    assert verdict.coverage.describe() == (
        "coverage: 0 of 0 courses no longer in progress had a baseline and an "
        "end-of-induction score on the primary instrument"
    )


def _ideation_cohort(at_baseline: int, followed: int, reduced: int, others: int = 0):
    rows = [
        CourseRow(
            True,
            True,
            response_evaluable=True,
            ideation_at_baseline=True,
            ideation_followed=index < followed,
            ideation_on_phq9=index < followed,
            ideation_reduced=index < reduced,
            sessions_given=6,
        )
        for index in range(at_baseline)
    ]
    rows += [CourseRow(True, True, response_evaluable=True, sessions_given=6)] * others
    return summarize_cohort(rows)


def test_fewer_suicidal_thoughts_is_judged_among_those_with_ideation_at_baseline():
    # 20 courses with item 9 above 0 at baseline (and 30 without, not counted), all answered
    # again, 16 lower: 16/20 = 80% (58.4% to 91.9%): the whole interval is above 50%.
    summary = _ideation_cohort(20, 20, 16, others=30)
    verdict = {v.claim.key: v for v in compare_claims(summary)}["fewer_suicidal_thoughts"]
    assert verdict.verdict is Verdict.SUPPORTED
    assert "16 of 20 courses with suicidal thoughts at baseline" in verdict.message
    assert (verdict.coverage.measured, verdict.coverage.eligible) == (20, 20)
    assert "(20 judged on item 9, 0 on the C-SSRS)" in verdict.message


def test_fewer_suicidal_thoughts_without_follow_up_answers_is_inconclusive():
    # 20 with ideation at baseline, only 10 answered again (50% < 80%), 9 of them lower.
    summary = _ideation_cohort(20, 10, 9)
    verdict = {v.claim.key: v for v in compare_claims(summary)}["fewer_suicidal_thoughts"]
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert "Among the 10 measured" not in verdict.message  # no rate among measured here
    assert "coverage: 10 of 20 courses with suicidal thoughts at baseline (50.0%)" in (
        verdict.message
    )


def test_an_ideation_flag_without_its_precondition_is_refused():
    from ketaclinic.clinical.exceptions import InvalidValue as Invalid

    with pytest.raises(Invalid) as caught:
        summarize_cohort([CourseRow(True, True, ideation_followed=True)])
    assert caught.value.field == "rows[0].ideation_followed"
    with pytest.raises(Invalid) as caught:
        summarize_cohort([CourseRow(True, True, ideation_at_baseline=True, ideation_reduced=True)])
    assert caught.value.field == "rows[0].ideation_reduced"
    followed = {"ideation_at_baseline": True, "ideation_followed": True}
    for flags in (
        followed,  # followed, but on neither measure
        {**followed, "ideation_on_phq9": True, "ideation_on_cssrs": True},  # on both
        {"ideation_at_baseline": True, "ideation_on_cssrs": True},  # a measure, not followed
    ):
        with pytest.raises(Invalid) as caught:
            summarize_cohort([CourseRow(True, True, **flags)])
        assert caught.value.field == "rows[0].ideation_followed"


def test_fewer_suicidal_thoughts_counts_courses_judged_on_the_c_ssrs():
    # 10 with ideation at baseline: 6 judged on item 9 (5 lower), 4 only on the C-SSRS
    # (3 lower): 8/10 = 80% with coverage 10 of 10, 6 on item 9 and 4 on the C-SSRS.
    rows = [
        CourseRow(
            True,
            True,
            ideation_at_baseline=True,
            ideation_followed=True,
            ideation_on_phq9=index < 6,
            ideation_on_cssrs=index >= 6,
            ideation_reduced=index in (0, 1, 2, 3, 4, 6, 7, 8),
        )
        for index in range(10)
    ]
    summary = summarize_cohort(rows)
    assert (summary.ideation_on_phq9, summary.ideation_on_cssrs) == (6, 4)
    assert (summary.ideation_reduced.events, summary.ideation_reduced.total) == (8, 10)
    verdict = {v.claim.key: v for v in compare_claims(summary)}["fewer_suicidal_thoughts"]
    assert "(6 judged on item 9, 4 on the C-SSRS)" in verdict.message


def test_nobody_measured_within_24_hours_is_inconclusive_without_a_measured_rate():
    # 10 closed courses, none scored within 24 h: coverage 0 of 10, no rate among the measured.
    verdict = {v.claim.key: v for v in compare_claims(_rapid_cohort(10, 0, 0))}
    rapid = verdict["relief_within_hours"]
    assert rapid.verdict is Verdict.INCONCLUSIVE
    assert "coverage: 0 of 10" in rapid.message
    assert "Among the" not in rapid.message
