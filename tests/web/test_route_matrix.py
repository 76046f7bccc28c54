"""Every route the URL resolver knows, for the personas who must be refused (STYLE habit 9).

The test walks ``get_resolver().url_patterns`` (pages, the REST API's operations, method by
method), builds each URL from real objects of site A (``route_world``), and asserts:

- anonymous: a page redirects to the login page, an API operation answers 401 JSON;
- every refusal of an API operation is the edge kit's error envelope;
- a member of staff at site A with no role: 403 (404 allowed where the URL names an object);
- the nurse at site B: 404 on site A's objects (403 only where a site A nurse is refused too),
  and no page or answer of theirs shows site A's patient;
- public views are the explicit allow-list below, and views any logged-in member of staff may
  open are the second list.

A route the test cannot build a request for fails it, so a new view, with or without a
decorator, is either covered here or the suite is red. The admin site is left to Django's own
staff check (``test_the_admin_site_is_behind_its_staff_login``).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.personas import PersonaClient
from tests.web.route_world import DISTINCT_FAMILY_NAME, build_site_a_world

# Open to anyone: the login page, the health check, and patients' private links (each link's
# token is its own check) and the public waitlist form.
PUBLIC = {
    "healthz",
    "accounts:login",
    "self_report:form",
    "home_check_in:form",
    "reminder_stop:confirm",
    "join:form",
    "join:index",
    # An SMS provider's inbound webhook: answers only a POST signed with the site's secret
    # (HMAC over timestamp and body); what it may change is one number's texting consent.
    "sms_hooks:inbound",
    # FHIR's own front door: what the server supports and how a system gets a token
    # (SMART Backend Services), both public by the standards that define them.
    "fhir:metadata",
    "fhir:smart-configuration",
    "fhir:token",
}
# Answer a caller without a session with 401 and a JSON body themselves (no login redirect):
# the idle-session clock a page polls, and every FHIR interaction (a FHIR client cannot follow
# a login form; it gets an OperationOutcome).
ANSWERS_401 = {"accounts:session", "accounts:drafts", "accounts:draft-discard"}
ANSWERS_401_NAMESPACES = ("fhir:",)
NAMES_A_TYPE_ONLY = {"fhir:search"}
# Any logged-in member of staff, whatever their role: their own account (its second factor,
# its idle-session clock, its own kept drafts and API tokens), the API's schema and the
# rating scales' public definitions and scoring; no patient data behind them.
ANY_STAFF = {
    "home",
    "accounts:logout",
    "accounts:password-change",
    "accounts:mfa-status",
    "accounts:mfa-verify",
    "accounts:mfa-enrol",
    "accounts:session",
    "accounts:drafts",
    # Their own API tokens (a token carries only what its owner holds).
    "accounts:tokens",
    "api-v1:openapi-json",
    "api-v1:openapi-view",
    "api-v1:api-root",
    "api-v1:scales",
    "api-v1:scale_definition",
    "api-v1:score_only",
}
# Logging out ends at the login page (LOGOUT_REDIRECT_URL).
ENDS_AT_LOGIN = {"accounts:logout"}
# Site A's patient; no page shown to someone outside site A, or without a role, may name her.
SITE_A_PATIENT_NAME = DISTINCT_FAMILY_NAME.encode()
# Personas checked on every route.
REFUSED = ("anonymous", "no_role", "nurse_b")


@dataclass
class Route:
    name: str  # namespace:name
    pattern: str
    kwarg_names: list[str]
    api_methods: list[str] = field(default_factory=list)  # empty for pages

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api-v1:")

    @property
    def answers_401(self) -> bool:
        return (
            self.is_api or self.name in ANSWERS_401 or self.name.startswith(ANSWERS_401_NAMESPACES)
        )

    @property
    def names_an_object(self) -> bool:
        # A FHIR search names a resource type (``/fhir/Patient``), not one of site A's objects.
        return bool(self.kwarg_names) and self.name not in NAMES_A_TYPE_ONLY


def _api_methods(callback: Any, name: str) -> list[str]:
    """The HTTP methods of a django-ninja operation (its PathView is the view's ``self``)."""
    if not inspect.isfunction(callback):
        return ["GET"]
    path_view = inspect.getclosurevars(callback).nonlocals.get("self")
    if path_view is None:  # the schema, the docs page and the root answer GET
        return ["GET"]
    methods = [
        method
        for operation in path_view.operations
        if operation.view_func.__name__ == name
        for method in operation.methods
    ]
    return methods or ["GET"]


def walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            continue
        assert isinstance(pattern, URLPattern)
        name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
        route = Route(name, prefix + str(pattern.pattern), list(pattern.pattern.regex.groupindex))
        if route.is_api:
            route.api_methods = _api_methods(pattern.callback, pattern.name)
        yield route


def all_routes() -> list[Route]:
    return [r for r in walk(get_resolver().url_patterns) if not r.pattern.startswith("admin/")]


def api_requests(world: dict[str, Any], clinic) -> dict[str, dict[str, Any]]:
    """Query strings and bodies that pass the API's schema, so the answer is the view's own
    decision (401/403/404), not a 422 from validation. Keyed by operation name."""
    common = world[""]
    return {
        "create_patient": {
            "body": {
                "site_id": clinic.site_a.pk,
                "given_name": "Cara",
                "family_name": "Mendes",
                "date_of_birth": "1990-01-01",
                "sex_at_birth": "female",
            }
        },
        "acknowledge": {"body": {"note": "Called back."}},
        "administer": {
            "body": {
                "patient_id": common["patient_id"],
                "volume_drawn_ml": "1",
                "volume_given_ml": "1",
            }
        },
        "waste": {"body": {"quantity": "0.1", "witness_username": "paul", "witness_password": "x"}},
        "count": {"body": {"counted": "19"}},
        "resolve": {"body": {"reason": "Counted again: spillage."}},
        "create_assessment": {
            "body": {
                "patient_id": common["patient_id"],
                "instrument": "phq9",
                "answers": {},
                "taken_at": "2026-03-10T13:00:00Z",
            }
        },
        "list_assessments": {"query": {"patient_id": common["patient_id"]}},
        "correct": {"body": {"answers": {}, "reason": "Typo"}},
        "score_only": {"body": {"answers": {}}},
        "post_vitals": {
            "body": {"bp_systolic": 120, "bp_diastolic": 80, "heart_rate": 70, "spo2": 98}
        },
        "create_prescription": {
            "body": {
                "course_id": common["course_id"],
                "strength_mg": "100",
                "quantity_dispensed": 4,
                "written_on": "2026-03-10",
                "dose_per_session_mg": "100",
                "first_home_dose_on": "2026-03-12",
            }
        },
        "create_refill": {
            "body": {
                "dispensed_on": "2026-03-10",
                "quantity": 4,
                "dispensed_at": "2026-03-10T15:00:00Z",
            }
        },
        "create_pill_count": {"body": {"counted_on": "2026-03-10", "counted": "2"}},
        "create_note": {"body": {"session_id": world["kap"]["session_id"], "plan": "Walk."}},
        "record_attendance": {"body": {"records": []}},
        "update_preferences": {"body": {"stop_sms": True}},
        "create_screening": {"body": {"patient_id": common["patient_id"]}},
        "list_screenings": {"query": {"patient_id": common["patient_id"]}},
        "create_course": {
            "body": {
                "screening_id": common["screening_id"],
                "indication": "trd",
                "protocol_id": "iv-depression-induction",
                "starts_on": "2026-03-16",
            }
        },
        "day_schedule": {"query": {"site": clinic.site_a.pk}},
        "post_check_in": {"body": {}},
        "post_dose_order": {"body": {"mg_per_kg": "0.5"}},
        "post_dose_start": {
            "body": {"container_id": common["container_id"], "volume_drawn_ml": "3.5"}
        },
        "post_dose_stop": {"body": {"volume_given_ml": "3.5"}},
        "post_scale": {"body": {"answers": {"item1": 4}}},
        "post_discharge": {
            "body": {
                "dissociation_resolved": True,
                "escort_confirmed": True,
                "instruction_given": True,
            }
        },
    }


def url_kwargs(route: Route, world: dict[str, dict[str, Any]]) -> dict[str, Any]:
    namespace = route.name.split(":")[0] if ":" in route.name else ""
    values = {**world[""], **world.get(namespace, {}), **world.get(route.name, {})}
    missing = [name for name in route.kwarg_names if name not in values]
    if missing:
        raise LookupError(f"no site A object for {', '.join(missing)}")
    return {name: values[name] for name in route.kwarg_names}


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def send(client: Client, route: Route, url: str, method: str, spec: dict[str, Any]):
    if not route.is_api:
        response = client.get(url)
        return client.post(url, {}) if response.status_code == 405 else response
    query = spec.get("query", {})
    if method == "GET":
        return client.get(url, query)
    if "body" not in spec:
        raise LookupError("no example body for this operation")
    call = getattr(client, method.lower())
    target = f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url
    return call(target, json.dumps(spec["body"]), content_type="application/json")


def not_the_envelope(response) -> str | None:
    """Every refusal of the REST API is the edge kit's ``{"errors": [{field, message, code}]}``."""
    try:
        errors = json.loads(body_of(response))["errors"]
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code} without the error envelope"
    if not errors or any(set(e) != {"field", "message", "code"} for e in errors):
        return f"{response.status_code} with a malformed error envelope"
    return None


