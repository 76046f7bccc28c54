"""Bulk Data export jobs: what was asked, by whom, how far it got, and the files it wrote.

A job lives in the database, not in a process: any app process can answer its status, a
worker (``ketaclinic fhir-exports run``) or the kick-off's own thread runs it, and a job whose
runner died is picked up again and resumed from the first resource type not yet written.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.fhir.choices import ExportLevel, ExportStatus


class ExportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    request_url = models.TextField()
    level = models.CharField(max_length=16, choices=ExportLevel.choices)
    group_site = models.ForeignKey(
        "accounts.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a group export: the site whose patients are exported.",
    )
    types = models.JSONField(help_text="Resource types to export, in order.")
    since = models.DateTimeField(null=True, blank=True)
    deidentified = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    transaction_time = models.DateTimeField()
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    output = models.JSONField(
        default=list, blank=True, help_text='Files written: [{"type", "file", "count"}].'
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=ExportLevel.GROUP, group_site__isnull=False)
                | (~Q(level=ExportLevel.GROUP) & Q(group_site__isnull=True)),
                name="export_group_has_a_site",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="export_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} export {self.pk} ({self.get_status_display()})"


class BackendClient(models.Model):
    """A system registered for SMART Backend Services (a researcher's script, a registry).

    It signs its token requests with a private key whose public half is in ``jwks``; it acts
    as ``account`` (a staff account: its roles and sites bound what the client sees) within
    the ``scopes`` it is registered for (``system/Observation.rs system/Patient.rs``).
    """

    client_id = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    jwks = models.JSONField(help_text='The public keys: {"keys": [JWK, ...]} (RS384 or ES384).')
    scopes = models.CharField(max_length=1000, help_text="Space-separated system scopes.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["client_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"
