"""Property-based fuzz of the REST API: every operation of the OpenAPI schema, no 5xx (issue 14).

Schemathesis generates requests from ``/api/v1/openapi.json`` (valid ones, and for each
operation also invalid ones: wrong types, missing fields, values past the bounds) and sends
them in-process to the WSGI application, as site A's medical director whose log-in passed
the second factor. Half of the examples name site A's real objects in the path (so bodies
reach the code behind a found record, not only the 404), the other half whatever was
generated. Every answer must be below 500, never stored by a cache (``no-store``), and an
answer the schema documents must match it.

Bounded and derandomized, so CI sees the same cases each run: ``FUZZ_EXAMPLES`` per
operation and mode (fewer on PostgreSQL, where each request costs more).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.urls import resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from tests.personas import PersonaClient
from tests.web.route_world import build_site_a_world

from ketaclinic.config.api import api

CSRF_TOKEN = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # 32 characters: a CSRF secret Django accepts


def _wall_times_without_offset(node: Any) -> Any:
    """JSON Schema's ``time`` format is RFC 3339's full-time, which requires an offset; a
    clinic's wall time (``"17:30:00"``, in the site's time zone) has none by design."""
    if isinstance(node, dict):
        if node.get("format") == "time":
            node = {key: value for key, value in node.items() if key != "format"}
        return {key: _wall_times_without_offset(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_wall_times_without_offset(value) for value in node]
    return node


def _schema() -> Any:
    document = _wall_times_without_offset(api.get_openapi_schema(path_prefix="/api/v1/"))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = WSGIHandler()
    return loaded


SCHEMA = _schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _examples() -> int:
    return 6 if connection.vendor == "postgresql" else 20


def _url_name(path_template: str) -> str:
    return resolve(re.sub(r"\{[^}]+\}", "1", path_template)).url_name


def _real_path_parameters(operation, world: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Site A's object for each path parameter, by the route matrix's world of names."""
    own = world.get(f"api-v1:{_url_name(operation.path)}", {})
    names = [parameter.name for parameter in operation.path_parameters]
    return {name: own.get(name, world[""].get(name)) for name in names}


HUGE = (10**30, -(10**30), 2**63, 2**31)


def _integer_parameters(operation) -> list[tuple[str, str]]:
    found = []
    for parameter in operation.iter_parameters():
        definition = parameter.definition.get("schema", parameter.definition)
        kinds = [definition.get("type")] + [a.get("type") for a in definition.get("anyOf", [])]
        if "integer" in kinds:
            found.append((parameter.location, parameter.name))
    return found


def _send_huge_numbers(operation, real: dict[str, Any], client) -> None:
    """Each integer in the path or query past what the database holds: a 4xx, never a 500,
    and a refused query parameter is named in the 422."""
    for location, name in _integer_parameters(operation):
        for huge in HUGE:
            path = operation.path
            for key, value in ({**real, name: huge} if location == "path" else real).items():
                path = path.replace("{" + key + "}", str(value))
            response = client.generic(
                operation.method.upper(),
                path,
                data="" if operation.method.upper() == "GET" else "{}",
                content_type="application/json",
                QUERY_STRING=f"{name}={huge}" if location == "query" else "",
            )
            assert response.status_code < 500, (name, huge)
            if response.status_code == 422 and location == "query":
                assert name in [error["field"] for error in response.json()["errors"]]


def test_the_fuzz_covers_every_operation_of_the_schema():
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    declared = sum(len(methods) for methods in paths.values())
    assert len(OPERATIONS) == declared > 40


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI components are keyed by class name: two ``AlertOut`` classes in two apps
    would be merged into one, and the schema would document the wrong fields."""
    from ninja import Schema

    def subclasses(cls: type) -> list[type]:
        return [cls, *(sub for child in cls.__subclasses__() for sub in subclasses(child))]

    ours = {cls for cls in subclasses(Schema) if cls.__module__.startswith("ketaclinic.")}
    names = [cls.__name__ for cls in ours]
    assert sorted({name for name in names if names.count(name) > 1}) == []


@contextmanager
def connection_kept_across_the_request():
    """The WSGI handler closes the database connection around each request, as a server
    should; inside a test's transaction that would close the test's own connection (on
    PostgreSQL every later query then fails). Django's test client unhooks the same signal
    for each of its requests (and hooks it again after), so this is done per call too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_no_request_makes_the_api_answer_with_a_server_error(
    operation, mode, clinic, fixed_clock, django_db_blocker
):
    world = build_site_a_world(clinic)
    real = _real_path_parameters(operation, world)
    browser = PersonaClient()
    browser.force_login(clinic.director)
    cookies = {"sessionid": browser.cookies["sessionid"].value, "csrftoken": CSRF_TOKEN}
    headers = {"X-CSRFToken": CSRF_TOKEN}
    if mode == GenerationMode.POSITIVE:
        _send_huge_numbers(operation, real, browser)

    @settings(
        max_examples=_examples(),
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), use_real_ids=st.booleans())
    def fuzz(case, use_real_ids: bool) -> None:
        if use_real_ids and real:
            case.path_parameters = {**(case.path_parameters or {}), **real}
        with connection_kept_across_the_request():
            response = case.call(cookies=cookies, headers=headers)
        assert "no-store" in " ".join(response.headers.get("cache-control", []))
        case.validate_response(
            response,
            checks=[not_a_server_error, response_schema_conformance],
            headers=headers,
        )

    fuzz()
