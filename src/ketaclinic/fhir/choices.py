"""Stored codes of the FHIR app: Bulk Data export jobs."""

from django.db import models


class ExportLevel(models.TextChoices):
    """HL7 Bulk Data kick-off levels: every resource, a group's patients, every patient."""

    SYSTEM = "system", "System"
    GROUP = "group", "Group (one site's patients)"
    PATIENT = "patient", "All patients"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired (files deleted)"
