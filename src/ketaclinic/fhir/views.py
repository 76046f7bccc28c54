"""The FHIR REST endpoints: metadata, read, search and Patient/$everything.

Staff authenticate with their Ketaclinic session. A missing permission is 403, a record at
another site (or none at all) is 404, bad parameters are 400 — each an OperationOutcome.
Every read, search and $everything writes one audit event.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.prepared_query import PreparedQuery
from ketaclinic.fhir.capability import capability_statement
from ketaclinic.fhir.everything import everything
from ketaclinic.fhir.import_views import create_questionnaire_response
from ketaclinic.fhir.registry import RESOURCE_TYPES
from ketaclinic.fhir.responses import base_url, error, fhir_response
from ketaclinic.fhir.search import SearchError
from ketaclinic.fhir.searching import (
    bundle,
    criteria_from,
    included,
    paging,
    parse_includes,
    parse_revincludes,
    parse_sort,
    read_resource,
    revincluded,
    run_search,
)
from ketaclinic.fhir.smart_views import accepts_bearer, scope_refusal
from ketaclinic.fhir.sources import BIGGEST_KEY

MAX_AUDITED_PATIENTS = 200


def _software_version() -> str:
    try:
        return version("ketaclinic")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


def _refusal(request: HttpRequest, type_name: str, letter: str = "s") -> HttpResponse | None:
    """401 without a session, 404 for a type we do not serve, 403 without any permission."""
    if not request.user.is_authenticated:
        return error(401, "login", "Sign in to Ketaclinic first (session authentication).")
    rt = RESOURCE_TYPES.get(type_name)
    if rt is None:
        return error(404, "not-supported", f"{type_name} is not a resource type served here.")
    if not any(source.allowed(request.user) for source in rt.sources):
        record_event(
            request, Action.ACCESS_DENIED, object_type=f"fhir.{type_name}", outcome="denied"
        )
        return error(403, "forbidden", f"Your role does not allow reading {type_name}.")
    return scope_refusal(request, type_name, letter)


# The patient an audit event names, with its site: compiled once, not on every read.
PATIENT_AND_SITE = PreparedQuery(
    lambda pk: Patient.objects.filter(pk=pk).order_by().only("id", "site_id")
)


def _patient(patient_id: int | None, read: dict[int, Patient] | None = None) -> Patient | None:
    """The patient an event names, with its site: the row the read fetched when the resource
    was the Patient itself (``read``), else one prepared query."""
    if patient_id is None or not 0 <= patient_id < BIGGEST_KEY:
        return None
    if read and patient_id in read:
        return read[patient_id]
    found = PATIENT_AND_SITE.instances(patient_id)
    return found[0] if found else None


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    statement = capability_statement(
        base_url(request),
        software_version=_software_version(),
        date=clock.now().date().isoformat(),
    )
    return fhir_response(statement)


@require_GET
@accepts_bearer
def read(request: HttpRequest, type_name: str, resource_id: str) -> HttpResponse:
    refusal = _refusal(request, type_name, "r")
    if refusal is not None:
        return refusal
    owners = [s for s in RESOURCE_TYPES[type_name].sources if s.owns(resource_id)]
    if owners and not any(source.allowed(request.user) for source in owners):
        record_event(
            request,
            Action.ACCESS_DENIED,
            object_type=f"fhir.{type_name}",
            object_id=resource_id,
            outcome="denied",
        )
        return error(
            403, "forbidden", f"Your role does not allow reading {type_name}/{resource_id}."
        )
    patients: dict[int, Patient] = {}
    found = read_resource(request.user, type_name, resource_id, patients)
    if found is None:
        return error(404, "not-found", f"{type_name}/{resource_id} is not known.")
    resource, patient_id = found
    record_event(
        request,
        Action.VIEW,
        object_type=f"fhir.{type_name}",
        object_id=resource_id,
        patient=_patient(patient_id, patients),
    )
    last_updated = resource.get("meta", {}).get("lastUpdated")
    headers = {"Last_Modified": last_updated} if last_updated else {}
    return fhir_response(resource, **headers)


@require_http_methods(["GET", "POST"])
@accepts_bearer
def search(request: HttpRequest, type_name: str) -> HttpResponse:
    if request.method == "POST":
        if type_name != "QuestionnaireResponse":
            return error(405, "not-supported", f"{type_name} is read-only here.")
        return create_questionnaire_response(request)
    refusal = _refusal(request, type_name)
    if refusal is not None:
        return refusal
    rt = RESOURCE_TYPES[type_name]
    params = [(k, v) for k, values in request.GET.lists() for v in values]
    try:
        criteria = criteria_from(rt, params)
        offset, count = paging(dict(request.GET.lists()))
        include_params = parse_includes(rt, request.GET.getlist("_include"))
        revinclude_pairs = parse_revincludes(rt, request.GET.getlist("_revinclude"))
        criteria.sort = parse_sort(rt, request.GET.getlist("_sort"))
        # A source's own parameters (Patient's birthdate) are parsed as the search runs.
        page = run_search(request.user, rt, criteria, offset, count)
        extra = included(request.user, page, include_params)
        extra += revincluded(request.user, rt, page, revinclude_pairs)
    except SearchError as problem:
        return error(400, "invalid", problem.message, expression=problem.parameter)
    patients = sorted({p for _r, p in page.resources + extra if p is not None})
    record_event(
        request,
        Action.SEARCH,
        object_type=f"fhir.{type_name}",
        patient=_patient(int(criteria.patient))
        if criteria.patient and criteria.patient.isdecimal()
        else None,
        detail={
            "query": params,
            "returned": len(page.resources) + len(extra),
            "patients": patients[:MAX_AUDITED_PATIENTS],
        },
    )
    return fhir_response(bundle(base_url(request), rt, params, page, extra, offset, count))


@require_GET
@accepts_bearer
def patient_everything(request: HttpRequest, resource_id: str) -> HttpResponse:
    refusal = _refusal(request, "Patient", "r")
    if refusal is not None:
        return refusal
    found = read_resource(request.user, "Patient", resource_id)
    if found is None:
        return error(404, "not-found", f"Patient/{resource_id} is not known.")
    result = everything(
        request.user, found[0], base_url(request), getattr(request, "fhir_scopes", None)
    )
    record_event(
        request,
        Action.VIEW,
        object_type="fhir.Patient",
        object_id=resource_id,
        patient=_patient(found[1]),
        detail={"operation": "$everything", "returned": len(result.get("entry", []))},
    )
    return fhir_response(result)
