"""POST /fhir/QuestionnaireResponse and transaction Bundles of them (POST /fhir/).

Session-authenticated like the rest of the API, so a POST carries the CSRF token
(``X-CSRFToken``). A Bundle is all or nothing: one bad response and none is stored.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from ketaclinic.fhir import imports, surveys
from ketaclinic.fhir.responses import base_url, error, fhir_response


def _refusal(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return error(401, "login", "Sign in to Ketaclinic first (session authentication).")
    if not request.user.has_perm(imports.PERMISSION):
        return error(403, "forbidden", "Your role does not allow entering assessments.")
    return None


def _body(request: HttpRequest):
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


def create_questionnaire_response(request: HttpRequest) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    try:
        assessment = imports.import_response(request, _body(request))
    except imports.ImportProblem as problem:
        return error(422, "invalid", problem.message, expression=problem.where)
    except Http404:
        return error(404, "not-found", "No such patient at your sites.")
    resource = surveys.questionnaire_response_resource(assessment)
    location = f"{base_url(request)}QuestionnaireResponse/{assessment.pk}"
    return fhir_response(resource, 201, Location=location)


class _Rollback(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__("rolled back")
        self.response = response


@require_POST
def transaction_bundle(request: HttpRequest) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    bundle = _body(request)
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return error(400, "invalid", "POST a Bundle of type transaction.", expression="Bundle")
    if bundle.get("type") != "transaction":
        return error(400, "not-supported", "Only transaction Bundles.", expression="Bundle.type")
    entries = bundle.get("entry") or []
    try:
        with transaction.atomic():
            created = []
            for index, entry in enumerate(entries):
                where = f"Bundle.entry[{index}]"
                wanted = (entry.get("request") or {}) if isinstance(entry, dict) else {}
                if wanted.get("method") != "POST" or wanted.get("url") != "QuestionnaireResponse":
                    message = "only POST QuestionnaireResponse entries"
                    raise _Rollback(error(400, "not-supported", message, expression=where))
                try:
                    created.append(imports.import_response(request, entry.get("resource")))
                except imports.ImportProblem as problem:
                    expression = f"{where}.resource: {problem.where}"
                    response = error(422, "invalid", problem.message, expression=expression)
                    raise _Rollback(response) from None
                except Http404:
                    message = "No such patient at your sites."
                    raise _Rollback(error(404, "not-found", message, expression=where)) from None
    except _Rollback as rollback:
        return rollback.response
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "transaction-response",
            "entry": [
                {
                    "response": {
                        "status": "201 Created",
                        "location": f"QuestionnaireResponse/{assessment.pk}",
                    }
                }
                for assessment in created
            ],
        }
    )
