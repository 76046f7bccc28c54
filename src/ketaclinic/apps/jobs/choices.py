from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class JobKind(models.TextChoices):
    LEDGER_PDF = "ledger_pdf", "Ledger report (PDF)"
