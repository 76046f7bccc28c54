from django.db import models


class AssessmentSource(models.TextChoices):
    """Who entered this version of the answers."""

    CLINICIAN = "clinician", "Entered by staff"
    SELF_REPORT = "self_report", "Patient self-report (link)"


class SentVia(models.TextChoices):
    """How a self-report link reached the patient."""

    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"
    NOT_SENT = "not_sent", "Not sent (link copied by staff)"


class ScheduleRule(models.TextChoices):
    """When a questionnaire schedule issues a new link."""

    BEFORE_EVERY_SESSION = "before_every_session", "Before every dosing session"
    WEEKLY = "weekly", "Weekly"
    EVERY_N_DAYS = "every_n_days", "Every N days"
