"""Session monitoring: pre-dose checks, in-session vital-sign rules, discharge readiness.

All thresholds live in ``MonitoringParameters`` with their sources; time is passed in as
minutes since the dose started or as timezone-aware datetimes, never read from the clock.
See docs/monitoring.md.
"""

from ketaclinic.clinical.monitoring.discharge import (
    NO_DRIVING_INSTRUCTION,
    BaselineVitals,
    DischargeInput,
    DischargeReason,
    DischargeResult,
    LatestVitals,
    discharge_readiness,
)
from ketaclinic.clinical.monitoring.insession import (
    InSessionAction,
    VitalAlert,
    VitalsAssessment,
    assess_vitals,
)
from ketaclinic.clinical.monitoring.parameters import MonitoringParameters
from ketaclinic.clinical.monitoring.predose import (
    PreDoseDecision,
    PreDoseInput,
    PreDoseReason,
    PreDoseResult,
    pre_dose_check,
)
from ketaclinic.clinical.monitoring.vitals import VitalReading, minutes_between

__all__ = [
    "NO_DRIVING_INSTRUCTION",
    "BaselineVitals",
    "DischargeInput",
    "DischargeReason",
    "DischargeResult",
    "InSessionAction",
    "LatestVitals",
    "MonitoringParameters",
    "PreDoseDecision",
    "PreDoseInput",
    "PreDoseReason",
    "PreDoseResult",
    "VitalAlert",
    "VitalReading",
    "VitalsAssessment",
    "assess_vitals",
    "discharge_readiness",
    "minutes_between",
    "pre_dose_check",
]
