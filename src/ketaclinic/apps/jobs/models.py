"""A job: one piece of slow work asked for by a member of staff, and its result.

The requester's page creates the job and shows its progress; a worker (``ketaclinic jobs
work``) takes it under a lease, so two workers never make the same job and a job whose worker
died is taken again once the lease runs out (up to ``MAX_ATTEMPTS``). The result lives in the
database, like everything else the stateless app processes share, until it expires and
``ketaclinic jobs clean`` deletes it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from ketaclinic.apps.jobs.choices import JobKind, JobStatus

MAX_ATTEMPTS = 3


class Job(models.Model):
    # A random id: a job's address names nothing another person could guess.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=JobKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    leased_by = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    result = models.BinaryField(null=True, blank=True, editable=False)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="jobs_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="jobs_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
