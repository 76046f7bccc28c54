"""Vital-sign Observations (FHIR R4 Vital Signs profile) from the session chart and the
weight/height history.

One charted set of vitals is several Observations, each with its own stable id:
``bp-<id>`` (panel with systolic and diastolic components), ``hr-<id>``, ``spo2-<id>``,
``rr-<id>`` (when recorded); a measurement is ``wt-<id>`` and, with a height, ``ht-<id>``.
"""

from __future__ import annotations

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


# What every vital-sign Observation of one kind shares, built once (never mutated: the
# de-identifier copies what it changes). ``vital_sign_observation`` runs once per exported
# row of the largest table, so it builds only what differs.
_SHARED = {
    kind: (
        [PROFILES[kind]],
        [VITAL_SIGNS_CATEGORY],
        {"coding": [codes.loinc(p) for p in KIND_CODES[kind]], "text": KIND_CODES[kind][0][1]},
    )
    for kind in ("bp", "hr", "spo2", "rr")
}
_BP_CODES = (
    {"coding": [codes.loinc(codes.BP_SYSTOLIC)]},
    {"coding": [codes.loinc(codes.BP_DIASTOLIC)]},
)
_UNITS = {  # kind -> (column, unit, UCUM code)
    "hr": ("heart_rate", "beats/minute", "/min"),
    "spo2": ("spo2", "%", "%"),
    "rr": ("respiratory_rate", "breaths/minute", "/min"),
}


def vital_sign_observation(kind: str, vital) -> dict:
    """One Observation of a charted set of vitals. ``vital`` is a row of
    ``model_sources.VITAL_COLUMNS`` (``pk``, ``session_id``, ``patient_id``, ``taken_at``,
    ``entered_at``, ``entered_by_id`` and the kind's values), its times already FHIR
    instants (``ModelSource.instants``)."""
    profiles, category, code = _SHARED[kind]
    resource = {
        "resourceType": "Observation",
        "id": f"{kind}-{vital.pk}",
        "meta": {"lastUpdated": vital.entered_at, "profile": profiles},
        "status": "final",
        "category": category,
        "code": code,
        "subject": {"reference": f"Patient/{vital.patient_id}"},
        "encounter": {"reference": f"Encounter/{vital.session_id}"},
        "effectiveDateTime": vital.taken_at,
        "performer": [{"reference": f"Practitioner/{vital.entered_by_id}"}],
    }
    if kind == "bp":
        resource["component"] = [
            {
                "code": _BP_CODES[0],
                "valueQuantity": {
                    "value": vital.bp_systolic,
                    "unit": "mmHg",
                    "system": codes.UCUM,
                    "code": "mm[Hg]",
                },
            },
            {
                "code": _BP_CODES[1],
                "valueQuantity": {
                    "value": vital.bp_diastolic,
                    "unit": "mmHg",
                    "system": codes.UCUM,
                    "code": "mm[Hg]",
                },
            },
        ]
    else:
        column, unit, ucum = _UNITS[kind]
        resource["valueQuantity"] = {
            "value": getattr(vital, column),
            "unit": unit,
            "system": codes.UCUM,
            "code": ucum,
        }
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
