"""The CapabilityStatement at /fhir/metadata, built from the registry so it cannot drift."""

from __future__ import annotations

from ketaclinic.fhir.registry import RESOURCE_TYPES
from ketaclinic.fhir.responses import FHIR_JSON, FHIR_VERSION

BULK = "http://hl7.org/fhir/uv/bulkdata"
SECURITY_SERVICE = "http://terminology.hl7.org/CodeSystem/restful-security-service"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


def capability_statement(base_url: str, *, software_version: str, date: str) -> dict:
    resources = []
    for name, rt in RESOURCE_TYPES.items():
        entry: dict = {
            "type": name,
            "interaction": [{"code": "read"}, {"code": "search-type"}]
            + ([{"code": "create"}] if name == "QuestionnaireResponse" else []),
            "versioning": "no-version",
            "readHistory": False,
            "updateCreate": False,
            "searchParam": [
                {"name": param, "type": kind} for param, kind in sorted(rt.params.items())
            ]
            + [{"name": "_count", "type": "number"}]
            + (
                [
                    {
                        "name": "_sort",
                        "type": "string",
                        "documentation": (
                            "One of "
                            + ", ".join(f"{key}, -{key}" for key in rt.sorts)
                            + " (- for descending); ties by id"
                        ),
                    }
                ]
                if rt.sorts
                else []
            ),
        }
        if rt.includes:
            entry["searchInclude"] = list(rt.includes)
        if rt.revincludes:
            entry["searchRevInclude"] = list(rt.revincludes)
        if name == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "Ketaclinic",
        "kind": "instance",
        "software": {"name": "Ketaclinic", "version": software_version},
        "implementation": {"description": "Ketaclinic FHIR R4 API", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Read and search for clinic staff signed in to Ketaclinic (session "
                    "cookie); the same roles and site scoping as the pages; every read and "
                    "search is audited. QuestionnaireResponse create (PHQ-9, GAD-7, PCL-5) "
                    "and transaction Bundles of them; Bulk Data $export (NDJSON)."
                ),
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": SECURITY_SERVICE,
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "extension": [
                        {
                            "url": OAUTH_URIS,
                            "extension": [{"url": "token", "valueUri": f"{base_url}auth/token"}],
                        }
                    ],
                    "description": (
                        "Staff: the Ketaclinic session. Systems: SMART Backend Services "
                        "(client_credentials with a signed JWT, RS384 or ES384) at auth/token."
                    ),
                },
                "resource": resources,
                "interaction": [{"code": "transaction"}],
                "operation": [
                    {"name": "export", "definition": f"{BULK}/OperationDefinition/export"},
                    {
                        "name": "patient-export",
                        "definition": f"{BULK}/OperationDefinition/patient-export",
                    },
                    {
                        "name": "group-export",
                        "definition": f"{BULK}/OperationDefinition/group-export",
                    },
                ],
            }
        ],
    }
