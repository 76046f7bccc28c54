"""Cohort rates from one small pre-aggregated row per course, with honest denominators.

The dashboard must stay fast at 100,000 patients, so nothing here sees an assessment: the
database (or ``course.course_row``) reduces each course to a ``CourseRow`` of booleans,
counts and one duration, and ``summarize_cohort`` makes a single pass over those rows.

Denominators, always two side by side:

* **Intent to treat** — everyone who started a course (had a first dose). Missing follow-up
  counts as *not* responding, *not* remitting. For worsening, a harm, the same rule makes
  the ITT figure a floor; read it beside the completers figure and the loss to follow-up.
* **Completers** — courses that completed the induction series *and* have an end-of-
  induction score (observed completers). This is the flattering figure programs usually
  publish (Hull et al. 2022's 62.8% is of this kind, ``outcomes_at_home_hull2022``); it is
  never shown alone.

Loss to follow-up (started, no end-of-induction score) is counted and shown. Rates per
session (holds, adverse events) divide by sessions given; their Wilson interval treats
sessions as independent, which sessions of one patient are not, so it is somewhat too
narrow for a patient who contributes many sessions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange, UnknownCode
from ketaclinic.clinical.outcomes.intervals import DEFAULT_CONFIDENCE, Proportion, wilson_interval
from ketaclinic.clinical.outcomes.survival import KaplanMeierCurve, kaplan_meier

__all__ = [
    "AdverseEventKind",
    "CohortSummary",
    "CourseRow",
    "TwoDenominators",
    "summarize_cohort",
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
    ``sessions_with_adverse_event`` the sessions with any.
    """

    completed: bool
    has_followup: bool
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
    """Everything the outcomes page shows for one filtered cohort."""

    started: int
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


def summarize_cohort(
    rows: Iterable[CourseRow], confidence: float = DEFAULT_CONFIDENCE
) -> CohortSummary:
    """Rates with Wilson intervals, two denominators, and the durability curve, in one pass."""
    started = completed = completers = followed = 0
    itt = {"response": 0, "remission": 0, "rapid": 0, "worsening": 0}
    done = dict.fromkeys(itt, 0)
    durations: list[float] = []
    relapse_events: list[bool] = []
    sessions = held = any_event = 0
    by_kind = dict.fromkeys(AdverseEventKind, 0)

    for index, row in enumerate(rows):
        _check_row(index, row)
        started += 1
        completer = row.completed and row.has_followup
        completed += row.completed
        completers += completer
        followed += row.has_followup
        for key, met in (
            ("response", row.responded),
            ("remission", row.remitted),
            ("rapid", row.rapid_response),
            ("worsening", row.worsened),
        ):
            itt[key] += met
            done[key] += met and completer
        if row.relapse_at_risk:
            durations.append(float(row.relapse_days))  # type: ignore[arg-type]
            relapse_events.append(row.relapsed)
        sessions += row.sessions_given
        held += row.sessions_held
        any_event += row.sessions_with_adverse_event
        for kind, count in row.adverse_event_sessions.items():
            by_kind[kind] += count

    def pair(key: str) -> TwoDenominators:
        return TwoDenominators(
            wilson_interval(itt[key], started, confidence),
            wilson_interval(done[key], completers, confidence),
        )

    return CohortSummary(
        started=started,
        completed=completed,
        completers_with_followup=completers,
        lost_to_follow_up=wilson_interval(started - followed, started, confidence),
        completion=wilson_interval(completed, started, confidence),
        response=pair("response"),
        remission=pair("remission"),
        rapid_response=pair("rapid"),
        worsening=pair("worsening"),
        relapse_at_risk=len(durations),
        relapsed=sum(relapse_events),
        durability=kaplan_meier(durations, relapse_events, confidence),
        sessions=sessions,
        holds=wilson_interval(held, sessions, confidence),
        adverse_events=wilson_interval(any_event, sessions, confidence),
        adverse_events_by_kind={
            kind: wilson_interval(count, sessions, confidence) for kind, count in by_kind.items()
        },
    )


def _check_row(index: int, row: CourseRow) -> None:
    where = f"rows[{index}]"
    if not row.has_followup:
        for name in ("responded", "remitted", "worsened"):
            if getattr(row, name):
                raise InvalidValue(f"{where}.{name}", "cannot be true without follow-up")
    if row.relapsed and not row.relapse_at_risk:
        raise InvalidValue(f"{where}.relapsed", "a relapse needs relapse_at_risk")
    if row.relapse_at_risk:
        days = row.relapse_days
        if days is None or isinstance(days, bool) or not isinstance(days, int | float):
            raise InvalidValue(f"{where}.relapse_days", "is required when relapse_at_risk")
        if days < 0:
            raise OutOfRange(f"{where}.relapse_days", f"must be 0 or more, got {days}")
    counts = {
        "sessions_given": row.sessions_given,
        "sessions_held": row.sessions_held,
        "sessions_with_adverse_event": row.sessions_with_adverse_event,
    }
    for kind, count in row.adverse_event_sessions.items():
        if kind not in AdverseEventKind.__members__.values():
            raise UnknownCode(f"{where}.adverse_event_sessions", f"unknown kind {kind!r}")
        counts[f"adverse_event_sessions[{kind}]"] = count
    for name, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int):
            raise InvalidValue(f"{where}.{name}", f"must be a whole number, got {count!r}")
        if count < 0:
            raise OutOfRange(f"{where}.{name}", f"must be 0 or more, got {count}")
        if name != "sessions_given" and count > row.sessions_given:
            raise OutOfRange(
                f"{where}.{name}", f"{count} exceeds the {row.sessions_given} sessions given"
            )