def judge(
    route: Route, persona: str, response, refused_site_a_nurse, *, names_an_object: bool
) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{status}"
    if route.is_api and 400 <= status < 500 and route.name != "api-v1:openapi-view":
        problem = not_the_envelope(response)
        if problem:
            return problem
    login = resolve_url(settings.LOGIN_URL)
    to_login = status == 302 and response.url.split("?")[0] == login
    if route.name in PUBLIC:
        return "sent to log in, but the view is public" if to_login or status == 401 else None
    if persona == "anonymous":
        if route.answers_401 and route.name not in {"api-v1:openapi-view"}:
            kind = response.get("Content-Type", "")
            ok = status == 401 and kind.startswith(("application/json", "application/fhir+json"))
            return None if ok else f"{status}, want 401 JSON"
        return None if to_login else f"{status}, want a redirect to {login}"
    if status == 200 and SITE_A_PATIENT_NAME in body_of(response):
        return "shows site A's patient"
    if route.name in ANY_STAFF:
        return "sent to log in" if to_login and route.name not in ENDS_AT_LOGIN else None
    if persona == "no_role":
        allowed = {403, 404} if names_an_object else {403}
        return None if status in allowed else f"{status}, want {sorted(allowed)}"
    if persona == "nurse_b" and names_an_object:
        if status == 404 or (status == 403 and refused_site_a_nurse()):
            return None
        return f"{status}, want 404 (another site's object)"
    return None


