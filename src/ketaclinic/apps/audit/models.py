"""Audit events: append-only, one per access to patient data, chained by a keyed MAC.

An event is inserted *unchained* (``position`` and ``mac`` NULL) in the transaction of the
request or change it describes; the chainer (``chaining.py``) later gives it the next
position and its MAC, in the order events committed. The database lets the application set
those two fields once, on unchained rows, and nothing else (migration 0004).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from ketaclinic.apps.audit.choices import Action, Outcome


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an append-only record through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} records cannot be updated")

    def delete(self) -> NoReturn:
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

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} records cannot be deleted")


class ChainHead(models.Model):
    """The latest position and hash of a named chain (the ledger's per-site chains); its row
    lock serialises their appends. The audit trail has no head row: its head is its last
    chained event, and checkpoints kept outside the database pin it."""

    name = models.CharField(max_length=100, unique=True)
    position = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class AuditEvent(AppendOnlyModel):
    """Who did what to which record, when, from where — and the MAC linking it to the last."""

    position = models.BigIntegerField(unique=True, null=True, editable=False)
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
    # NULL, not "", means "not chained yet": the database guard and the chainer rely on it.
    mac = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001
    # Which audit key made ``mac`` (``keyedchain.key_id``), so a rotated key's events verify
    # with the retired key; NULL for events chained before keys were named.
    key_id = models.CharField(max_length=16, null=True, editable=False)  # noqa: DJ001

    class Meta:
        ordering = ["-id"]
        permissions = [("export_auditevent", "Can export the audit trail")]
        indexes = [
            models.Index(fields=["patient", "-position"], name="audit_patient_idx"),
            models.Index(fields=["actor", "-position"], name="audit_actor_idx"),
            models.Index(fields=["action", "-position"], name="audit_action_idx"),
            models.Index(
                fields=["id"], condition=models.Q(position__isnull=True), name="audit_unchained_idx"
            ),
        ]

    def __str__(self) -> str:
        who = self.actor_username or "system"
        return f"#{self.position or '-'} {who} {self.action} {self.object_type}"

    def chained_fields(self) -> dict:
        """Everything the MAC covers, in plain JSON types (as read back from the database)."""
        return chained_fields_of({name: getattr(self, attname) for name, attname in CHAINED})


CHAINED: tuple[tuple[str, str], ...] = (
    ("position", "position"),
    ("occurred_at", "occurred_at"),
    ("actor_id", "actor_id"),
    ("actor_username", "actor_username"),
    ("site_id", "site_id"),
    ("patient_id", "patient_id"),
    ("action", "action"),
    ("object_type", "object_type"),
    ("object_id", "object_id"),
    ("outcome", "outcome"),
    ("request_id", "request_id"),
    ("client_address", "client_address"),
    ("path", "path"),
    ("detail", "detail"),
)
CHAINED_COLUMNS: tuple[str, ...] = tuple(attname for _name, attname in CHAINED)


def chained_fields_of(values: dict) -> dict:
    """The canonical event from a row's values (``CHAINED_COLUMNS``, as the database returns
    them): the chainer and the verifier both build it from what was stored, never from the
    object that was saved."""
    fields = dict(values)
    fields["occurred_at"] = fields["occurred_at"].isoformat()
    return fields


class VerifiedAuditCheckpoint(models.Model):
    """A head of the chain that ``audit verify`` found intact, signed like a checkpoint file:
    where the next ``audit verify --since-checkpoint`` (without a FILE) starts.

    Written only after a clean run (in full, or from an earlier verified checkpoint), so each
    vouches for every event before it. Kept in the database for the nightly run's convenience,
    not as a security boundary: the signature (the audit key's, which the database does not
    hold) makes an edited row fail verification, and a deleted one only means a full run. What
    it cannot do is re-check events before its position — only the full run does that; files
    on write-once storage (``audit checkpoint --out``) are what pin the head against someone
    who can write the database.
    """

    position = models.BigIntegerField(db_index=True)
    signed = models.TextField(help_text="The signed checkpoint (keyedchain.sign_checkpoint).")
    verified_at = models.DateTimeField()
    full = models.BooleanField(help_text="Whether the run that made it started at position 1.")

    def __str__(self) -> str:
        return f"audit verified to #{self.position}"
