"""Vital-sign rules during a session: what the nurse does next, and whether to call.

Rules over the readings so far (any order; sorted by minute here):

- BP above the emergency pair (default 200/120) once -> stop, call the prescriber.
- BP above the urgent pair (default 180/110) on two readings at least ``confirm_minutes``
  (5) apart -> pause, call the prescriber. "Two readings" means any two such readings, even
  with a lower one between them: a spike that comes back is still a pattern. One such
  reading with no later BP yet -> recheck within ``confirm_minutes``.
- Heart rate above ``heart_rate_max`` (120) sustained, defined exactly like the BP rule:
  two readings at least ``confirm_minutes`` apart -> pause, call; one -> recheck.
- SpO2 below ``spo2_min`` (92 %) on any reading -> pause, support the airway, call.
- MOAA/S at or below ``moaas_pause_max`` (1) -> pause, call; at or below
  ``moaas_adverse_event_max`` (0, no response to pain) -> stop, call, record an adverse event.

Alerts are never cleared automatically (except a recheck that has been done): once a rule
has fired, a prescriber decides whether dosing resumes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.clinical.monitoring.parameters import MonitoringParameters
from ketaclinic.clinical.monitoring.vitals import VitalReading

__all__ = ["InSessionAction", "VitalAlert", "VitalsAssessment", "assess_vitals"]


class InSessionAction(enum.StrEnum):
    """What to do with the dose, least to most severe."""

    CONTINUE = "continue"
    RECHECK = "recheck"
    PAUSE = "pause"
    STOP = "stop"

    @property
    def rank(self) -> int:
        return list(InSessionAction).index(self)


@dataclass(frozen=True, slots=True)
class VitalAlert:
    code: str
    action: InSessionAction
    call_prescriber: bool
    adverse_event: bool
    minute: Decimal
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class VitalsAssessment:
    action: InSessionAction
    call_prescriber: bool
    adverse_event: bool
    alerts: tuple[VitalAlert, ...]


def _sustained(
    readings: list[VitalReading], above: Callable[[VitalReading], bool], minutes: int
) -> tuple[VitalReading, VitalReading] | None:
    """The earliest pair of above-line readings at least ``minutes`` apart, if any."""
    flagged = [reading for reading in readings if above(reading)]
    for later in flagged:
        for earlier in flagged:
            if later.minute - earlier.minute >= minutes:
                return earlier, later
    return None


def _pending_recheck(
    readings: list[VitalReading],
    measured: Callable[[VitalReading], bool],
    above: Callable[[VitalReading], bool],
) -> VitalReading | None:
    """The latest measured reading if it is above the line (so a recheck is due)."""
    latest = [reading for reading in readings if measured(reading)]
    if latest and above(latest[-1]):
        return latest[-1]
    return None


def _bp_alerts(readings: list[VitalReading], p: MonitoringParameters) -> list[VitalAlert]:
    alerts: list[VitalAlert] = []
    for reading in readings:
        if reading.bp_above(p.bp_emergency_systolic, p.bp_emergency_diastolic):
            alerts.append(
                VitalAlert(
                    "bp_emergency",
                    InSessionAction.STOP,
                    True,
                    False,
                    reading.minute,
                    f"BP {reading.bp_text} at minute {reading.minute_text} is above "
                    f"{p.bp_emergency_systolic}/{p.bp_emergency_diastolic}: stop dosing, "
                    "call the prescriber, assess for symptoms of end-organ damage.",
                    "monitor.yip-2022-hypertension",
                )
            )
            break

    def urgent(reading: VitalReading) -> bool:
        return reading.bp_above(p.bp_urgent_systolic, p.bp_urgent_diastolic)

    pair = _sustained(readings, urgent, p.confirm_minutes)
    if pair is not None:
        first, second = pair
        alerts.append(
            VitalAlert(
                "bp_urgent_sustained",
                InSessionAction.PAUSE,
                True,
                False,
                second.minute,
                f"BP above {p.bp_urgent_systolic}/{p.bp_urgent_diastolic} at minute "
                f"{first.minute_text} ({first.bp_text}) and minute {second.minute_text} "
                f"({second.bp_text}): pause dosing and call the prescriber.",
                "monitor.yip-2022-hypertension",
            )
        )
        return alerts
    pending = _pending_recheck(readings, lambda r: r.has_bp, urgent)
    if pending is not None:
        alerts.append(
            VitalAlert(
                "bp_urgent_recheck",
                InSessionAction.RECHECK,
                False,
                False,
                pending.minute,
                f"BP {pending.bp_text} at minute {pending.minute_text} is above "
                f"{p.bp_urgent_systolic}/{p.bp_urgent_diastolic}: re-measure in "
                f"{p.confirm_minutes} minutes.",
                "monitor.yip-2022-hypertension",
            )
        )
    return alerts


def _heart_rate_alerts(readings: list[VitalReading], p: MonitoringParameters) -> list[VitalAlert]:
    def fast(reading: VitalReading) -> bool:
        return reading.heart_rate is not None and reading.heart_rate > p.heart_rate_max

    pair = _sustained(readings, fast, p.confirm_minutes)
    if pair is not None:
        first, second = pair
        return [
            VitalAlert(
                "heart_rate_sustained",
                InSessionAction.PAUSE,
                True,
                False,
                second.minute,
                f"Heart rate above {p.heart_rate_max}/min at minute {first.minute_text} "
                f"({first.heart_rate}) and minute {second.minute_text} ({second.heart_rate}): "
                "pause dosing and call the prescriber (default unverified).",
                "screen.sanacora-2017",
            )
        ]
    pending = _pending_recheck(readings, lambda r: r.heart_rate is not None, fast)
    if pending is None:
        return []
    return [
        VitalAlert(
            "heart_rate_recheck",
            InSessionAction.RECHECK,
            False,
            False,
            pending.minute,
            f"Heart rate {pending.heart_rate}/min at minute {pending.minute_text} is above "
            f"{p.heart_rate_max}: re-measure in {p.confirm_minutes} minutes.",
            "screen.sanacora-2017",
        )
    ]


def _spo2_alerts(readings: list[VitalReading], p: MonitoringParameters) -> list[VitalAlert]:
    for reading in readings:
        if reading.spo2 is not None and reading.spo2 < p.spo2_min:
            return [
                VitalAlert(
                    "spo2_low",
                    InSessionAction.PAUSE,
                    True,
                    False,
                    reading.minute,
                    f"SpO2 {reading.spo2}% at minute {reading.minute_text} is below {p.spo2_min}%: "
                    "pause dosing, stimulate and support the airway, give oxygen, call the "
                    "prescriber.",
                    "monitor.aldrete-1995",
                )
            ]
    return []


def _sedation_alerts(readings: list[VitalReading], p: MonitoringParameters) -> list[VitalAlert]:
    scored = [(reading.moaas, reading) for reading in readings if reading.moaas is not None]
    if not scored:
        return []
    score, deepest = min(scored, key=lambda pair: pair[0])
    if score > p.moaas_pause_max:
        return []
    if score <= p.moaas_adverse_event_max:
        return [
            VitalAlert(
                "moaas_unresponsive",
                InSessionAction.STOP,
                True,
                True,
                deepest.minute,
                f"MOAA/S {score} at minute {deepest.minute_text} (no response to a painful "
                "stimulus): stop dosing, support the airway, call the prescriber, record an "
                "adverse event.",
                "monitor.chernik-1990-moaas",
            )
        ]
    return [
        VitalAlert(
            "moaas_deep_sedation",
            InSessionAction.PAUSE,
            True,
            False,
            deepest.minute,
            f"MOAA/S {score} at minute {deepest.minute_text}: deeper than intended for a "
            "subanaesthetic dose; pause dosing and call the prescriber (action unverified).",
            "monitor.chernik-1990-moaas",
        )
    ]


_DEFAULT = MonitoringParameters()


def assess_vitals(
    readings: Iterable[VitalReading], parameters: MonitoringParameters = _DEFAULT
) -> VitalsAssessment:
    """Every rule over the series; the action is the most severe alert's (or continue)."""
    ordered = sorted(readings, key=lambda reading: reading.minute)
    alerts = [
        *_bp_alerts(ordered, parameters),
        *_heart_rate_alerts(ordered, parameters),
        *_spo2_alerts(ordered, parameters),
        *_sedation_alerts(ordered, parameters),
    ]
    alerts.sort(key=lambda alert: (-alert.action.rank, alert.minute))
    action = alerts[0].action if alerts else InSessionAction.CONTINUE
    return VitalsAssessment(
        action=action,
        call_prescriber=any(alert.call_prescriber for alert in alerts),
        adverse_event=any(alert.adverse_event for alert in alerts),
        alerts=tuple(alerts),
    )
