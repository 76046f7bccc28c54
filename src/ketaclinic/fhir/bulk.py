"""HL7 Bulk Data Access: running an export job and describing its result (the manifest).

A job writes one NDJSON file per resource type under ``FHIR_EXPORT_DIR/<job id>/``, streaming
rows from the database in chunks (``QuerySet.iterator``), so memory stays flat whatever the
size of the export. Each file is written to a temporary name and renamed when complete; the
job records it in ``output`` at once, so a job whose runner died resumes at the next type.
The export sees what its requester may read, at the sites they work at, when it runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q

from ketaclinic.apps.web import clock
from ketaclinic.fhir.choices import ExportLevel, ExportStatus
from ketaclinic.fhir.deidentify import DEIDENTIFICATION, Deidentifier
from ketaclinic.fhir.models import ExportJob
from ketaclinic.fhir.registry import RESOURCE_TYPES
from ketaclinic.fhir.responses import dumps
from ketaclinic.fhir.search import DateRange
from ketaclinic.fhir.sources import Criteria

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=10)
DEIDENTIFIED_EXTENSION = "https://ketaclinic.org/fhir/StructureDefinition/deidentified-export"


class Cancelled(Exception):
    """The job was cancelled (DELETE on its status URL) while it ran."""


def job_directory(job: ExportJob) -> Path:
    return Path(settings.FHIR_EXPORT_DIR) / str(job.pk)


def export_types(level: str) -> list[str]:
    """What each level may export: a system export everything; patient-level exports the
    patient compartment (with the questionnaires their responses answer)."""
    if level == ExportLevel.SYSTEM:
        return list(RESOURCE_TYPES)
    return [name for name, rt in RESOURCE_TYPES.items() if rt.patient_linked]


def _criteria(job: ExportJob) -> Criteria:
    criteria = Criteria()
    if job.since is not None:
        criteria.last_updated.append(DateRange("ge", job.since, job.since))
    if job.level == ExportLevel.GROUP:
        criteria.site_ids = [job.group_site_id]
    return criteria


def _deidentifier(job: ExportJob) -> Deidentifier:
    key = hmac.new(settings.SECRET_KEY.encode(), str(job.pk).encode(), hashlib.sha256).digest()
    return Deidentifier(key, job.transaction_time.date())


def claim(job_id) -> ExportJob | None:
    """Take a queued job, or a running one whose runner stopped beating, for this runner."""
    now = clock.now()
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .filter(pk=job_id)
            .filter(
                Q(status=ExportStatus.QUEUED)
                | Q(status=ExportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
            )
            .first()
        )
        if job is None:
            return None
        job.status = ExportStatus.RUNNING
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["status", "started_at", "heartbeat_at"])
    return job


def _write_type(job: ExportJob, type_name: str, directory: Path, deid: Deidentifier | None):
    rt = RESOURCE_TYPES[type_name]
    user = job.requested_by
    criteria = _criteria(job)
    final = directory / f"{type_name}.ndjson"
    partial = directory / f"{type_name}.ndjson.part"
    count = 0
    with partial.open("w", encoding="utf-8") as out:
        for source in rt.sources:
            for resource, patient_id in source.rows(source.match(user, criteria)):
                if deid is not None:
                    kept = deid.resource(resource, patient_id)
                    if kept is None:
                        continue
                    resource = kept
                out.write(dumps(resource))
                out.write("\n")
                count += 1
    partial.replace(final)
    return {"type": type_name, "file": final.name, "count": count}


def run_job(job_id) -> ExportJob | None:
    """Run (or resume) one job to its end; ``None`` when another runner has it."""
    job = claim(job_id)
    if job is None:
        return None
    directory = job_directory(job)
    directory.mkdir(parents=True, exist_ok=True)
    deid = _deidentifier(job) if job.deidentified else None
    done = {entry["type"] for entry in job.output}
    try:
        for type_name in job.types:
            if type_name in done:
                continue
            if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.CANCELLED).exists():
                raise Cancelled
            entry = _write_type(job, type_name, directory, deid)
            job.output = [*job.output, entry]
            job.heartbeat_at = clock.now()
            job.save(update_fields=["output", "heartbeat_at"])
    except Cancelled:
        shutil.rmtree(directory, ignore_errors=True)
        return job
    except Exception as problem:  # a failed job says why on its status URL
        logger.exception("FHIR export %s failed", job.pk)
        job.status = ExportStatus.FAILED
        job.error = f"{type(problem).__name__}: {problem}"[:2000]
        _finish(job)
        return job
    job.status = ExportStatus.COMPLETED
    _finish(job)
    return job


def _finish(job: ExportJob) -> None:
    now = clock.now()
    job.finished_at = now
    job.expires_at = now + dt.timedelta(hours=settings.FHIR_EXPORT_RETENTION_HOURS)
    job.save(update_fields=["status", "error", "finished_at", "expires_at"])


def run_in_thread(job_id) -> None:
    """The ``thread`` runner: the job runs beside the request that started it."""
    import threading

    def target() -> None:
        close_old_connections()
        try:
            run_job(job_id)
        finally:
            connection.close()

    threading.Thread(target=target, name=f"fhir-export-{job_id}", daemon=True).start()


def runnable_jobs() -> list:
    """Queued jobs, and running jobs whose runner has stopped (to resume)."""
    stale = clock.now() - STALE_AFTER
    return list(
        ExportJob.objects.filter(
            Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, heartbeat_at__lt=stale)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


def cleanup_expired() -> int:
    """Delete the files of jobs past their retention time; the job rows stay, ``expired``."""
    expired = ExportJob.objects.filter(
        status__in=[ExportStatus.COMPLETED, ExportStatus.FAILED], expires_at__lt=clock.now()
    )
    count = 0
    for job in expired:
        shutil.rmtree(job_directory(job), ignore_errors=True)
        job.status = ExportStatus.EXPIRED
        job.save(update_fields=["status"])
        count += 1
    return count


def manifest(job: ExportJob, base_url: str) -> dict:
    out = {
        "transactionTime": job.transaction_time.isoformat(),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": entry["type"],
                "url": f"{base_url}bulk/{job.pk}/{entry['file']}",
                "count": entry["count"],
            }
            for entry in job.output
            if entry["count"] > 0
        ],
        "error": [],
    }
    if job.deidentified:
        out["extension"] = {DEIDENTIFIED_EXTENSION: DEIDENTIFICATION}
    return out
