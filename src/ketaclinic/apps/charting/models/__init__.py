"""The session chart's records, each hung on a ``treatment.Session`` by a foreign key.

The treatment app owns Session and its status; this app adds what happens on the day.
"""

from ketaclinic.apps.charting.models.dosing import Administration, DoseOrder
from ketaclinic.apps.charting.models.ending import Discharge, RemsRecord
from ketaclinic.apps.charting.models.notes import IntegrationNote, SessionNote
from ketaclinic.apps.charting.models.observations import (
    AdverseEvent,
    MonitoringEvent,
    RescueMedication,
    ScaleEntry,
    VitalSign,
)
from ketaclinic.apps.charting.models.prechecks import HoldDecision, PreCheck
from ketaclinic.apps.charting.models.rems import (
    RemsEnrolment,
    RemsHealthcareSetting,
    RemsSubmissionAttempt,
)

__all__ = [
    "Administration",
    "AdverseEvent",
    "Discharge",
    "DoseOrder",
    "HoldDecision",
    "IntegrationNote",
    "MonitoringEvent",
    "PreCheck",
    "RemsEnrolment",
    "RemsHealthcareSetting",
    "RemsRecord",
    "RemsSubmissionAttempt",
    "RescueMedication",
    "ScaleEntry",
    "SessionNote",
    "VitalSign",
]
