"""Pre-dose checks on the day and the prescriber's decision on a hold."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ketaclinic.apps.charting.choices import HoldOutcome, PreCheckDecision, QuestionnaireEvidence


class PreCheck(models.Model):
    """What the nurse checked before dosing and what ``pre_dose_check`` decided from it.

    A nurse may check again (rest 10 minutes and re-measure); every check is kept. ``reasons``
    is the core's result as stored, so the chart shows why even if the rules change later.
    """

    session = models.ForeignKey(
        "treatment.Session", on_delete=models.PROTECT, related_name="pre_checks"
    )
    checked_at = models.DateTimeField()
    bp_systolic = models.PositiveSmallIntegerField()
    bp_diastolic = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField()
    spo2 = models.PositiveSmallIntegerField()
    questionnaires_done = models.BooleanField()
    questionnaire_evidence = models.CharField(
        max_length=20, choices=QuestionnaireEvidence.choices, blank=True
    )
    last_food_minutes_ago = models.PositiveIntegerField()
    last_liquid_minutes_ago = models.PositiveIntegerField()
    escort_present = models.BooleanField()
    decision = models.CharField(max_length=24, choices=PreCheckDecision.choices)
    reasons = models.JSONField(default=list, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["checked_at", "id"]
        permissions = [
            ("check_in_session", "Can check a patient in for a session"),
            ("view_session_chart", "Can read session charts"),
            ("chart_session", "Can chart a session: pre-checks, vitals, scales, events, discharge"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(bp_diastolic__lt=F("bp_systolic")),
                name="precheck_diastolic_below_systolic",
            ),
            models.CheckConstraint(
                condition=Q(spo2__gte=50, spo2__lte=100), name="precheck_spo2_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Pre-check {self.get_decision_display()}"

    @property
    def is_hold(self) -> bool:
        return self.decision == PreCheckDecision.HOLD


class HoldDecision(models.Model):
    """A prescriber's decision on a held pre-check: go ahead (with a reason) or cancel."""

    pre_check = models.OneToOneField(
        PreCheck, on_delete=models.PROTECT, related_name="hold_decision"
    )
    outcome = models.CharField(max_length=16, choices=HoldOutcome.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        permissions = [("decide_hold", "Can decide whether a held session goes ahead")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="hold_decision_has_a_reason"),
        ]

    def __str__(self) -> str:
        return self.get_outcome_display()
