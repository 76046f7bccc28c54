"""Notes: nursing and prescriber notes on a session, and the therapist's integration notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.charting.choices import NoteKind


class SessionNote(models.Model):
    """A nursing or prescriber note on one session (read by everyone who reads the chart)."""

    session = models.ForeignKey("treatment.Session", on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at", "id"]
        permissions = [("write_prescriber_note", "Can write prescriber notes on a session")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="session_note_not_empty")]

    def __str__(self) -> str:
        return self.get_kind_display()


class IntegrationNote(models.Model):
    """A therapist's integration-therapy note: what the patient brought, lived and will do.

    Psychotherapy content: therapists write, prescribers and the medical director read,
    nurses do not see it (they see only that a note exists).
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="integration_notes"
    )
    session = models.ForeignKey(
        "treatment.Session",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integration_notes",
        help_text="The dosing session this note integrates, if any.",
    )
    met_on = models.DateField()
    intentions = models.TextField(blank=True)
    experience = models.TextField(blank=True)
    integration_themes = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-met_on", "-id"]
        permissions = [
            ("write_integration_note", "Can write integration-therapy notes"),
            ("read_integration_note", "Can read integration-therapy notes"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(intentions="", experience="", integration_themes="", plan=""),
                name="integration_note_not_empty",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-met_on"], name="integration_patient_idx")]

    def __str__(self) -> str:
        return f"Integration note {self.met_on}"