def requests_for(route: Route, requests: dict[str, dict[str, Any]]) -> list[tuple[str, dict]]:
    if not route.is_api:
        return [("GET", {})]
    operation = route.name.split(":", 1)[1]
    return [(method, requests.get(operation, {})) for method in route.api_methods]


@pytest.mark.django_db
def test_every_route_refuses_who_must_be_refused(clinic, fixed_clock):
    world = build_site_a_world(clinic)
    requests = api_requests(world, clinic)
    routes = all_routes()

    def client_for(persona: str) -> Client:
        """A fresh client per request: one route (logout) ends the session it is sent with.
        Its log-in has passed the second factor, so each answer is the view's own decision."""
        client = PersonaClient()
        if persona != "anonymous":
            client.force_login(clinic.persona(persona))
        return client

    failures, checked = [], 0
    for route in routes:
        try:
            url = reverse(route.name, kwargs=url_kwargs(route, world))
        except LookupError as error:
            failures.append(f"{route.name} ({route.pattern}): {error}")
            continue
        for method, spec in requests_for(route, requests):
            for persona in REFUSED:
                try:
                    response = send(client_for(persona), route, url, method, spec)
                except LookupError as error:
                    failures.append(f"{method} {route.name}: {error}")
                    break

                def refused_site_a_nurse(route=route, url=url, method=method, spec=spec) -> bool:
                    return send(client_for("nurse"), route, url, method, spec).status_code == 403

                checked += 1
                # A URL, query or body naming one of site A's objects (a patient, a site).
                names_an_object = (
                    route.names_an_object
                    or bool(spec.get("query"))
                    or any(key.endswith("_id") for key in spec.get("body", {}))
                )
                problem = judge(
                    route,
                    persona,
                    response,
                    refused_site_a_nurse,
                    names_an_object=names_an_object,
                )
                if problem:
                    failures.append(f"{method} {url} ({route.name}) as {persona}: {problem}")
    assert not failures, f"{len(failures)} of {checked} checks failed:\n" + "\n".join(failures)
    # Every page and operation was reached by each refused persona.
    assert checked >= len(routes) * len(REFUSED)


def test_the_allow_lists_name_only_routes_that_exist(db):
    names = {route.name for route in all_routes()}
    assert PUBLIC - names == set()
    assert ANY_STAFF - names == set()


def test_the_matrix_covers_pages_and_api_operations(db):
    routes = all_routes()
    assert sum(not r.is_api for r in routes) > 100
    assert sum(len(r.api_methods) for r in routes if r.is_api) > 45


def test_the_admin_site_is_behind_its_staff_login(client, clinic):
    for path in ("/admin/", "/admin/accounts/user/", f"/admin/patients/patient/{clinic.alice.pk}/"):
        assert client.get(path).status_code == 302
        client.force_login(clinic.no_role)
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
        client.logout()
