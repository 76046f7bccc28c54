"""Patient and Condition (the problem list; a course's indication points at one of these)."""

from __future__ import annotations

from ketaclinic.apps.patients.choices import ICD10CM, ConditionStatus, SexAtBirth
from ketaclinic.apps.patients.models import Condition, Patient
from ketaclinic.fhir import codes
from ketaclinic.fhir.elements import day, instant, meta, pruned, reference

US_CORE_PATIENT = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
US_CORE_CONDITION = (
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-problems-health-concerns"
)

# Administrative gender from sex at birth: FHIR's ``gender`` is administrative and has no
# "intersex"; the birth sex itself goes in the US Core extension (F, M, UNK).
GENDER: dict[str, str] = {
    SexAtBirth.FEMALE: "female",
    SexAtBirth.MALE: "male",
    SexAtBirth.INTERSEX: "other",
    SexAtBirth.UNKNOWN: "unknown",
}
BIRTH_SEX: dict[str, str] = {SexAtBirth.FEMALE: "F", SexAtBirth.MALE: "M"}

CLINICAL_STATUS: dict[str, str] = {
    ConditionStatus.ACTIVE: "active",
    ConditionStatus.IN_REMISSION: "remission",
    ConditionStatus.RESOLVED: "resolved",
}


def patient_resource(patient: Patient) -> dict:
    """A Patient; ``patient.site`` (and its organisation id) should be loaded with it."""
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    contact = []
    if patient.emergency_contact_name:
        entry: dict = {"name": {"text": patient.emergency_contact_name}}
        if patient.emergency_contact_relationship:
            entry["relationship"] = [{"text": patient.emergency_contact_relationship}]
        if patient.emergency_contact_phone:
            entry["telecom"] = [{"system": "phone", "value": patient.emergency_contact_phone}]
        contact.append(entry)
    return pruned(
        {
            "resourceType": "Patient",
            "id": str(patient.pk),
            "meta": meta(patient.updated_at, US_CORE_PATIENT),
            "extension": [
                {
                    "url": codes.US_CORE_BIRTHSEX,
                    "valueCode": BIRTH_SEX.get(patient.sex_at_birth, "UNK"),
                }
            ],
            "identifier": [
                {
                    "use": "usual",
                    "type": {
                        "coding": [
                            codes.coding(codes.IDENTIFIER_TYPE, "MR", "Medical record number")
                        ]
                    },
                    "system": f"{codes.MRN_SYSTEM}/{patient.site.slug}",
                    "value": patient.mrn,
                }
            ],
            "active": patient.is_active,
            "name": [
                {"use": "official", "family": patient.family_name, "given": [patient.given_name]}
            ],
            "telecom": telecom,
            "gender": GENDER.get(patient.sex_at_birth, "unknown"),
            "birthDate": day(patient.date_of_birth),
            "address": [{"text": patient.address}] if patient.address else [],
            "contact": contact,
            "managingOrganization": reference("Organization", patient.site.organisation_id),
        }
    )


def condition_resource(condition: Condition) -> dict:
    icd_code, icd_display = ICD10CM[condition.code]
    return pruned(
        {
            "resourceType": "Condition",
            "id": str(condition.pk),
            "meta": meta(condition.recorded_at, US_CORE_CONDITION),
            "clinicalStatus": {
                "coding": [
                    codes.coding(codes.CONDITION_CLINICAL, CLINICAL_STATUS[condition.status])
                ]
            },
            "verificationStatus": {
                "coding": [codes.coding(codes.CONDITION_VERIFICATION, "confirmed")]
            },
            "category": [
                {
                    "coding": [
                        codes.coding(
                            codes.CONDITION_CATEGORY, "problem-list-item", "Problem List Item"
                        )
                    ]
                }
            ],
            "code": {
                "coding": [codes.coding(codes.ICD10CM, icd_code, icd_display)],
                "text": condition.get_code_display(),
            },
            "subject": reference("Patient", condition.patient_id),
            "onsetDateTime": day(condition.onset_on),
            "recordedDate": instant(condition.recorded_at),
        }
    )
