"""FHIR JSON responses (``application/fhir+json``) and OperationOutcome errors."""

from __future__ import annotations

import orjson
from django.http import HttpResponse

FHIR_JSON = "application/fhir+json"
FHIR_JSON_CHARSET = f"{FHIR_JSON}; charset=utf-8"
FHIR_VERSION = "4.0.1"


def base_url(request) -> str:
    """This server's FHIR base, absolute (``http://host/fhir/``), for links and fullUrls."""
    return request.build_absolute_uri("/fhir/")


def dumps_bytes(resource: dict) -> bytes:
    """Compact UTF-8 JSON, as bytes: what REST responses send and exports write per line.

    orjson writes the same bytes as ``json.dumps(ensure_ascii=False, separators=(",", ":"))``
    for everything a resource holds (strings, ints, bools, ``None``, and floats from decimals
    of at most three places, ``elements.as_number``), at a tenth of the cost; the two differ
    only for floats under 1e-4 (``1e-05`` against ``0.00001``), which no stored quantity
    has (``tests/fhir/test_fhir_export_writer.py`` checks both).
    """
    return orjson.dumps(resource)


def ndjson_line(resource: dict) -> bytes:
    """One line of an NDJSON export: ``dumps_bytes`` and the newline, in one call."""
    return orjson.dumps(resource, option=orjson.OPT_APPEND_NEWLINE)


def dumps(resource: dict) -> str:
    return orjson.dumps(resource).decode()


def fhir_response(resource: dict, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(dumps_bytes(resource), content_type=FHIR_JSON_CHARSET, status=status)
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
