"""Bulk Data endpoints: ``$export`` kick-off (system, Group, Patient), status, files.

Kick-off needs ``Prefer: respond-async`` and answers 202 with ``Content-Location`` (the
status URL). Status answers 202 with ``X-Progress`` while the job runs, 200 with the
manifest when done, 500 with an OperationOutcome if it failed; DELETE cancels. Only the
member of staff who asked may poll or download, and only with the permission to export
the clinic's dataset (the medical director). ``_deidentified=true`` asks for the
researchers' variant (see ``deidentify``). Kick-off and each download are audited.
"""

from __future__ import annotations

import json
import shutil

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import sites_for
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web import clock
from ketaclinic.fhir import bulk
from ketaclinic.fhir.choices import ExportLevel, ExportStatus
from ketaclinic.fhir.deidentify import NOT_EXPORTED
from ketaclinic.fhir.models import ExportJob
from ketaclinic.fhir.responses import base_url, error
from ketaclinic.fhir.smart import permits
from ketaclinic.fhir.smart_views import accepts_bearer

EXPORT_PERMISSION = "outcomes.export_dataset"
OUTPUT_FORMATS = frozenset({"application/fhir+ndjson", "application/ndjson", "ndjson"})
KICK_OFF_PARAMS = frozenset({"_outputFormat", "_type", "_since", "_deidentified"})
NDJSON = "application/fhir+ndjson"


def _refusal(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return error(401, "login", "Sign in to Ketaclinic first (session authentication).")
    if not request.user.has_perm(EXPORT_PERMISSION):
        record_event(request, Action.ACCESS_DENIED, object_type="fhir.export", outcome="denied")
        return error(403, "forbidden", "Your role does not allow bulk exports.")
    return None


def _parse_since(raw: str):
    from django.utils.dateparse import parse_datetime

    try:
        moment = parse_datetime(raw.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return None
    return moment


def _kick_off(request: HttpRequest, level: str, group_site=None) -> HttpResponse:
    if "respond-async" not in request.headers.get("Prefer", ""):
        return error(400, "invalid", "Bulk exports are asynchronous: send Prefer: respond-async.")
    unknown = set(request.GET) - KICK_OFF_PARAMS
    if unknown:
        name = sorted(unknown)[0]
        return error(400, "not-supported", f"{name} is not supported here.", expression=name)
    output_format = request.GET.get("_outputFormat", NDJSON)
    if output_format not in OUTPUT_FORMATS:
        return error(400, "not-supported", "Only NDJSON output.", expression="_outputFormat")
    allowed = bulk.export_types(level)
    scopes = getattr(request, "fhir_scopes", None)
    if scopes is not None:
        allowed = [t for t in allowed if permits(scopes, t, "r")]
    types = allowed
    if request.GET.get("_type"):
        types = [t for t in request.GET["_type"].split(",") if t]
        wrong = [t for t in types if t not in allowed]
        if wrong:
            message = (
                f"{wrong[0]} cannot be exported at this level (allowed: {', '.join(allowed)})."
            )
            return error(400, "invalid", message, expression="_type")
    since = None
    if request.GET.get("_since"):
        since = _parse_since(request.GET["_since"])
        if since is None:
            message = "Give an instant with a time zone, e.g. 2026-03-01T00:00:00Z."
            return error(400, "invalid", message, expression="_since")
    deidentified = request.GET.get("_deidentified", "false")
    if deidentified not in ("true", "false"):
        return error(400, "invalid", "true or false.", expression="_deidentified")
    if deidentified == "true":
        types = [t for t in types if t not in NOT_EXPORTED]
    now = clock.now()
    bulk.cleanup_expired()
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=request.user,
            request_url=request.build_absolute_uri(),
            level=level,
            group_site=group_site,
            types=types,
            since=since,
            deidentified=deidentified == "true",
            transaction_time=now,
            created_at=now,
        )
        record_event(
            request,
            Action.EXPORT,
            object_type="fhir.export",
            object_id=job.pk,
            site=group_site,
            detail={"level": level, "types": types, "deidentified": job.deidentified},
        )
        if settings.FHIR_EXPORT_RUNNER == "thread":
            transaction.on_commit(lambda: bulk.run_in_thread(job.pk))
    response = HttpResponse(status=202)
    response["Content-Location"] = f"{base_url(request)}bulk/{job.pk}"
    return response


@require_http_methods(["GET"])
@accepts_bearer
def system_export(request: HttpRequest) -> HttpResponse:
    return _refusal(request) or _kick_off(request, ExportLevel.SYSTEM)


@require_http_methods(["GET"])
@accepts_bearer
def patient_export(request: HttpRequest) -> HttpResponse:
    return _refusal(request) or _kick_off(request, ExportLevel.PATIENT)


@require_http_methods(["GET"])
@accepts_bearer
def group_export(request: HttpRequest, group_id: str) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    head, _dash, tail = group_id.partition("-")
    site = (
        sites_for(request.user, "patients.view_patient").filter(pk=tail).first()
        if head == "site" and tail.isdecimal()
        else None
    )
    if site is None:
        return error(404, "not-found", f"Group/{group_id} is not known (groups are site-<id>).")
    return _kick_off(request, ExportLevel.GROUP, site)


def _own_job(request: HttpRequest, job_id) -> ExportJob | None:
    return ExportJob.objects.filter(pk=job_id, requested_by=request.user).first()


# CSRF-exempt because FHIR clients send DELETE without a form token. It cannot be forged from
# another site: a browser sends a cross-origin DELETE only after a CORS preflight, which
# Ketaclinic never grants (no Access-Control-Allow-* headers), and a GET here changes nothing.
# Only the job's own requester may cancel it (``_own_job``; tests/fhir/test_fhir_bulk.py).
@csrf_exempt
@require_http_methods(["GET", "DELETE"])
@accepts_bearer
def export_status(request: HttpRequest, job_id) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    job = _own_job(request, job_id)
    if job is None or job.status in (ExportStatus.CANCELLED, ExportStatus.EXPIRED):
        return error(404, "not-found", "No such export (or it was cancelled or has expired).")
    if request.method == "DELETE":
        job.status = ExportStatus.CANCELLED
        job.save(update_fields=["status"])
        shutil.rmtree(bulk.job_directory(job), ignore_errors=True)
        return HttpResponse(status=202)
    if job.status == ExportStatus.FAILED:
        return error(500, "exception", f"The export failed: {job.error}")
    if job.status != ExportStatus.COMPLETED:
        response = HttpResponse(status=202)
        response["X-Progress"] = f"{len(job.output)} of {len(job.types)} resource types written"
        response["Retry-After"] = "2"
        return response
    body = json.dumps(bulk.manifest(job, base_url(request)))
    response = HttpResponse(body, content_type="application/json")
    response["Expires"] = job.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@require_http_methods(["GET"])
@accepts_bearer
def export_file(request: HttpRequest, job_id, file_name: str) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    job = _own_job(request, job_id)
    entry = next((e for e in (job.output if job else []) if e["file"] == file_name), None)
    if job is None or job.status != ExportStatus.COMPLETED or entry is None:
        return error(404, "not-found", "No such export file.")
    record_event(
        request,
        Action.EXPORT,
        object_type="fhir.export",
        object_id=job.pk,
        detail={"file": file_name, "count": entry["count"], "deidentified": job.deidentified},
    )
    path = bulk.job_directory(job) / file_name
    return FileResponse(path.open("rb"), content_type=NDJSON)
