"""Audit events: append-only, hash-chained, one per access to patient data."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ketaclinic.apps.audit.choices import Action, Outcome


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an append-only record through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} records cannot be updated")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} records cannot be deleted")


class AppendOnlyModel(models.Model):
    """A model whose rows are written once; the database refuses changes too (triggers)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} records cannot be deleted")


class ChainHead(models.Model):
    """The latest position and hash of a named chain; its row lock serialises appends."""

    name = models.CharField(max_length=100, unique=True)
    position = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class AuditEvent(AppendOnlyModel):
    """Who did what to which record, when, from where — and the hash linking it to the last."""

    position = models.BigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    site = models.ForeignKey(
        "accounts.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    request_id = models.CharField(max_length=64, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-position"]
        permissions = [("export_auditevent", "Can export the audit trail")]
        indexes = [
            models.Index(fields=["patient", "-position"], name="audit_patient_idx"),
            models.Index(fields=["actor", "-position"], name="audit_actor_idx"),
            models.Index(fields=["action", "-position"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.position} {self.actor_username or 'system'} {self.action} {self.object_type}"
        )

    def chained_fields(self) -> dict:
        """Everything the hash covers, in plain JSON types."""
        return {
            "position": self.position,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "site_id": self.site_id,
            "patient_id": self.patient_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "outcome": self.outcome,
            "request_id": self.request_id,
            "client_address": self.client_address,
            "path": self.path,
            "detail": self.detail,
        }
