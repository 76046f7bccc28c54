"""Outcomes of one patient's course: baseline, response, remission, relapse and the rest.

Inputs are plain records the Django layer fills from its models: the ``CourseRecord`` (first
dose, end of the induction series, sessions given and planned), the ``ScoredAssessment``
list (instrument, total, tz-aware time, item scores) and, optionally, C-SSRS risk ratings.
Nothing here reads the clock: ``as_of`` says "now", and any assessment after it is ignored.

Every yes/no outcome is an ``OutcomeFlag`` carrying its own definition (instrument,
threshold, time point, scores compared, source), so a stored flag can be explained later
even if the clinic changes its rules. Rules, with their parameters in ``OutcomeParameters``:

* **Baseline**: the last score of the instrument taken before the first dose and no earlier
  than ``baseline_window`` before it (boundary inclusive).
* **End-of-induction score**: the last score of the primary instrument after the first dose
  and no later than ``primary_window`` after the induction ended (or ``as_of`` while the
  induction is still running: the flag then says "latest"). The last score carried forward
  is what a drop-out is judged on; a course with no such score has no follow-up.
* **Response**: end-of-induction total ≤ baseline × (1 − response fraction); exactly 50% is
  a response; from a baseline of 0 a percentage fall is undefined (not evaluable).
* **Remission**: end-of-induction total within the instrument's remission range, from a
  baseline that was not already in that range.
* **Rapid response**: a response on the *primary* instrument within ``rapid_window`` (24 h,
  inclusive) of the first dose; a fall on another instrument does not count, so a PTSD
  course is judged on PCL-5 and a depression course on its depression scale.
* **Time to response**: first dose → first primary-instrument score meeting response.
* **Worsening**: end-of-induction total ≥ baseline + ``worsening_min_increase``.
* **Relapse** (only for courses whose induction has ended and that responded, or remitted
  under the remission rule, *and* that have at least one score after the end-of-induction
  score): the first later score that loses response (default) or reaches the instrument's
  ``relapse_min_total``. Time is counted from the end of induction; without a relapse the
  course is censored at its last score. A responder never scored again is *eligible* but
  not at risk: nothing was observed about staying well.
* **Sustained response**: response at end of induction and still a response at every score
  up to and including the first one taken ``sustained_after`` (4 weeks) after the end.
* **Suicidal ideation**: PHQ-9 item 9 at baseline vs the latest after the first dose, and
  the C-SSRS risk level before vs the latest after, each improved/unchanged/worsened; the
  claim is judged on item 9 where it showed ideation and was answered again, else on the
  C-SSRS (``ideation_flags``).
* **Completion**: sessions given ≥ the plan's count, or ``completion_sessions`` (6).
* **State**: *closed* once the induction has ended (``induction_end_at`` ≤ ``as_of``);
  otherwise *lost* when the last dose is more than ``lost_after`` before ``as_of``, else
  *in progress*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, OutOfRange, UnknownCode
from ketaclinic.clinical.outcomes.cohort import AdverseEventKind, CourseRow
from ketaclinic.clinical.outcomes.definitions import (
    OutcomeDefinition,
    OutcomeParameters,
    RelapseRule,
)
from ketaclinic.clinical.outcomes.records import (
    ChangeDirection,
    CourseOutcome,
    CourseRecord,
    CourseState,
    OutcomeFlag,
    RelapseStatus,
    ScoredAssessment,
    SuicidalIdeationChange,
    SuicideRisk,
    SuicideRiskRating,
)

__all__ = ["assess_course", "course_row", "ideation_flags"]

_SOURCE_PARAMETERS = "outcomes_community_mcinnes2022"
_SOURCE_RAPID = "outcomes_rapid_newport2015"
_SOURCE_COMPLETION = "outcomes_elekt_d_anand2023"
_SOURCE_RELAPSE = {
    RelapseRule.LOSS_OF_RESPONSE: "outcomes_community_mcinnes2022",
    RelapseRule.SCORE_AT_OR_ABOVE: "outcomes_definitions_frank1991",
}


def assess_course(
    course: CourseRecord,
    assessments: Sequence[ScoredAssessment],
    definitions: Mapping[str, OutcomeDefinition],
    primary_instrument: str,
    *,
    as_of: datetime,
    parameters: OutcomeParameters | None = None,
    suicide_risk: Sequence[SuicideRiskRating] = (),
) -> CourseOutcome:
    """All outcomes of one course, judged by ``definitions`` (one per instrument).

    ``primary_instrument`` is the instrument response, remission and relapse are judged on;
    rapid response too. Assessments of instruments
    without a definition are ignored except for the suicidal-ideation item.
    """
    params = parameters or OutcomeParameters()
    _check_inputs(course, assessments, definitions, primary_instrument, as_of, suicide_risk)
    first_dose = course.first_dose_at
    visible = sorted((a for a in assessments if a.taken_at <= as_of), key=lambda a: a.taken_at)
    definition = definitions[primary_instrument]
    baseline = _baseline(visible, primary_instrument, first_dose, params.baseline_window)
    ended = course.induction_end_at is not None and course.induction_end_at <= as_of
    end = course.induction_end_at + params.primary_window if ended else as_of  # type: ignore[operator]
    primary_scores = [a for a in visible if a.instrument == primary_instrument]
    after_dose = [a for a in primary_scores if a.taken_at > first_dose]
    in_window = [a for a in after_dose if a.taken_at <= end]
    primary = in_window[-1] if in_window else None
    time_point = "end of induction" if ended else "latest (induction ongoing)"

    response = _response_flag(definition, baseline, primary, time_point)
    remission = _remission_flag(definition, baseline, primary, time_point)
    worsening = _worsening_flag(definition, baseline, primary, params, time_point)
    rapid = _rapid_flag(primary_scores, definition, baseline, first_dose, params)
    time_to_response = None
    if baseline is not None:
        for score in after_dose:
            if definition.responds(baseline.total, score.total):
                time_to_response = score.taken_at - first_dose
                break

    later = [a for a in after_dose if primary is not None and a.taken_at > primary.taken_at]
    relapse = _relapse(
        definition, baseline, primary, later, response, remission, course, ended, params
    )
    sustained = _sustained_flag(
        definition, baseline, primary, later, response, course, ended, params
    )
    required = course.planned_sessions or params.completion_sessions
    return CourseOutcome(
        as_of=as_of,
        primary_instrument=primary_instrument,
        baseline=baseline,
        end_of_induction=primary,
        induction_ended=ended,
        response=response,
        remission=remission,
        rapid_response=rapid,
        worsening=worsening,
        sustained_response=sustained,
        time_to_response=time_to_response,
        relapse=relapse,
        suicidal_ideation=_ideation(visible, suicide_risk, first_dose, as_of, params),
        sessions_given=course.sessions_given,
        sessions_required=required,
        completed=course.sessions_given >= required,
        completion_source="clinic plan" if course.planned_sessions else _SOURCE_COMPLETION,
        state=_state(course, ended, as_of, params),
    )


def _state(
    course: CourseRecord, ended: bool, as_of: datetime, params: OutcomeParameters
) -> CourseState:
    if ended:
        return CourseState.CLOSED
    last_dose = course.last_dose_at or course.first_dose_at
    if as_of - last_dose > params.lost_after:
        return CourseState.LOST
    return CourseState.IN_PROGRESS


def course_row(
    outcome: CourseOutcome,
    *,
    sessions_held: int = 0,
    sessions_with_adverse_event: int = 0,
    adverse_event_sessions: Mapping[AdverseEventKind, int] | None = None,
) -> CourseRow:
    """The cohort row for one assessed course, with its session counts from the chart."""
    return CourseRow(
        completed=outcome.completed,
        has_followup=outcome.end_of_induction is not None,
        state=outcome.state,
        response_evaluable=outcome.response.evaluable,
        rapid_evaluable=outcome.rapid_response.evaluable,
        relapse_eligible=outcome.relapse.eligible,
        **ideation_flags(outcome),
        responded=outcome.response.met,
        remitted=outcome.remission.met,
        rapid_response=outcome.rapid_response.met,
        worsened=outcome.worsening.met,
        relapse_at_risk=outcome.relapse.at_risk,
        relapsed=outcome.relapse.relapsed,
        relapse_days=outcome.relapse.days,
        sessions_given=outcome.sessions_given,
        sessions_held=sessions_held,
        sessions_with_adverse_event=sessions_with_adverse_event,
        adverse_event_sessions=dict(adverse_event_sessions or {}),
    )


def ideation_flags(outcome: CourseOutcome) -> dict[str, bool]:
    """Suicidal thoughts at baseline, measured again since, and fewer at the latest.

    Ideation at baseline is PHQ-9 item 9 above 0 *or* a C-SSRS screen above "no risk" before
    the first dose. A course is judged on PHQ-9 item 9 when it showed ideation there and was
    answered since (the item McInnes et al. 2022 followed), else on the C-SSRS risk level
    when that showed risk and was rated since; ``ideation_on_phq9``/``ideation_on_cssrs``
    say which. ``ideation_reduced``: the judged measure is lower at its latest reading.
    """
    change = outcome.suicidal_ideation
    on_item = change.baseline_score is not None and change.baseline_score > 0
    on_screen = change.cssrs_baseline is not None and change.cssrs_baseline > SuicideRisk.NONE
    on_phq9 = on_item and change.latest_score is not None
    on_cssrs = not on_phq9 and on_screen and change.cssrs_latest is not None
    direction = change.direction if on_phq9 else change.cssrs_direction
    followed = on_phq9 or on_cssrs
    return {
        "ideation_at_baseline": on_item or on_screen,
        "ideation_followed": followed,
        "ideation_on_phq9": on_phq9,
        "ideation_on_cssrs": on_cssrs,
        "ideation_reduced": followed and direction is ChangeDirection.IMPROVED,
    }


def _baseline(
    visible: Sequence[ScoredAssessment], instrument: str, first_dose: datetime, window: timedelta
) -> ScoredAssessment | None:
    candidates = [
        a
        for a in visible
        if a.instrument == instrument and first_dose - window <= a.taken_at < first_dose
    ]
    return candidates[-1] if candidates else None


def _flag(
    code: str,
    definition: OutcomeDefinition,
    rule: str,
    *,
    met: bool = False,
    threshold: Decimal | None = None,
    score: ScoredAssessment | None = None,
    baseline: ScoredAssessment | None = None,
    source: str | None = None,
) -> OutcomeFlag:
    return OutcomeFlag(
        code=code,
        met=met,
        evaluable=score is not None and baseline is not None,
        instrument=definition.instrument,
        rule=rule,
        threshold=threshold,
        time_point=score.taken_at if score else None,
        total=score.total if score else None,
        baseline_total=baseline.total if baseline else None,
        source=source if source is not None else definition.source,
    )


def _missing(baseline: ScoredAssessment | None) -> str:
    return "no baseline score" if baseline is None else "no score after the first dose"


def _response_flag(
    definition: OutcomeDefinition,
    baseline: ScoredAssessment | None,
    primary: ScoredAssessment | None,
    time_point: str,
) -> OutcomeFlag:
    if baseline is None or primary is None:
        return _flag("response", definition, f"not evaluable: {_missing(baseline)}")
    if not definition.can_respond(baseline.total):
        return _flag(
            "response",
            definition,
            "not evaluable: a percentage fall from a baseline of 0 is undefined",
            baseline=baseline,
        )
    return _flag(
        "response",
        definition,
        f"{definition.response_rule(baseline.total)} at {time_point}",
        met=definition.responds(baseline.total, primary.total),
        threshold=definition.response_threshold(baseline.total),
        score=primary,
        baseline=baseline,
        source=_SOURCE_COMPLETION,
    )


def _remission_flag(
    definition: OutcomeDefinition,
    baseline: ScoredAssessment | None,
    primary: ScoredAssessment | None,
    time_point: str,
) -> OutcomeFlag:
    if baseline is None or primary is None:
        return _flag("remission", definition, f"not evaluable: {_missing(baseline)}")
    if definition.remission_max_total is None:
        return _flag("remission", definition, f"not evaluable: {definition.remission_rule()}")
    return _flag(
        "remission",
        definition,
        f"{definition.remission_rule()} at {time_point}, from a baseline outside that range",
        met=definition.remits(primary.total) and not definition.remits(baseline.total),
        threshold=Decimal(definition.remission_max_total),
        score=primary,
        baseline=baseline,
    )


def _worsening_flag(
    definition: OutcomeDefinition,
    baseline: ScoredAssessment | None,
    primary: ScoredAssessment | None,
    params: OutcomeParameters,
    time_point: str,
) -> OutcomeFlag:
    if baseline is None or primary is None:
        return _flag("worsening", definition, f"not evaluable: {_missing(baseline)}")
    threshold = baseline.total + params.worsening_min_increase
    return _flag(
        "worsening",
        definition,
        f"{definition.instrument} total ≥ {threshold} (baseline {baseline.total} + "
        f"{params.worsening_min_increase}) at {time_point}",
        met=primary.total >= threshold,
        threshold=Decimal(threshold),
        score=primary,
        baseline=baseline,
        source=_SOURCE_PARAMETERS,
    )


def _rapid_flag(
    primary_scores: Sequence[ScoredAssessment],
    definition: OutcomeDefinition,
    baseline: ScoredAssessment | None,
    first_dose: datetime,
    params: OutcomeParameters,
) -> OutcomeFlag:
    hours = params.rapid_window / timedelta(hours=1)
    window = f"within {hours:g} h of the first dose"
    in_window = [
        score
        for score in primary_scores
        if first_dose < score.taken_at <= first_dose + params.rapid_window
    ]
    if baseline is None or not in_window:
        return _flag(
            "rapid_response",
            definition,
            f"not evaluable: no {definition.instrument} score {window} with a baseline",
            source=_SOURCE_RAPID,
        )
    met = [s for s in in_window if definition.responds(baseline.total, s.total)]
    score = met[0] if met else in_window[-1]
    return _flag(
        "rapid_response",
        definition,
        f"{definition.response_rule(baseline.total)} {window}",
        met=bool(met),
        threshold=definition.response_threshold(baseline.total),
        score=score,
        baseline=baseline,
        source=_SOURCE_RAPID,
    )


def _relapse(
    definition: OutcomeDefinition,
    baseline: ScoredAssessment | None,
    primary: ScoredAssessment | None,
    later: Sequence[ScoredAssessment],
    response: OutcomeFlag,
    remission: OutcomeFlag,
    course: CourseRecord,
    ended: bool,
    params: OutcomeParameters,
) -> RelapseStatus:
    rule_kind = params.relapse_rule
    source = _SOURCE_RELAPSE[rule_kind]
    if rule_kind is RelapseRule.LOSS_OF_RESPONSE:
        entered = response.met
        rule = "loss of response after a response at the end of induction"
    else:
        if definition.relapse_min_total is None:
            raise MissingItem(
                "relapse_min_total",
                f"{definition.instrument} has no relapse threshold for the remission rule",
            )
        entered = remission.met
        rule = (
            f"{definition.instrument} total ≥ {definition.relapse_min_total} after remission "
            "at the end of induction"
        )
    end = course.induction_end_at
    if not entered or not ended or end is None:
        return RelapseStatus(False, False, None, None, rule, source)
    if not later:
        return RelapseStatus(False, False, None, None, rule, source, eligible=True)
    assert baseline is not None  # entering needs a response or remission, so both exist
    assert primary is not None
    for score in later:
        if rule_kind is RelapseRule.LOSS_OF_RESPONSE:
            lost = not definition.responds(baseline.total, score.total)
        else:
            lost = score.total >= definition.relapse_min_total  # type: ignore[operator]
        if lost:
            return RelapseStatus(
                True, True, _days(score.taken_at - end), score.taken_at, rule, source, True
            )
    return RelapseStatus(
        True, False, _days(later[-1].taken_at - end), None, rule, source, eligible=True
    )


def _sustained_flag(
    definition: OutcomeDefinition,
    baseline: ScoredAssessment | None,
    primary: ScoredAssessment | None,
    later: Sequence[ScoredAssessment],
    response: OutcomeFlag,
    course: CourseRecord,
    ended: bool,
    params: OutcomeParameters,
) -> OutcomeFlag:
    weeks = params.sustained_after / timedelta(weeks=1)
    rule = f"response at end of induction and at every score up to {weeks:g} weeks after it"
    if not ended or baseline is None or primary is None:
        return _flag("sustained_response", definition, f"not evaluable: {rule}")
    follow_up_from = course.induction_end_at + params.sustained_after  # type: ignore[operator]
    checked: list[ScoredAssessment] = []
    for score in later:
        checked.append(score)
        if score.taken_at >= follow_up_from:
            break
    else:
        return _flag(
            "sustained_response",
            definition,
            f"not evaluable: no score {weeks:g} weeks after the induction ended",
            baseline=baseline,
            source=_SOURCE_PARAMETERS,
        )
    held = response.met and all(definition.responds(baseline.total, s.total) for s in checked)
    return _flag(
        "sustained_response",
        definition,
        rule,
        met=held,
        threshold=definition.response_threshold(baseline.total),
        score=checked[-1],
        baseline=baseline,
        source=_SOURCE_PARAMETERS,
    )


def _ideation(
    visible: Sequence[ScoredAssessment],
    ratings: Sequence[SuicideRiskRating],
    first_dose: datetime,
    as_of: datetime,
    params: OutcomeParameters,
) -> SuicidalIdeationChange:
    item = params.ideation_item
    with_item = [
        a for a in visible if a.instrument == params.ideation_instrument and item in a.items
    ]
    before = [
        a for a in with_item if first_dose - params.baseline_window <= a.taken_at < first_dose
    ]
    after = [a for a in with_item if a.taken_at > first_dose]
    baseline_score = before[-1].items[item] if before else None
    latest = after[-1] if after else None
    latest_score = latest.items[item] if latest else None

    seen = sorted((r for r in ratings if r.taken_at <= as_of), key=lambda r: r.taken_at)
    risk_before = [
        r for r in seen if first_dose - params.baseline_window <= r.taken_at < first_dose
    ]
    risk_after = [r for r in seen if r.taken_at > first_dose]
    cssrs_baseline = risk_before[-1].risk if risk_before else None
    cssrs_latest = risk_after[-1].risk if risk_after else None
    return SuicidalIdeationChange(
        item=item,
        baseline_score=baseline_score,
        latest_score=latest_score,
        latest_at=latest.taken_at if latest else None,
        direction=_direction(baseline_score, latest_score),
        cssrs_baseline=cssrs_baseline,
        cssrs_latest=cssrs_latest,
        cssrs_direction=_direction(cssrs_baseline, cssrs_latest),
    )


def _direction(before: int | None, after: int | None) -> ChangeDirection:
    if before is None or after is None:
        return ChangeDirection.UNKNOWN
    if after < before:
        return ChangeDirection.IMPROVED
    if after > before:
        return ChangeDirection.WORSENED
    return ChangeDirection.UNCHANGED


def _days(delta: timedelta) -> float:
    return delta / timedelta(days=1)


def _check_inputs(
    course: CourseRecord,
    assessments: Sequence[ScoredAssessment],
    definitions: Mapping[str, OutcomeDefinition],
    primary_instrument: str,
    as_of: datetime,
    ratings: Sequence[SuicideRiskRating],
) -> None:
    _check_aware("as_of", as_of)
    _check_aware("first_dose_at", course.first_dose_at)
    if course.first_dose_at > as_of:
        raise OutOfRange("first_dose_at", "is after as_of: the course has not started")
    if course.last_dose_at is not None:
        _check_aware("last_dose_at", course.last_dose_at)
        if course.last_dose_at < course.first_dose_at:
            raise OutOfRange("last_dose_at", "is before the first dose")
    if course.induction_end_at is not None:
        _check_aware("induction_end_at", course.induction_end_at)
        if course.induction_end_at < course.first_dose_at:
            raise OutOfRange("induction_end_at", "is before the first dose")
    _check_count("sessions_given", course.sessions_given, minimum=0)
    if course.planned_sessions is not None:
        _check_count("planned_sessions", course.planned_sessions, minimum=1)
    if primary_instrument not in definitions:
        raise UnknownCode("primary_instrument", f"no outcome definition for {primary_instrument!r}")
    for key, definition in definitions.items():
        if definition.instrument != key:
            raise InvalidValue(
                f"definitions[{key}]", f"is the definition of {definition.instrument!r}"
            )
    for index, assessment in enumerate(assessments):
        where = f"assessments[{index}]"
        _check_aware(f"{where}.taken_at", assessment.taken_at)
        _check_count(f"{where}.total", assessment.total, minimum=0)
        definition = definitions.get(assessment.instrument)
        if (
            definition
            and definition.max_total is not None
            and assessment.total > definition.max_total
        ):
            raise OutOfRange(
                f"{where}.total",
                f"{assessment.total} is above the {assessment.instrument} maximum "
                f"of {definition.max_total}",
            )
        for item, score in assessment.items.items():
            _check_count(f"{where}.{item}", score, minimum=0)
    for index, rating in enumerate(ratings):
        _check_aware(f"suicide_risk[{index}].taken_at", rating.taken_at)
        if not isinstance(rating.risk, SuicideRisk):
            raise UnknownCode(f"suicide_risk[{index}].risk", f"unknown level {rating.risk!r}")


def _check_aware(field_name: str, value: datetime) -> None:
    if not isinstance(value, datetime):
        raise InvalidValue(field_name, f"must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(field_name, "must be timezone-aware")


def _check_count(field_name: str, value: int, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field_name, f"must be a whole number, got {value!r}")
    if value < minimum:
        raise OutOfRange(field_name, f"must be {minimum} or more, got {value}")
