"""The OpenAPI holds every operation to the edge kit (``apps.api.edge``), so a new endpoint
cannot drift: each documents the error envelope for 401, 403, 404 and 422, answers a declared
schema, and a list answers one ``Page`` with validated ``page`` and ``page_size``.

What the operations actually answer when refused is checked for every operation by the route
matrix (``test_route_matrix.py``: every 4xx of the API is the envelope).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from ketaclinic.apps.api.edge import ERROR_STATUSES, MAX_PAGE_SIZE
from ketaclinic.apps.web.pagination import MAX_PAGE

REF = "#/components/schemas/"
PAGE_FIELDS = {"items", "page", "page_size", "has_next"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """The schema as a client reads it (JSON: status codes are strings)."""
    from ketaclinic.config.api import api

    return json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))


def operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def component(schema: dict[str, Any], body: dict[str, Any]) -> dict[str, Any] | None:
    ref = body.get("$ref", "")
    return schema["components"]["schemas"][ref.removeprefix(REF)] if ref.startswith(REF) else None


def json_schema(response: dict[str, Any]) -> dict[str, Any]:
    return response.get("content", {}).get("application/json", {}).get("schema", {})


def is_envelope(schema: dict[str, Any], body: dict[str, Any]) -> bool:
    """``{"errors": [ErrorOut]}``, or a 422 that adds to it (a plan's conflicts)."""
    found = component(schema, body)
    if found is None:
        return False
    errors = found.get("properties", {}).get("errors", {})
    item = component(schema, errors.get("items", {}))
    return (
        errors.get("type") == "array"
        and item is not None
        and set(item["properties"]) == {"field", "message", "code"}
    )


def test_there_are_operations_to_check(schema):
    assert len(operations(schema)) > 45


@pytest.mark.parametrize("status", ERROR_STATUSES)
def test_every_operation_documents_the_error_envelope(schema, status):
    missing = [
        name
        for name, operation in operations(schema)
        if not is_envelope(schema, json_schema(operation["responses"].get(str(status), {})))
    ]
    assert not missing, f"{status} not documented as the envelope: {missing}"


def test_every_operation_answers_a_declared_schema(schema):
    untyped = []
    for name, operation in operations(schema):
        successes = [
            json_schema(response)
            for status, response in operation["responses"].items()
            if status.startswith("2")
        ]
        if not successes or any(component(schema, body) is None for body in successes):
            untyped.append(name)
    assert not untyped, f"success answers without a named schema: {untyped}"


def test_every_list_is_a_page_with_validated_paging(schema):
    problems = []
    for name, operation in operations(schema):
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                continue
            body = json_schema(response)
            if body.get("type") == "array":
                problems.append(f"{name}: a bare list, not a Page")
            found = component(schema, body) or {}
            fields = set(found.get("properties", {}))
            if fields & {"has_next", "page"}:  # a page of a list, hand-rolled or the kit's
                if not fields >= PAGE_FIELDS:
                    problems.append(f"{name}: a list without {PAGE_FIELDS - fields}")
                    continue
                query = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
                if (query.get("page", {}).get("minimum"), query.get("page", {}).get("maximum")) != (
                    1,
                    MAX_PAGE,
                ):
                    problems.append(f"{name}: page is not bounded 1..{MAX_PAGE}")
                size = query.get("page_size", {})
                if (size.get("minimum"), size.get("maximum")) != (1, MAX_PAGE_SIZE):
                    problems.append(f"{name}: page_size is not bounded 1..{MAX_PAGE_SIZE}")
    assert not problems, "\n".join(problems)


def test_a_page_query_appears_only_on_lists(schema):
    stray = []
    for name, operation in operations(schema):
        params = {p["name"] for p in operation.get("parameters", [])}
        if "page" not in params:
            continue
        ok = json_schema(operation["responses"].get("200", {}))
        if "page_size" not in set((component(schema, ok) or {}).get("properties", {})):
            stray.append(name)
    assert not stray


def test_the_schema_names_both_ways_in(schema):
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
