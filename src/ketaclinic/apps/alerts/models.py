"""An alert stays open — on the dashboards of the people it concerns — until acknowledged."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel


class Alert(models.Model):
    """Something a clinician must act on: raised by a rule, closed only by a person with a note.

    ``assigned_to`` routes it (e.g. to the patient's prescriber); the site's medical director
    sees every alert of the site, and unassigned alerts go to every prescriber at the site.
    """

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="alerts")
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    level = models.CharField(max_length=16, choices=AlertLevel.choices)
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    source_type = models.CharField(max_length=64, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_alerts",
    )
    raised_at = models.DateTimeField(db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="acknowledged_alerts",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)
    paging_step = models.PositiveSmallIntegerField(
        default=0, help_text="How many times the alert has escalated to the next person on call."
    )
    escalate_at = models.DateTimeField(
        null=True, blank=True, help_text="When to page the next person if still unacknowledged."
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        permissions = [
            ("acknowledge_alert", "Can acknowledge alerts"),
            ("view_all_site_alerts", "Can see every alert at their sites"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                    | (
                        Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False)
                        & ~Q(acknowledgement_note="")
                    )
                ),
                name="alert_acknowledged_by_someone_with_a_note",
            ),
        ]
        indexes = [
            models.Index(
                fields=["site", "-raised_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="alert_open_idx",
            ),
            models.Index(fields=["source_type", "source_id"], name="alert_source_idx"),
            models.Index(
                fields=["escalate_at"],
                condition=Q(acknowledged_at__isnull=True, escalate_at__isnull=False),
                name="alert_escalation_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


from ketaclinic.apps.alerts.on_call_models import (  # noqa: E402  (registered with this app)
    AlertPage,
    OnCallPolicy,
    OnCallShift,
    PagerNumber,
)

__all__ = ["Alert", "AlertPage", "OnCallPolicy", "OnCallShift", "PagerNumber"]
