"""Vital-sign Observations (FHIR R4 Vital Signs profile) from the session chart and the
weight/height history.

One charted set of vitals is several Observations, each with its own stable id:
``bp-<id>`` (panel with systolic and diastolic components), ``hr-<id>``, ``spo2-<id>``,
``rr-<id>`` (when recorded); a measurement is ``wt-<id>`` and, with a height, ``ht-<id>``.
"""

from __future__ import annotations

from ketaclinic.apps.charting.models import VitalSign
from ketaclinic.apps.patients.models import Measurement
from ketaclinic.fhir import codes
from ketaclinic.fhir.elements import meta, quantity, reference

VITAL_SIGNS_PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
PROFILES = {
    "bp": "http://hl7.org/fhir/StructureDefinition/bp",
    "hr": "http://hl7.org/fhir/StructureDefinition/heartrate",
    "spo2": "http://hl7.org/fhir/StructureDefinition/oxygensat",
    "rr": "http://hl7.org/fhir/StructureDefinition/resprate",
    "wt": "http://hl7.org/fhir/StructureDefinition/bodyweight",
    "ht": "http://hl7.org/fhir/StructureDefinition/bodyheight",
}
VITAL_SIGNS_CATEGORY = {
    "coding": [codes.coding(codes.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")],
    "text": "Vital Signs",
}

# The LOINC codes each kind of vital-sign Observation carries (for search by code).
KIND_CODES: dict[str, tuple[tuple[str, str], ...]] = {
    "bp": (codes.BP_PANEL,),
    "hr": (codes.HEART_RATE,),
    "spo2": (codes.SPO2, codes.SPO2_GENERIC),
    "rr": (codes.RESPIRATORY_RATE,),
    "wt": (codes.BODY_WEIGHT,),
    "ht": (codes.BODY_HEIGHT,),
}


def _observation(kind: str, row_id: int, last_updated, patient_id: int) -> dict:
    pairs = KIND_CODES[kind]
    return {
        "resourceType": "Observation",
        "id": f"{kind}-{row_id}",
        "meta": meta(last_updated, PROFILES[kind]),
        "status": "final",
        "category": [VITAL_SIGNS_CATEGORY],
        "code": {"coding": [codes.loinc(p) for p in pairs], "text": pairs[0][1]},
        "subject": reference("Patient", patient_id),
    }


def vital_sign_observation(kind: str, vital: VitalSign) -> dict:
    """``vital.session`` should be loaded (for the patient)."""
    resource = _observation(kind, vital.pk, vital.entered_at, vital.session.patient_id)
    resource["encounter"] = reference("Encounter", vital.session_id)
    resource["effectiveDateTime"] = vital.taken_at.isoformat()
    resource["performer"] = [reference("Practitioner", vital.entered_by_id)]
    if kind == "bp":
        resource["component"] = [
            {
                "code": {"coding": [codes.loinc(codes.BP_SYSTOLIC)]},
                "valueQuantity": quantity(vital.bp_systolic, "mmHg", "mm[Hg]"),
            },
            {
                "code": {"coding": [codes.loinc(codes.BP_DIASTOLIC)]},
                "valueQuantity": quantity(vital.bp_diastolic, "mmHg", "mm[Hg]"),
            },
        ]
    elif kind == "hr":
        resource["valueQuantity"] = quantity(vital.heart_rate, "beats/minute", "/min")
    elif kind == "spo2":
        resource["valueQuantity"] = quantity(vital.spo2, "%")
    else:
        resource["valueQuantity"] = quantity(vital.respiratory_rate, "breaths/minute", "/min")
    return resource


def measurement_observation(kind: str, measurement: Measurement) -> dict:
    resource = _observation(kind, measurement.pk, measurement.recorded_at, measurement.patient_id)
    resource["effectiveDateTime"] = measurement.measured_on.isoformat()
    if measurement.recorded_by_id is not None:
        resource["performer"] = [reference("Practitioner", measurement.recorded_by_id)]
    if kind == "wt":
        resource["valueQuantity"] = quantity(measurement.weight_kg, "kg")
    else:
        resource["valueQuantity"] = quantity(measurement.height_cm, "cm")
    return resource
