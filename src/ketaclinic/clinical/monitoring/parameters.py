"""Every monitoring threshold a clinic can change, with its default and source key.

Blood pressure is "above" a pair when systolic OR diastolic exceeds its number; "below" for
SpO2 is strict (< 92 % alerts, 92 % does not). Defaults marked unverified in the comments
are this project's choices, listed as such in docs/monitoring.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from ketaclinic.clinical.eligibility.fields import FieldReader
from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue

__all__ = ["MonitoringParameters"]


@dataclass(frozen=True, slots=True)
class MonitoringParameters:
    # --- pre-dose checks -------------------------------------------------------------
    predose_hold_systolic: int = 180  # screen.swiss-ketamine-label (resting 180/100)
    predose_hold_diastolic: int = 100  # screen.swiss-ketamine-label
    predose_caution_systolic: int = 140  # screen.spravato-label 2.1 (>140/>90 weigh risk)
    predose_caution_diastolic: int = 90  # screen.spravato-label 2.1
    predose_caution_heart_rate: int = 100  # unverified: conventional tachycardia line
    predose_hold_heart_rate: int = 120  # unverified: same line as the in-session rule
    predose_min_spo2: int = 92  # monitor.aldrete-1995 (SpO2 > 92 % on room air)
    fasting_food_minutes: int = 120  # screen.spravato-label 2.1 (no food 2 h before)
    fasting_liquid_minutes: int = 30  # screen.spravato-label 2.1 (no liquids 30 min before)
    questionnaires_missing_holds: bool = True  # screen.askp3-2020 (measurement each session)

    # --- during the session ----------------------------------------------------------
    bp_urgent_systolic: int = 180  # monitor.yip-2022-hypertension (unverified pairing)
    bp_urgent_diastolic: int = 110  # monitor.yip-2022-hypertension
    bp_emergency_systolic: int = 200  # unverified project default (issue 4)
    bp_emergency_diastolic: int = 120  # unverified project default (issue 4)
    confirm_minutes: int = 5  # unverified: "two readings at least 5 minutes apart"
    heart_rate_max: int = 120  # unverified project default (issue 4)
    spo2_min: int = 92  # monitor.aldrete-1995
    moaas_adverse_event_max: int = 0  # monitor.chernik-1990-moaas (no response to pain)
    moaas_pause_max: int = 1  # monitor.chernik-1990-moaas; unverified action

    # --- discharge -------------------------------------------------------------------
    esketamine_min_observation_minutes: int = 120  # screen.spravato-label 5.1/5.2
    other_min_observation_minutes: int = 120  # unverified: label minimum applied to all
    discharge_bp_rise_fraction: Decimal = Decimal("0.20")  # monitor.aldrete-1995 (±20 %)
    discharge_bp_ceiling_systolic: int = 140  # screen.spravato-label 2.1
    discharge_bp_ceiling_diastolic: int = 90  # screen.spravato-label 2.1
    discharge_heart_rate_ceiling: int = 100  # unverified: conventional tachycardia line
    discharge_moaas_required: int = 5  # monitor.chernik-1990-moaas (alert)
    discharge_cadss_max: int = 4  # monitor.bremner-1998-cadss; unverified cut-off

    def __post_init__(self) -> None:
        if not isinstance(self.discharge_bp_rise_fraction, Decimal):
            raise ConfigurationError("discharge_bp_rise_fraction must be a Decimal")
        if not Decimal(0) <= self.discharge_bp_rise_fraction <= Decimal(1):
            raise ConfigurationError("discharge_bp_rise_fraction must be between 0 and 1")
        if self.predose_caution_systolic > self.predose_hold_systolic:
            raise ConfigurationError("predose_caution_systolic must not exceed the hold line")
        if self.predose_caution_diastolic > self.predose_hold_diastolic:
            raise ConfigurationError("predose_caution_diastolic must not exceed the hold line")
        if self.bp_urgent_systolic > self.bp_emergency_systolic:
            raise ConfigurationError("bp_urgent_systolic must not exceed bp_emergency_systolic")
        if self.bp_urgent_diastolic > self.bp_emergency_diastolic:
            raise ConfigurationError("bp_urgent_diastolic must not exceed bp_emergency")
        if self.confirm_minutes < 1:
            raise ConfigurationError("confirm_minutes must be at least 1")
        if not 0 <= self.moaas_adverse_event_max <= self.moaas_pause_max <= 5:
            raise ConfigurationError("need 0 <= moaas_adverse_event_max <= moaas_pause_max <= 5")

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain values (Decimal stays exact); ``from_dict`` reads it back."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Any) -> MonitoringParameters:
        """A clinic's settings as JSON: any subset of the fields; ``InputError`` names the field.

        Whole numbers are limited to 0-1440 (minutes are the largest); contradictory
        combinations are refused on ``parameters``.
        """
        names = frozenset(f.name for f in fields(cls))
        reader = FieldReader(data, prefix="", allowed=names)
        values: dict[str, Any] = {}
        for name in reader.present():
            if name == "questionnaires_missing_holds":
                value: Any = reader.optional_boolean(name)
            elif name == "discharge_bp_rise_fraction":
                value = reader.optional_decimal(name, low=Decimal(0), high=Decimal(1))
            else:
                value = reader.optional_integer(name, low=0, high=1440)
            if value is not None:
                values[name] = value
        try:
            return cls(**values)
        except ConfigurationError as error:
            raise InvalidValue("parameters", str(error)) from None
