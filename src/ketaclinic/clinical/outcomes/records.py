"""The records one course's outcomes are computed from and reported in.

Inputs (``CourseRecord``, ``ScoredAssessment``, ``SuicideRiskRating``) are what the Django
layer fills from its models; outputs (``CourseOutcome`` and its ``OutcomeFlag``s) carry the
definition each outcome was judged by, so a stored result can be explained later. The rules
themselves are in ``course``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import IntEnum, StrEnum

__all__ = [
    "ChangeDirection",
    "CourseOutcome",
    "CourseRecord",
    "CourseState",
    "OutcomeFlag",
    "RelapseStatus",
    "ScoredAssessment",
    "SuicidalIdeationChange",
    "SuicideRisk",
    "SuicideRiskRating",
]


@dataclass(frozen=True, slots=True)
class ScoredAssessment:
    """One scored questionnaire or rating: total, time taken, and any item scores kept."""

    instrument: str
    total: int
    taken_at: datetime
    items: Mapping[str, int] = field(default_factory=dict)


class SuicideRisk(IntEnum):
    """The C-SSRS screener's triage level, ordered so that higher is worse."""

    NONE = 0
    LOW = 1
    MODERATE = 2
    HIGH = 3


@dataclass(frozen=True, slots=True)
class SuicideRiskRating:
    """A C-SSRS screen result at a time."""

    risk: SuicideRisk
    taken_at: datetime


class CourseState(StrEnum):
    """Where a course stands as of a time, which decides the denominator it belongs to.

    ``CLOSED``: the induction ended (its last session was given, or the course was completed
    or stopped). ``LOST``: not closed, but no dose for ``OutcomeParameters.lost_after`` — a
    drop-out nobody closed. ``IN_PROGRESS``: neither; its outcome is not known yet, so it is
    shown apart and counted in no rate of patients.
    """

    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class CourseRecord:
    """The course as the outcome rules need it.

    ``induction_end_at`` is the time of the induction series' last session, ``None`` while
    it runs; ``planned_sessions`` the plan's count, ``None`` to use the clinic default;
    ``last_dose_at`` the latest dose given (``None``: the first dose is the latest).
    """

    first_dose_at: datetime
    sessions_given: int
    induction_end_at: datetime | None = None
    planned_sessions: int | None = None
    last_dose_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutcomeFlag:
    """A yes/no outcome with the definition it was judged by.

    ``evaluable`` is False when the scores needed are missing (no baseline, no follow-up);
    ``met`` is then False, which is how intent to treat counts missing data.
    ``threshold`` is the total the rule compares against, described in ``rule``.
    """

    code: str
    met: bool
    evaluable: bool
    instrument: str
    rule: str
    threshold: Decimal | None
    time_point: datetime | None
    total: int | None
    baseline_total: int | None
    source: str


class ChangeDirection(StrEnum):
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSENED = "worsened"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SuicidalIdeationChange:
    """PHQ-9 item 9 and C-SSRS risk before the first dose vs the latest since."""

    item: str
    baseline_score: int | None
    latest_score: int | None
    latest_at: datetime | None
    direction: ChangeDirection
    cssrs_baseline: SuicideRisk | None
    cssrs_latest: SuicideRisk | None
    cssrs_direction: ChangeDirection


@dataclass(frozen=True, slots=True)
class RelapseStatus:
    """Whether the course entered the durability analysis, and what happened there.

    ``eligible``: the induction ended with a response (or remission, under the remission
    rule). ``at_risk``: eligible *and* at least one score after the end-of-induction score,
    so that staying well was observed at all; only those enter the Kaplan–Meier curve.
    """

    at_risk: bool
    relapsed: bool
    days: float | None
    relapsed_at: datetime | None
    rule: str
    source: str
    eligible: bool = False


@dataclass(frozen=True, slots=True)
class CourseOutcome:
    """Every outcome of one course as of ``as_of``."""

    as_of: datetime
    primary_instrument: str
    baseline: ScoredAssessment | None
    end_of_induction: ScoredAssessment | None
    induction_ended: bool
    response: OutcomeFlag
    remission: OutcomeFlag
    rapid_response: OutcomeFlag
    worsening: OutcomeFlag
    sustained_response: OutcomeFlag
    time_to_response: timedelta | None
    relapse: RelapseStatus
    suicidal_ideation: SuicidalIdeationChange
    sessions_given: int
    sessions_required: int
    completed: bool
    completion_source: str
    state: CourseState = CourseState.CLOSED
