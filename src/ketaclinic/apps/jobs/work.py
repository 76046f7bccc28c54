"""Queueing, leasing, running and cleaning jobs.

``claim_next`` takes the oldest job that is queued, or running under a lease that ran out, with
one conditional UPDATE: of two workers racing for a job, the database lets exactly one change
it. A runner's failure puts the job back in the queue until ``MAX_ATTEMPTS``; a ``JobRefused``
fails it at once. Results expire ``RESULT_HOURS`` after they are made.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from ketaclinic.apps.jobs.choices import JobStatus
from ketaclinic.apps.jobs.models import MAX_ATTEMPTS, Job
from ketaclinic.apps.jobs.registry import JobRefused, runner_for
from ketaclinic.apps.web import clock

__all__ = ["RESULT_HOURS", "claim_next", "clean_expired", "enqueue", "run_job", "work"]

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=15)
RESULT_HOURS = 24


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def enqueue(kind: str, owner, site_id: int, params: dict) -> Job:
    """Create the job; outside production (``make demo``, development) make it at once, since
    nobody runs a worker there."""
    job = Job.objects.create(
        kind=kind, owner=owner, site_id=site_id, params=params, created_at=clock.now()
    )
    if settings.KETACLINIC_JOBS_INLINE:
        claimed = claim_next(worker="inline", job_id=job.pk)
        if claimed is not None:
            run_job(claimed)
            job.refresh_from_db()
    return job


def claim_next(worker: str | None = None, job_id=None) -> Job | None:
    """Lease the oldest job that is waiting (or whose lease ran out); None if there is none."""
    now = clock.now()
    takeable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_expires_at__lt=now)
    candidates = Job.objects.filter(takeable).order_by("created_at")
    if job_id is not None:
        candidates = candidates.filter(pk=job_id)
    for candidate in candidates.values_list("pk", flat=True)[:10]:
        taken = Job.objects.filter(takeable, pk=candidate).update(
            status=JobStatus.RUNNING,
            leased_by=worker or worker_name(),
            lease_expires_at=now + LEASE,
            started_at=now,
            progress_percent=0,
            attempts=F("attempts") + 1,
        )
        if taken:
            return Job.objects.get(pk=candidate)
    return None


def _progress(job: Job):
    def report(percent: int) -> None:
        percent = max(0, min(int(percent), 99))
        Job.objects.filter(pk=job.pk, leased_by=job.leased_by).update(
            progress_percent=percent, lease_expires_at=clock.now() + LEASE
        )

    return report


def run_job(job: Job) -> None:
    """Run a leased job and store its result or its failure."""
    try:
        result = runner_for(job.kind)(job, _progress(job))
    except JobRefused as refused:
        _finish(job, status=JobStatus.FAILED, message=str(refused)[:300])
        return
    except Exception as error:  # a worker survives a job's crash; the job is retried
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        retry = job.attempts < MAX_ATTEMPTS
        _finish(
            job,
            status=JobStatus.QUEUED if retry else JobStatus.FAILED,
            message=f"Attempt {job.attempts} failed ({type(error).__name__})"
            + ("; trying again." if retry else "; no more attempts."),
        )
        return
    now = clock.now()
    with transaction.atomic():
        Job.objects.filter(pk=job.pk, leased_by=job.leased_by).update(
            status=JobStatus.DONE,
            progress_percent=100,
            result=result.content,
            result_name=result.name,
            result_type=result.content_type,
            message="",
            finished_at=now,
            expires_at=now + dt.timedelta(hours=RESULT_HOURS),
            lease_expires_at=None,
        )


def _finish(job: Job, *, status: str, message: str) -> None:
    now = clock.now()
    Job.objects.filter(pk=job.pk, leased_by=job.leased_by).update(
        status=status,
        message=message,
        lease_expires_at=None,
        finished_at=now if status == JobStatus.FAILED else None,
        expires_at=now + dt.timedelta(hours=RESULT_HOURS) if status == JobStatus.FAILED else None,
    )


@dataclass(frozen=True)
class WorkPass:
    done: int
    failed: int


def work(max_jobs: int | None = None, worker: str | None = None) -> WorkPass:
    """Run waiting jobs one after another until none is left (or ``max_jobs``)."""
    done = failed = 0
    name = worker or worker_name()
    while max_jobs is None or done + failed < max_jobs:
        job = claim_next(worker=name)
        if job is None:
            break
        run_job(job)
        status = Job.objects.filter(pk=job.pk).values_list("status", flat=True).first()
        if status == JobStatus.DONE:
            done += 1
        else:
            failed += 1
    return WorkPass(done, failed)


def clean_expired() -> int:
    """Delete jobs whose result expired; returns how many."""
    deleted, _ = Job.objects.filter(expires_at__lt=clock.now()).delete()
    return deleted
