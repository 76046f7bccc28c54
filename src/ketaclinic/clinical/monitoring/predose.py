"""Pre-dose checks on the day: may this session's dose go ahead now?

Three outcomes: ``proceed``; ``proceed_with_caution`` (the nurse goes ahead and the reasons
are charted); ``hold`` (no dose until the reason is resolved or a prescriber decides).
Every reason found is reported, not just the first.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from ketaclinic.clinical.eligibility.fields import FieldReader
from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.monitoring.parameters import MonitoringParameters

__all__ = ["PreDoseDecision", "PreDoseInput", "PreDoseReason", "PreDoseResult", "pre_dose_check"]

_FIELDS = frozenset(
    {
        "bp_systolic",
        "bp_diastolic",
        "heart_rate",
        "spo2",
        "questionnaires_done",
        "last_food_minutes_ago",
        "last_liquid_minutes_ago",
        "escort_present",
    }
)
_DAY_MINUTES = 7 * 24 * 60


class PreDoseDecision(enum.StrEnum):
    PROCEED = "proceed"
    PROCEED_WITH_CAUTION = "proceed_with_caution"
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class PreDoseInput:
    """What the nurse checks before dosing; minutes since food and since liquids."""

    bp_systolic: int
    bp_diastolic: int
    heart_rate: int
    spo2: int
    questionnaires_done: bool
    last_food_minutes_ago: int
    last_liquid_minutes_ago: int
    escort_present: bool

    @classmethod
    def from_dict(cls, data: Any) -> PreDoseInput:
        reader = FieldReader(data, allowed=_FIELDS)
        systolic = reader.integer("bp_systolic", low=50, high=300)
        diastolic = reader.integer("bp_diastolic", low=20, high=200)
        if diastolic >= systolic:
            raise InvalidValue("bp_diastolic", "must be lower than bp_systolic")
        return cls(
            bp_systolic=systolic,
            bp_diastolic=diastolic,
            heart_rate=reader.integer("heart_rate", low=20, high=250),
            spo2=reader.integer("spo2", low=50, high=100),
            questionnaires_done=reader.boolean("questionnaires_done"),
            last_food_minutes_ago=reader.integer("last_food_minutes_ago", low=0, high=_DAY_MINUTES),
            last_liquid_minutes_ago=reader.integer(
                "last_liquid_minutes_ago", low=0, high=_DAY_MINUTES
            ),
            escort_present=reader.boolean("escort_present"),
        )


@dataclass(frozen=True, slots=True)
class PreDoseReason:
    code: str
    decision: PreDoseDecision
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class PreDoseResult:
    decision: PreDoseDecision
    reasons: tuple[PreDoseReason, ...]


_HOLD = PreDoseDecision.HOLD
_CAUTION = PreDoseDecision.PROCEED_WITH_CAUTION


def _reasons(check: PreDoseInput, p: MonitoringParameters) -> list[PreDoseReason]:
    reasons: list[PreDoseReason] = []
    bp = f"{check.bp_systolic}/{check.bp_diastolic} mmHg"
    if check.bp_systolic > p.predose_hold_systolic or check.bp_diastolic > p.predose_hold_diastolic:
        reasons.append(
            PreDoseReason(
                "bp_above_hold",
                _HOLD,
                f"BP {bp} is above {p.predose_hold_systolic}/{p.predose_hold_diastolic}: rest "
                "10 minutes and re-measure; do not dose while above (Swiss ketamine label).",
                "screen.swiss-ketamine-label",
            )
        )
    elif (
        check.bp_systolic > p.predose_caution_systolic
        or check.bp_diastolic > p.predose_caution_diastolic
    ):
        reasons.append(
            PreDoseReason(
                "bp_above_caution",
                _CAUTION,
                f"BP {bp} is above {p.predose_caution_systolic}/{p.predose_caution_diastolic}: "
                "expect a further rise peaking around 40 minutes; monitor closely.",
                "screen.spravato-label",
            )
        )
    if check.heart_rate > p.predose_hold_heart_rate:
        reasons.append(
            PreDoseReason(
                "heart_rate_above_hold",
                _HOLD,
                f"Heart rate {check.heart_rate}/min is above {p.predose_hold_heart_rate}: "
                "find the cause before dosing (default unverified).",
                "screen.sanacora-2017",
            )
        )
    elif check.heart_rate > p.predose_caution_heart_rate:
        reasons.append(
            PreDoseReason(
                "heart_rate_above_caution",
                _CAUTION,
                f"Heart rate {check.heart_rate}/min is above {p.predose_caution_heart_rate}: "
                "ketamine raises it further; monitor closely (default unverified).",
                "screen.sanacora-2017",
            )
        )
    if check.spo2 < p.predose_min_spo2:
        reasons.append(
            PreDoseReason(
                "spo2_low",
                _HOLD,
                f"SpO2 {check.spo2}% is below {p.predose_min_spo2}% on room air: do not "
                "sedate until assessed.",
                "monitor.aldrete-1995",
            )
        )
    if not check.questionnaires_done:
        reasons.append(
            PreDoseReason(
                "questionnaires_missing",
                _HOLD if p.questionnaires_missing_holds else _CAUTION,
                "Pre-session questionnaires are not done: they include the suicide-risk item "
                "and the measurement that shows whether treatment works.",
                "screen.askp3-2020",
            )
        )
    if check.last_food_minutes_ago < p.fasting_food_minutes:
        reasons.append(
            PreDoseReason(
                "not_fasted_food",
                _CAUTION,
                f"Ate {check.last_food_minutes_ago} minutes ago (label: no food for "
                f"{p.fasting_food_minutes} minutes): higher risk of nausea and vomiting.",
                "screen.spravato-label",
            )
        )
    if check.last_liquid_minutes_ago < p.fasting_liquid_minutes:
        reasons.append(
            PreDoseReason(
                "not_fasted_liquid",
                _CAUTION,
                f"Drank {check.last_liquid_minutes_ago} minutes ago (label: no liquids for "
                f"{p.fasting_liquid_minutes} minutes).",
                "screen.spravato-label",
            )
        )
    if not check.escort_present:
        reasons.append(
            PreDoseReason(
                "escort_absent",
                _HOLD,
                "No escort to take the patient home: patients must not drive until the next "
                "day after a restful sleep (esketamine label).",
                "screen.spravato-label",
            )
        )
    return reasons


_DEFAULT = MonitoringParameters()


def pre_dose_check(
    check: PreDoseInput, parameters: MonitoringParameters = _DEFAULT
) -> PreDoseResult:
    """Hold if any reason holds; proceed with caution if any cautions; otherwise proceed."""
    reasons = _reasons(check, parameters)
    decisions = {reason.decision for reason in reasons}
    if _HOLD in decisions:
        decision = _HOLD
    elif _CAUTION in decisions:
        decision = _CAUTION
    else:
        decision = PreDoseDecision.PROCEED
    return PreDoseResult(decision=decision, reasons=tuple(reasons))
