"""What is observed during a session: vital signs, scales, rule firings, adverse events, rescue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ketaclinic.apps.charting.choices import (
    AdverseEventKind,
    MedicationRoute,
    MonitoringAction,
    ScaleCode,
    Severity,
)

VITAL_RANGES = {
    "bp_systolic": (40, 300),
    "bp_diastolic": (20, 200),
    "heart_rate": (20, 250),
    "spo2": (50, 100),
    "respiratory_rate": (4, 60),
}
"""Plausible bounds, the same as the core's ``VitalReading`` (respiratory rate: ours)."""


class VitalSign(models.Model):
    """One set of vital signs, taken every few minutes; BP and heart rate always, SpO2 too."""

    session = models.ForeignKey(
        "treatment.Session", on_delete=models.PROTECT, related_name="vital_signs"
    )
    taken_at = models.DateTimeField()
    bp_systolic = models.PositiveSmallIntegerField()
    bp_diastolic = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField()
    spo2 = models.PositiveSmallIntegerField()
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["taken_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bp_diastolic__lt=F("bp_systolic")),
                name="vital_diastolic_below_systolic",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": low, f"{name}__lte": high})
                    | (Q(**{f"{name}__isnull": True}) if name == "respiratory_rate" else Q()),
                    name=f"vital_{name}_in_range",
                )
                for name, (low, high) in VITAL_RANGES.items()
            ),
        ]
        indexes = [models.Index(fields=["session", "taken_at"], name="vital_session_time_idx")]

    def __str__(self) -> str:
        return f"{self.bp_systolic}/{self.bp_diastolic} HR {self.heart_rate} SpO2 {self.spo2}"


class ScaleEntry(models.Model):
    """An in-session MOAA/S or CADSS, scored by ``clinical.scales.score``."""

    session = models.ForeignKey(
        "treatment.Session", on_delete=models.PROTECT, related_name="scale_entries"
    )
    scale = models.CharField(max_length=16, choices=ScaleCode.choices)
    taken_at = models.DateTimeField()
    answers = models.JSONField(default=dict)
    total = models.PositiveSmallIntegerField()
    band_label = models.CharField(max_length=120, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["taken_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scale=ScaleCode.MOAAS) | Q(total__lte=5), name="scale_moaas_0_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(scale=ScaleCode.CADSS) | Q(total__lte=92), name="scale_cadss_0_to_92"
            ),
        ]
        indexes = [models.Index(fields=["session", "taken_at"], name="scale_session_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_scale_display()} {self.total}"


class MonitoringEvent(models.Model):
    """A vital-sign rule that fired (``assess_vitals``): charted once per rule per session.

    Keeping it once per rule means the prescriber is called once, not after every reading.
    """

    session = models.ForeignKey(
        "treatment.Session", on_delete=models.PROTECT, related_name="monitoring_events"
    )
    code = models.CharField(max_length=40)
    action = models.CharField(max_length=16, choices=MonitoringAction.choices)
    minute = models.DecimalField(max_digits=7, decimal_places=2)
    message = models.TextField()
    source = models.CharField(max_length=80)
    alert = models.ForeignKey(
        "alerts.Alert", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "code"], name="monitoring_event_once_per_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.get_action_display()}"


class AdverseEvent(models.Model):
    """Something harmful or unpleasant during the session, how bad, and what was done."""

    session = models.ForeignKey(
        "treatment.Session", on_delete=models.PROTECT, related_name="adverse_events"
    )
    kind = models.CharField(max_length=24, choices=AdverseEventKind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    onset_at = models.DateTimeField()
    description = models.TextField(blank=True)
    action_taken = models.TextField()
    automatic = models.BooleanField(
        default=False, help_text="Recorded by a monitoring rule (MOAA/S 0), not typed."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["onset_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=AdverseEventKind.OTHER) | ~Q(description=""),
                name="adverse_event_other_is_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_severity_display()})"


class RescueMedication(models.Model):
    """A medication given to treat an effect of the session (antiemetic, antihypertensive...)."""

    session = models.ForeignKey(
        "treatment.Session", on_delete=models.PROTECT, related_name="rescue_medications"
    )
    drug = models.CharField(max_length=80)
    dose_mg = models.DecimalField(max_digits=7, decimal_places=3)
    route = models.CharField(max_length=16, choices=MedicationRoute.choices)
    given_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["given_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(dose_mg__gt=0), name="rescue_positive_dose"),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.dose_mg} mg {self.get_route_display()}"
