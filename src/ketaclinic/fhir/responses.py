"""FHIR JSON responses (``application/fhir+json``) and OperationOutcome errors."""

from __future__ import annotations

import json

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json"
FHIR_JSON_CHARSET = f"{FHIR_JSON}; charset=utf-8"
FHIR_VERSION = "4.0.1"


def base_url(request) -> str:
    """This server's FHIR base, absolute (``http://host/fhir/``), for links and fullUrls."""
    return request.build_absolute_uri("/fhir/")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(resource: dict) -> str:
    """Compact UTF-8 JSON (one encoder, built once: exports call this per resource)."""
    return _ENCODER.encode(resource)


def fhir_response(resource: dict, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(dumps(resource), content_type=FHIR_JSON_CHARSET, status=status)
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def operation_outcome(
    code: str, diagnostics: str, *, severity: str = "error", expression: str = ""
) -> dict:
    issue: dict = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def error(status: int, code: str, diagnostics: str, *, expression: str = "") -> HttpResponse:
    """An OperationOutcome with the HTTP status the standard expects (400, 401, 403, 404...)."""
    return fhir_response(operation_outcome(code, diagnostics, expression=expression), status)
