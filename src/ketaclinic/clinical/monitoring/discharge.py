"""Discharge readiness: may the patient leave now, and if not, why not.

Ready only when every condition holds (each failing one is a reason):

- observed long enough since the dose started: esketamine at least 120 minutes (label);
  other routes the same by default (unverified, a clinic may shorten it);
- BP near baseline: systolic and diastolic each either within ``discharge_bp_rise_fraction``
  (20 %) above baseline, as in the modified Aldrete score, or at/below the 140/90 line;
- heart rate within 20 % above baseline or at/below 100/min;
- SpO2 above 92 % on room air (Aldrete);
- MOAA/S 5 (responds readily to name in a normal tone);
- dissociation resolved in the clinician's judgement, and the CADSS total (if scored) at or
  below ``discharge_cadss_max``;
- an escort confirmed.

The result always carries the label's instruction: no driving or operating machinery until
the next day after a restful sleep.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from ketaclinic.clinical.eligibility.fields import FieldReader
from ketaclinic.clinical.eligibility.vocabulary import Route
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem
from ketaclinic.clinical.monitoring.parameters import MonitoringParameters
from ketaclinic.clinical.monitoring.vitals import minutes_between

__all__ = [
    "NO_DRIVING_INSTRUCTION",
    "BaselineVitals",
    "DischargeInput",
    "DischargeReason",
    "DischargeResult",
    "LatestVitals",
    "discharge_readiness",
]

NO_DRIVING_INSTRUCTION = (
    "Do not drive or operate machinery until the next day after a restful sleep."
)

_FIELDS = frozenset(
    {
        "route",
        "minutes_since_dose",
        "dose_started_at",
        "as_of",
        "baseline",
        "latest",
        "dissociation_resolved",
        "cadss_total",
        "escort_confirmed",
    }
)
_BASELINE_FIELDS = frozenset({"bp_systolic", "bp_diastolic", "heart_rate"})
_LATEST_FIELDS = frozenset({"bp_systolic", "bp_diastolic", "heart_rate", "spo2", "moaas"})


@dataclass(frozen=True, slots=True)
class BaselineVitals:
    bp_systolic: int
    bp_diastolic: int
    heart_rate: int


@dataclass(frozen=True, slots=True)
class LatestVitals:
    bp_systolic: int
    bp_diastolic: int
    heart_rate: int
    spo2: int
    moaas: int


def _blood_pressure(reader: FieldReader) -> tuple[int, int]:
    systolic = reader.integer("bp_systolic", low=50, high=300)
    diastolic = reader.integer("bp_diastolic", low=20, high=200)
    if diastolic >= systolic:
        raise InvalidValue(reader.name("bp_diastolic"), "must be lower than bp_systolic")
    return systolic, diastolic


@dataclass(frozen=True, slots=True)
class DischargeInput:
    """One session at the moment of the discharge check."""

    route: Route
    minutes_since_dose: Decimal
    baseline: BaselineVitals
    latest: LatestVitals
    dissociation_resolved: bool
    escort_confirmed: bool
    cadss_total: int | None = None

    @classmethod
    def from_dict(cls, data: Any) -> DischargeInput:
        """Time is ``minutes_since_dose``, or ``dose_started_at`` and ``as_of`` (aware)."""
        reader = FieldReader(data, allowed=_FIELDS)
        route = reader.choice("route", Route)
        minutes = reader.optional_decimal(
            "minutes_since_dose", low=Decimal(0), high=Decimal(24 * 60)
        )
        started = reader.optional_aware_datetime("dose_started_at")
        as_of = reader.optional_aware_datetime("as_of")
        if minutes is not None and (started is not None or as_of is not None):
            raise InvalidValue(
                "minutes_since_dose", "give either minutes_since_dose or dose_started_at/as_of"
            )
        if minutes is None:
            if started is None:
                raise MissingItem("minutes_since_dose", "is required (or dose_started_at/as_of)")
            if as_of is None:
                raise MissingItem("as_of", "is required with dose_started_at")
            minutes = minutes_between(started, as_of, field="as_of")
        base = reader.nested("baseline", _BASELINE_FIELDS)
        base_systolic, base_diastolic = _blood_pressure(base)
        baseline = BaselineVitals(
            base_systolic, base_diastolic, base.integer("heart_rate", low=20, high=250)
        )
        last = reader.nested("latest", _LATEST_FIELDS)
        last_systolic, last_diastolic = _blood_pressure(last)
        latest = LatestVitals(
            last_systolic,
            last_diastolic,
            last.integer("heart_rate", low=20, high=250),
            last.integer("spo2", low=50, high=100),
            last.integer("moaas", low=0, high=5),
        )
        return cls(
            route=route,
            minutes_since_dose=minutes,
            baseline=baseline,
            latest=latest,
            dissociation_resolved=reader.boolean("dissociation_resolved"),
            escort_confirmed=reader.boolean("escort_confirmed"),
            cadss_total=reader.optional_integer("cadss_total", low=0, high=92),
        )

    @classmethod
    def at(cls, *, dose_started_at: dt.datetime, as_of: dt.datetime, **rest: Any) -> DischargeInput:
        """Build from aware datetimes passed in (the core never reads the clock)."""
        minutes = minutes_between(dose_started_at, as_of, field="as_of")
        return cls(minutes_since_dose=minutes, **rest)


@dataclass(frozen=True, slots=True)
class DischargeReason:
    code: str
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class DischargeResult:
    ready: bool
    reasons: tuple[DischargeReason, ...]
    instructions: tuple[str, ...]


def _near_baseline(value: int, baseline: int, ceiling: int, fraction: Decimal) -> bool:
    """At or below the absolute ceiling, or at most ``fraction`` above baseline."""
    return value <= ceiling or Decimal(value) <= Decimal(baseline) * (1 + fraction)


def _reasons(session: DischargeInput, p: MonitoringParameters) -> list[DischargeReason]:
    reasons: list[DischargeReason] = []
    if session.route is Route.ESKETAMINE:
        minimum, basis = p.esketamine_min_observation_minutes, "esketamine label"
    else:
        minimum, basis = p.other_min_observation_minutes, "label minimum applied, unverified"
    if session.minutes_since_dose < minimum:
        observed = session.minutes_since_dose.to_integral_value(rounding=ROUND_FLOOR)
        remaining = (minimum - session.minutes_since_dose).to_integral_value(rounding=ROUND_CEILING)
        reasons.append(
            DischargeReason(
                "observation_too_short",
                f"Observed {observed} of at least {minimum} minutes after the dose started "
                f"({remaining} more; {basis}).",
                "screen.spravato-label",
            )
        )
    base, last, rise = session.baseline, session.latest, p.discharge_bp_rise_fraction
    systolic_ok = _near_baseline(
        last.bp_systolic, base.bp_systolic, p.discharge_bp_ceiling_systolic, rise
    )
    diastolic_ok = _near_baseline(
        last.bp_diastolic, base.bp_diastolic, p.discharge_bp_ceiling_diastolic, rise
    )
    if not (systolic_ok and diastolic_ok):
        reasons.append(
            DischargeReason(
                "bp_not_near_baseline",
                f"BP {last.bp_systolic}/{last.bp_diastolic} mmHg is more than {rise:.0%} above "
                f"baseline {base.bp_systolic}/{base.bp_diastolic} and above "
                f"{p.discharge_bp_ceiling_systolic}/{p.discharge_bp_ceiling_diastolic}.",
                "monitor.aldrete-1995",
            )
        )
    if not _near_baseline(last.heart_rate, base.heart_rate, p.discharge_heart_rate_ceiling, rise):
        reasons.append(
            DischargeReason(
                "heart_rate_not_near_baseline",
                f"Heart rate {last.heart_rate}/min is more than {rise:.0%} above baseline "
                f"{base.heart_rate} and above {p.discharge_heart_rate_ceiling}.",
                "monitor.aldrete-1995",
            )
        )
    if last.spo2 <= p.spo2_min:
        reasons.append(
            DischargeReason(
                "spo2_low",
                f"SpO2 {last.spo2}% is not above {p.spo2_min}% on room air.",
                "monitor.aldrete-1995",
            )
        )
    if last.moaas < p.discharge_moaas_required:
        reasons.append(
            DischargeReason(
                "sedation_not_resolved",
                f"MOAA/S {last.moaas}: needs {p.discharge_moaas_required} (responds readily to "
                "name in a normal tone).",
                "monitor.chernik-1990-moaas",
            )
        )
    if not session.dissociation_resolved:
        reasons.append(
            DischargeReason(
                "dissociation_not_resolved",
                "Dissociation has not resolved in the clinician's judgement.",
                "screen.spravato-label",
            )
        )
    if session.cadss_total is not None and session.cadss_total > p.discharge_cadss_max:
        reasons.append(
            DischargeReason(
                "cadss_above_threshold",
                f"CADSS total {session.cadss_total} is above {p.discharge_cadss_max} "
                "(cut-off unverified).",
                "monitor.bremner-1998-cadss",
            )
        )
    if not session.escort_confirmed:
        reasons.append(
            DischargeReason(
                "escort_not_confirmed",
                "No escort confirmed: the patient must not drive home.",
                "screen.spravato-label",
            )
        )
    return reasons


_DEFAULT = MonitoringParameters()


def discharge_readiness(
    session: DischargeInput, parameters: MonitoringParameters = _DEFAULT
) -> DischargeResult:
    """Ready when no reason remains; the no-driving instruction is always included."""
    reasons = _reasons(session, parameters)
    return DischargeResult(
        ready=not reasons, reasons=tuple(reasons), instructions=(NO_DRIVING_INSTRUCTION,)
    )
