"""The resource types served at /fhir/: their sources, search parameters and _include targets.

This table is what the CapabilityStatement describes, so the statement lists exactly what
the server supports. The sources themselves are in ``model_sources``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.fhir.model_sources import (
    ADVERSE_EVENT,
    APPOINTMENT,
    CAREPLAN,
    CHAIR_LOCATION,
    CONDITION,
    ENCOUNTER,
    MEDICATION_ADMINISTRATION,
    OBSERVATION_SOURCES,
    ORGANIZATION,
    PATIENT,
    PRACTITIONER,
    PRACTITIONER_ROLE,
    QUESTIONNAIRE,
    QUESTIONNAIRE_RESPONSE,
    SITE_LOCATION,
)
from ketaclinic.fhir.provenance import PROVENANCE_SOURCES
from ketaclinic.fhir.search import SearchError
from ketaclinic.fhir.sources import Source


@dataclass(frozen=True)
class ResourceType:
    name: str
    sources: tuple[Source, ...]
    params: dict[str, str]  # search parameter -> FHIR type (token, reference, date, string)
    date_param: str | None = None
    includes: tuple[str, ...] = ()
    patient_linked: bool = True
    revincludes: tuple[str, ...] = ()  # ``Type:param``: resources that refer to this type's

    @property
    def sorts(self) -> tuple[str, ...]:
        """What ``_sort`` accepts (each also with ``-``): the type's date, its last change."""
        return tuple(
            name for name in (self.date_param, "_lastUpdated") if name and name in self.params
        )


# The registry ------------------------------------------------------------------------------
CLINICAL = {"patient": "reference", "subject": "reference"}
PROVENANCE_TARGET = "Provenance:target"
COMMON = {"_id": "token", "_lastUpdated": "date"}

RESOURCE_TYPES: dict[str, ResourceType] = {
    rt.name: rt
    for rt in (
        ResourceType(
            "Patient",
            (PATIENT,),
            {
                **COMMON,
                "identifier": "token",
                "name": "string",
                "family": "string",
                "given": "string",
                "birthdate": "date",
                "gender": "token",
                "active": "token",
            },
            includes=("Patient:organization",),
        ),
        ResourceType(
            "Condition",
            (CONDITION,),
            {
                **COMMON,
                **CLINICAL,
                "code": "token",
                "category": "token",
                "clinical-status": "token",
            },
            includes=("Condition:patient", "Condition:subject"),
        ),
        ResourceType(
            "CarePlan",
            (CAREPLAN,),
            {**COMMON, **CLINICAL, "status": "token", "date": "date", "intent": "token"},
            date_param="date",
            includes=("CarePlan:patient", "CarePlan:subject", "CarePlan:condition"),
        ),
        ResourceType(
            "Encounter",
            (ENCOUNTER,),
            {**COMMON, **CLINICAL, "status": "token", "date": "date"},
            date_param="date",
            includes=("Encounter:patient", "Encounter:subject", "Encounter:location"),
        ),
        ResourceType(
            "Appointment",
            (APPOINTMENT,),
            {**COMMON, "patient": "reference", "status": "token", "date": "date"},
            date_param="date",
            includes=(
                "Appointment:patient",
                "Appointment:practitioner",
                "Appointment:location",
            ),
        ),
        ResourceType(
            "Observation",
            OBSERVATION_SOURCES,
            {
                **COMMON,
                **CLINICAL,
                "code": "token",
                "category": "token",
                "status": "token",
                "date": "date",
                "derived-from": "reference",
            },
            date_param="date",
            includes=(
                "Observation:patient",
                "Observation:subject",
                "Observation:encounter",
                "Observation:derived-from",
                "Observation:performer",
            ),
            revincludes=(PROVENANCE_TARGET,),
        ),
        ResourceType(
            "QuestionnaireResponse",
            (QUESTIONNAIRE_RESPONSE,),
            {
                **COMMON,
                **CLINICAL,
                "status": "token",
                "authored": "date",
                "questionnaire": "reference",
            },
            date_param="authored",
            includes=(
                "QuestionnaireResponse:patient",
                "QuestionnaireResponse:subject",
                "QuestionnaireResponse:questionnaire",
                "QuestionnaireResponse:encounter",
            ),
            revincludes=(PROVENANCE_TARGET, "Observation:derived-from"),
        ),
        ResourceType(
            "MedicationAdministration",
            (MEDICATION_ADMINISTRATION,),
            {**COMMON, **CLINICAL, "code": "token", "status": "token", "effective-time": "date"},
            date_param="effective-time",
            includes=(
                "MedicationAdministration:patient",
                "MedicationAdministration:subject",
                "MedicationAdministration:context",
                "MedicationAdministration:performer",
            ),
            revincludes=(PROVENANCE_TARGET,),
        ),
        ResourceType(
            "AdverseEvent",
            (ADVERSE_EVENT,),
            {**COMMON, **CLINICAL, "date": "date", "severity": "token"},
            date_param="date",
            includes=("AdverseEvent:subject", "AdverseEvent:patient", "AdverseEvent:recorder"),
            revincludes=(PROVENANCE_TARGET,),
        ),
        ResourceType(
            "Provenance",
            PROVENANCE_SOURCES,
            {
                **COMMON,
                "patient": "reference",
                "target": "reference",
                "agent": "reference",
                "recorded": "date",
            },
            date_param="recorded",
            includes=("Provenance:agent", "Provenance:target"),
        ),
        ResourceType("Questionnaire", (QUESTIONNAIRE,), {"_id": "token"}, patient_linked=False),
        ResourceType(
            "Practitioner", (PRACTITIONER,), {**COMMON, "name": "string"}, patient_linked=False
        ),
        ResourceType(
            "PractitionerRole",
            (PRACTITIONER_ROLE,),
            {**COMMON, "practitioner": "reference"},
            includes=("PractitionerRole:practitioner", "PractitionerRole:location"),
            patient_linked=False,
        ),
        ResourceType("Organization", (ORGANIZATION,), {**COMMON}, patient_linked=False),
        ResourceType(
            "Location", (SITE_LOCATION, CHAIR_LOCATION), {"_id": "token"}, patient_linked=False
        ),
    )
}


def resource_type(name: str) -> ResourceType:
    try:
        return RESOURCE_TYPES[name]
    except KeyError:
        raise SearchError("type", f"{name} is not a resource type this server serves") from None
