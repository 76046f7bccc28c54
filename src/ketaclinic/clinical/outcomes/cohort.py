"""Cohort rates from one small pre-aggregated row per course, with honest denominators.

The dashboard must stay fast at 100,000 patients, so nothing here sees an assessment: the
database (or ``course.course_row``) reduces each course to a ``CourseRow`` of booleans,
counts and one duration, and ``summarize_cohort`` makes a single pass over those rows.

Each course is *in progress*, *closed* or *lost* (``records.CourseState``). A course still
in its induction has no outcome yet: judging it on its latest score so far would count
half-treated patients as failures or early successes. So every rate of patients is over
courses that are **no longer in progress** (closed or lost); in-progress courses are counted
apart, with the share responding so far shown for information only.

Denominators, always two side by side:

* **Intent to treat** — every closed or lost course (started, first dose given, and no
  longer in progress). Missing follow-up counts as *not* responding, *not* remitting; a
  lost course is a drop-out and counts the same way. For worsening, a harm, the same rule
  makes the ITT figure a floor; read it beside the completers figure and the loss to
  follow-up.
* **Completers** — closed courses that completed the induction series *and* have an end-
  of-induction score (observed completers). This is the flattering figure programs usually
  publish (Hull et al. 2022's 62.8% is of this kind, ``outcomes_at_home_hull2022``); it is
  never shown alone.

Loss to follow-up (no end-of-induction score) is counted and shown. Each claim also needs
its **coverage**: how many courses had the measurement it needs (a response needs a
baseline and an end score; a rapid response a primary score within 24 h of the first dose;
durability a score after the induction).

Rates per session (holds, adverse events) divide by **sessions attended** — sessions the
patient was checked in for, dosed or held — in every course whatever its state, since an
adverse event is a fact about a session. The Wilson interval treats sessions as
independent, which sessions of one patient are not, so it is somewhat too narrow for a
patient who contributes many sessions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange, UnknownCode
from ketaclinic.clinical.outcomes.intervals import DEFAULT_CONFIDENCE, Proportion, wilson_interval
from ketaclinic.clinical.outcomes.records import CourseState
from ketaclinic.clinical.outcomes.survival import KaplanMeierCurve, kaplan_meier_from_table

__all__ = [
    "AdverseEventKind",
    "CohortCounts",
    "CohortSummary",
    "CourseRow",
    "TwoDenominators",
    "count_rows",
    "summarize_cohort",
    "summarize_counts",
]


class AdverseEventKind(StrEnum):
    """The adverse events the outcomes page counts per session (issue 7's list)."""

    HYPERTENSION = "hypertension"
    NAUSEA_VOMITING = "nausea_vomiting"
    DISSOCIATION = "dissociation"
    SEDATION = "sedation"
    EMERGENCE_REACTION = "emergence_reaction"


@dataclass(frozen=True, slots=True)
class CourseRow:
    """One course, reduced to what the cohort statistics need.

    ``has_followup``: an end-of-induction score exists. ``responded``, ``remitted`` and
    ``worsened`` can only be true with follow-up. ``relapse_at_risk``: the course entered
    the durability analysis (responded, or remitted under the remission rule, and the
    induction has ended); then ``relapse_days`` is the time from the end of induction to
    relapse (``relapsed``) or to the last assessment (censored).
    ``adverse_event_sessions`` counts, per kind, the sessions with at least one such event;
    ``sessions_with_adverse_event`` the sessions with any; ``sessions_given`` is the
    sessions attended (the per-session denominator).
    ``response_evaluable``: a baseline and an end score exist; ``rapid_evaluable``: a
    baseline and a primary score within the rapid window exist; ``relapse_eligible``: the
    course entered the durability analysis, whether or not it was scored after induction.
    ``ideation_at_baseline``: PHQ-9 item 9 above 0 or a C-SSRS screen above no risk before the
    first dose; ``ideation_followed``: and measured again since, on item 9
    (``ideation_on_phq9``) or else on the C-SSRS (``ideation_on_cssrs``);
    ``ideation_reduced``: and lower at the latest reading.
    """

    completed: bool
    has_followup: bool
    state: CourseState = CourseState.CLOSED
    ideation_at_baseline: bool = False
    ideation_followed: bool = False
    ideation_reduced: bool = False
    ideation_on_phq9: bool = False
    ideation_on_cssrs: bool = False
    response_evaluable: bool = False
    rapid_evaluable: bool = False
    relapse_eligible: bool = False
    responded: bool = False
    remitted: bool = False
    rapid_response: bool = False
    worsened: bool = False
    relapse_at_risk: bool = False
    relapsed: bool = False
    relapse_days: float | None = None
    sessions_given: int = 0
    sessions_held: int = 0
    sessions_with_adverse_event: int = 0
    adverse_event_sessions: Mapping[AdverseEventKind, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TwoDenominators:
    """The same outcome over everyone who started and over observed completers."""

    intent_to_treat: Proportion
    completers: Proportion


@dataclass(frozen=True, slots=True)
class CohortSummary:
    """Everything the outcomes page shows for one filtered cohort.

    ``started`` is every course with a first dose; ``intent_to_treat`` those no longer in
    progress (closed or lost), the denominator of every rate of patients.
    """

    started: int
    intent_to_treat: int
    in_progress: int
    lost: int
    in_progress_responding: Proportion
    response_measured: int
    rapid_measured: int
    rapid_among_measured: Proportion
    relapse_eligible: int
    ideation_at_baseline: int
    ideation_followed: int
    ideation_reduced: Proportion
    ideation_on_phq9: int
    ideation_on_cssrs: int
    completed: int
    completers_with_followup: int
    lost_to_follow_up: Proportion
    completion: Proportion
    response: TwoDenominators
    remission: TwoDenominators
    rapid_response: TwoDenominators
    worsening: TwoDenominators
    relapse_at_risk: int
    relapsed: int
    durability: KaplanMeierCurve
    sessions: int
    holds: Proportion
    adverse_events: Proportion
    adverse_events_by_kind: Mapping[AdverseEventKind, Proportion]


@dataclass(frozen=True, slots=True)
class CohortCounts:
    """The cohort as a handful of counts: what one SQL aggregate query returns.

    ``started`` counts every course with a first dose, ``in_progress`` and ``lost`` those in
    that state. Every other count of courses is over the courses *not* in progress:
    ``*_itt`` over all of them; ``*_completers`` over ``completers`` (completed *and* scored
    at the end); ``response_measured``/``rapid_measured`` those whose response/rapid
    response could be judged; ``rapid_measured_met`` the rapid responders among them;
    ``relapse_eligible`` the courses that entered the durability analysis.
    ``in_progress_responding`` counts in-progress courses responding so far.
    ``relapse_table`` is the life table of the courses at risk of relapse, one
    ``(days, relapses, censored)`` row per distinct time (a ``GROUP BY``).
    ``summarize_counts`` checks that the counts fit together.
    """

    started: int
    completed: int
    completers: int
    followed_up: int
    in_progress: int = 0
    lost: int = 0
    in_progress_responding: int = 0
    response_measured: int = 0
    rapid_measured: int = 0
    relapse_eligible: int = 0
    ideation_at_baseline: int = 0
    ideation_followed: int = 0
    ideation_reduced: int = 0
    ideation_on_phq9: int = 0
    ideation_on_cssrs: int = 0
    response_itt: int = 0
    response_completers: int = 0
    remission_itt: int = 0
    remission_completers: int = 0
    rapid_itt: int = 0
    rapid_completers: int = 0
    worsening_itt: int = 0
    worsening_completers: int = 0
    sessions: int = 0
    sessions_held: int = 0
    sessions_with_adverse_event: int = 0
    adverse_event_sessions: Mapping[AdverseEventKind, int] = field(default_factory=dict)
    relapse_table: tuple[tuple[float, int, int], ...] = ()


def summarize_cohort(
    rows: Iterable[CourseRow], confidence: float = DEFAULT_CONFIDENCE
) -> CohortSummary:
    """Rates with Wilson intervals, two denominators, and the durability curve, in one pass.

    For the dashboard at scale prefer ``summarize_counts`` with counts aggregated by the
    database; this row-wise path is the reference it must agree with.
    """
    return summarize_counts(count_rows(rows), confidence)


def count_rows(rows: Iterable[CourseRow]) -> CohortCounts:
    """Reduce per-course rows to ``CohortCounts``, checking each row's consistency."""
    started = completed = completers = followed = 0
    in_progress = lost = in_progress_responding = 0
    response_measured = rapid_measured = relapse_eligible = 0
    ideation = [0, 0, 0, 0, 0]
    itt = [0, 0, 0, 0]
    done = [0, 0, 0, 0]
    relapses: Counter[float] = Counter()
    censorings: Counter[float] = Counter()
    sessions = held = any_event = 0
    by_kind: Counter[AdverseEventKind] = Counter()

    for index, row in enumerate(rows):
        _check_row(index, row)
        started += 1
        sessions += row.sessions_given
        held += row.sessions_held
        any_event += row.sessions_with_adverse_event
        if row.adverse_event_sessions:
            by_kind.update(row.adverse_event_sessions)
        if row.state is CourseState.IN_PROGRESS:
            in_progress += 1
            in_progress_responding += row.responded
            continue
        lost += row.state is CourseState.LOST
        completer = row.completed and row.has_followup and row.state is CourseState.CLOSED
        completed += row.completed
        completers += completer
        followed += row.has_followup
        response_measured += row.response_evaluable
        rapid_measured += row.rapid_evaluable
        relapse_eligible += row.relapse_eligible
        ideation[0] += row.ideation_at_baseline
        ideation[1] += row.ideation_followed
        ideation[2] += row.ideation_reduced
        ideation[3] += row.ideation_on_phq9
        ideation[4] += row.ideation_on_cssrs
        flags = (row.responded, row.remitted, row.rapid_response, row.worsened)
        for position, met in enumerate(flags):
            if met:
                itt[position] += 1
                done[position] += completer
        if row.relapse_at_risk:
            (relapses if row.relapsed else censorings)[float(row.relapse_days)] += 1  # type: ignore[arg-type]

    return CohortCounts(
        started=started,
        completed=completed,
        completers=completers,
        followed_up=followed,
        in_progress=in_progress,
        lost=lost,
        in_progress_responding=in_progress_responding,
        response_measured=response_measured,
        rapid_measured=rapid_measured,
        relapse_eligible=relapse_eligible,
        ideation_at_baseline=ideation[0],
        ideation_followed=ideation[1],
        ideation_reduced=ideation[2],
        ideation_on_phq9=ideation[3],
        ideation_on_cssrs=ideation[4],
        response_itt=itt[0],
        response_completers=done[0],
        remission_itt=itt[1],
        remission_completers=done[1],
        rapid_itt=itt[2],
        rapid_completers=done[2],
        worsening_itt=itt[3],
        worsening_completers=done[3],
        sessions=sessions,
        sessions_held=held,
        sessions_with_adverse_event=any_event,
        adverse_event_sessions={AdverseEventKind(kind): n for kind, n in by_kind.items()},
        relapse_table=tuple(
            (time, relapses[time], censorings[time])
            for time in sorted(relapses.keys() | censorings.keys())
        ),
    )


def summarize_counts(counts: CohortCounts, confidence: float = DEFAULT_CONFIDENCE) -> CohortSummary:
    """The outcomes page's figures from aggregated counts: constant time in the cohort size."""
    _check_counts(counts)
    started, completers = counts.started - counts.in_progress, counts.completers

    def pair(itt: int, done: int) -> TwoDenominators:
        return TwoDenominators(
            wilson_interval(itt, started, confidence),
            wilson_interval(done, completers, confidence),
        )

    durability = kaplan_meier_from_table(counts.relapse_table, confidence)
    return CohortSummary(
        started=counts.started,
        intent_to_treat=started,
        in_progress=counts.in_progress,
        lost=counts.lost,
        in_progress_responding=wilson_interval(
            counts.in_progress_responding, counts.in_progress, confidence
        ),
        response_measured=counts.response_measured,
        rapid_measured=counts.rapid_measured,
        rapid_among_measured=wilson_interval(counts.rapid_itt, counts.rapid_measured, confidence),
        relapse_eligible=counts.relapse_eligible,
        ideation_at_baseline=counts.ideation_at_baseline,
        ideation_followed=counts.ideation_followed,
        ideation_reduced=wilson_interval(
            counts.ideation_reduced, counts.ideation_at_baseline, confidence
        ),
        ideation_on_phq9=counts.ideation_on_phq9,
        ideation_on_cssrs=counts.ideation_on_cssrs,
        completed=counts.completed,
        completers_with_followup=completers,
        lost_to_follow_up=wilson_interval(started - counts.followed_up, started, confidence),
        completion=wilson_interval(counts.completed, started, confidence),
        response=pair(counts.response_itt, counts.response_completers),
        remission=pair(counts.remission_itt, counts.remission_completers),
        rapid_response=pair(counts.rapid_itt, counts.rapid_completers),
        worsening=pair(counts.worsening_itt, counts.worsening_completers),
        relapse_at_risk=sum(died + left for _, died, left in counts.relapse_table),
        relapsed=sum(died for _, died, _ in counts.relapse_table),
        durability=durability,
        sessions=counts.sessions,
        holds=wilson_interval(counts.sessions_held, counts.sessions, confidence),
        adverse_events=wilson_interval(
            counts.sessions_with_adverse_event, counts.sessions, confidence
        ),
        adverse_events_by_kind={
            kind: wilson_interval(
                counts.adverse_event_sessions.get(kind, 0), counts.sessions, confidence
            )
            for kind in AdverseEventKind
        },
    )


def _check_counts(counts: CohortCounts) -> None:
    """Every count a whole number, every subset no larger than its set; fields named."""
    for name in (f.name for f in fields(CohortCounts)):
        value = getattr(counts, name)
        if name in ("adverse_event_sessions", "relapse_table"):
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidValue(name, f"must be a whole number, got {value!r}")
        if value < 0:
            raise OutOfRange(name, f"must be 0 or more, got {value}")
    limits = {
        "in_progress": "started",
        "lost": "started",
        "in_progress_responding": "in_progress",
        "completed": "intent_to_treat",
        "completers": "completed",
        "followed_up": "intent_to_treat",
        "response_measured": "followed_up",
        "rapid_measured": "intent_to_treat",
        "relapse_eligible": "intent_to_treat",
        "ideation_at_baseline": "intent_to_treat",
        "ideation_followed": "ideation_at_baseline",
        "ideation_reduced": "ideation_followed",
        "ideation_on_phq9": "ideation_followed",
        "ideation_on_cssrs": "ideation_followed",
        "response_itt": "intent_to_treat",
        "remission_itt": "intent_to_treat",
        "rapid_itt": "rapid_measured",
        "worsening_itt": "intent_to_treat",
        "response_completers": "completers",
        "remission_completers": "completers",
        "rapid_completers": "completers",
        "worsening_completers": "completers",
        "sessions_held": "sessions",
        "sessions_with_adverse_event": "sessions",
    }
    available = {"intent_to_treat": counts.started - counts.in_progress}
    for name, limit in limits.items():
        bound = available[limit] if limit in available else getattr(counts, limit)
        if getattr(counts, name) > bound:
            raise OutOfRange(name, f"{getattr(counts, name)} exceeds {limit} ({bound})")
    if counts.lost > counts.started - counts.in_progress:
        raise OutOfRange("lost", "exceeds the courses not in progress")
    if counts.completers > counts.followed_up:
        raise OutOfRange("completers", "exceeds followed_up: completers must have follow-up")
    for kind, count in counts.adverse_event_sessions.items():
        if kind not in _KINDS:
            raise UnknownCode("adverse_event_sessions", f"unknown kind {kind!r}")
        field_name = f"adverse_event_sessions[{kind}]"
        if isinstance(count, bool) or not isinstance(count, int):
            raise InvalidValue(field_name, f"must be a whole number, got {count!r}")
        if not 0 <= count <= counts.sessions:
            raise OutOfRange(
                field_name, f"{count} is not between 0 and sessions ({counts.sessions})"
            )


_KINDS = frozenset(AdverseEventKind)


def _check_row(index: int, row: CourseRow) -> None:
    if not row.has_followup and (row.responded or row.remitted or row.worsened):
        name = next(n for n in ("responded", "remitted", "worsened") if getattr(row, n))
        raise InvalidValue(f"rows[{index}].{name}", "cannot be true without follow-up")
    if row.rapid_response and not row.rapid_evaluable:
        raise InvalidValue(f"rows[{index}].rapid_response", "cannot be true unless rapid_evaluable")
    if row.response_evaluable and not row.has_followup:
        raise InvalidValue(f"rows[{index}].response_evaluable", "needs follow-up")
    if row.ideation_reduced and not row.ideation_followed:
        raise InvalidValue(f"rows[{index}].ideation_reduced", "needs ideation_followed")
    if row.ideation_followed and not row.ideation_at_baseline:
        raise InvalidValue(f"rows[{index}].ideation_followed", "needs ideation_at_baseline")
    if row.ideation_followed != (row.ideation_on_phq9 or row.ideation_on_cssrs) or (
        row.ideation_on_phq9 and row.ideation_on_cssrs
    ):
        raise InvalidValue(
            f"rows[{index}].ideation_followed",
            "a followed course is judged on exactly one of PHQ-9 item 9 or the C-SSRS",
        )
    if row.relapse_at_risk and not row.relapse_eligible:
        raise InvalidValue(f"rows[{index}].relapse_at_risk", "needs relapse_eligible")
    if not isinstance(row.state, CourseState):
        raise UnknownCode(f"rows[{index}].state", f"unknown state {row.state!r}")
    if row.relapsed and not row.relapse_at_risk:
        raise InvalidValue(f"rows[{index}].relapsed", "a relapse needs relapse_at_risk")
    if row.relapse_at_risk:
        days = row.relapse_days
        if days is None or isinstance(days, bool) or not isinstance(days, int | float):
            raise InvalidValue(f"rows[{index}].relapse_days", "is required when relapse_at_risk")
        if not days >= 0:
            raise OutOfRange(f"rows[{index}].relapse_days", f"must be 0 or more, got {days}")
    given = row.sessions_given
    for name, count in (
        ("sessions_given", given),
        ("sessions_held", row.sessions_held),
        ("sessions_with_adverse_event", row.sessions_with_adverse_event),
        *((f"adverse_event_sessions[{k}]", c) for k, c in row.adverse_event_sessions.items()),
    ):
        if type(count) is not int:
            raise InvalidValue(f"rows[{index}].{name}", f"must be a whole number, got {count!r}")
        if not 0 <= count <= (given if name != "sessions_given" else count):
            raise OutOfRange(f"rows[{index}].{name}", f"{count} is not between 0 and {given}")
    for kind in row.adverse_event_sessions:
        if kind not in _KINDS:
            raise UnknownCode(f"rows[{index}].adverse_event_sessions", f"unknown kind {kind!r}")
