from django.db import models


class ProgramStatus(models.TextChoices):
    """Where a KAP program stands; a closed program keeps its notes and can still be read."""

    ACTIVE = "active", "In progress"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Ended early"


class NoteKind(models.TextChoices):
    """The psychotherapy session a note belongs to (codes of ``treatment.SessionKind``)."""

    PREPARATION = "preparation", "Preparation"
    DOSING = "dosing", "Dosing session"
    INTEGRATION = "integration", "Integration"


class Consent(models.TextChoices):
    """What the patient agreed to for the dosing sessions, asked at preparation."""

    NOT_DISCUSSED = "not_discussed", "Not discussed yet"
    YES = "yes", "Yes"
    NO = "no", "No"
