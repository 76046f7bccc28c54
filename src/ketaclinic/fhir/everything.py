"""Patient/$everything: the patient's whole record the requester may see, in one Bundle.

Every patient-linked type is searched for the patient through the same sources (so the
same permissions apply: a front-desk user gets the Patient, conditions and sessions but no
vital signs), then the staff, places and questionnaires those resources refer to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ketaclinic.fhir.registry import RESOURCE_TYPES
from ketaclinic.fhir.searching import read_resource, references_for
from ketaclinic.fhir.smart import permits
from ketaclinic.fhir.sources import Criteria

REFERENCED = ("Practitioner", "Organization", "Location", "Questionnaire")
REFERENCE_PARAMS = ("performer", "recorder", "location", "organization", "questionnaire")


def everything_resources(
    user: Any, patient: dict, scopes: list[str] | None = None
) -> Iterator[dict]:
    """The patient, then every resource of theirs, then what those refer to (generator)."""
    yield patient
    seen = {f"Patient/{patient['id']}"}
    referenced: list[str] = [
        ref for param in REFERENCE_PARAMS for ref in references_for(patient, param)
    ]
    criteria = Criteria(patient=patient["id"])
    for name, rt in RESOURCE_TYPES.items():
        if not rt.patient_linked or name == "Patient":
            continue
        if scopes is not None and not permits(scopes, name, "s"):
            continue
        for source in rt.sources:
            for resource, _patient in source.rows(source.match(user, criteria)):
                seen.add(f"{name}/{resource['id']}")
                referenced.extend(
                    ref for param in REFERENCE_PARAMS for ref in references_for(resource, param)
                )
                for author in ("author", "recorder"):
                    value = resource.get(author)
                    if isinstance(value, dict) and "reference" in value:
                        referenced.append(value["reference"])
                referenced.extend(references_for(resource, "agent"))
                yield resource
    for ref in referenced:
        if ref in seen or ref.split("/", 1)[0] not in REFERENCED:
            continue
        seen.add(ref)
        type_name, _slash, ident = ref.partition("/")
        if scopes is not None and not permits(scopes, type_name, "r"):
            continue
        found = read_resource(user, type_name, ident)
        if found is not None:
            yield found[0]


def everything(user: Any, patient: dict, base_url: str, scopes: list[str] | None = None) -> dict:
    entries = [
        {"fullUrl": f"{base_url}{r['resourceType']}/{r['id']}", "resource": r}
        for r in everything_resources(user, patient, scopes)
    ]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}
