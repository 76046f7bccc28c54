"""A stored screening: exactly what the rules were given, what they found, who decided.

The inputs are kept as the JSON object handed to ``ScreeningInput.from_dict`` and the
clinic's parameters as ``ScreeningParameters.to_dict`` gave them, with the rule set's
version, so a decision can be explained later even after the rules or settings change.
The prescriber's sign-off is part of the same row: a screening is signed once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.treatment.choices import (
    FindingLevel,
    Route,
    ScreeningDecision,
    Setting,
    SignoffDecision,
)


class Screening(models.Model):
    """One eligibility screening of a patient for a route and setting, and its sign-off.

    ``findings`` is a list of ``{code, level, message, source}`` (most severe first).
    ``signoff_reasons`` maps each ``review`` finding's code to the prescriber's documented
    reason for proceeding past it.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="screenings"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField(help_text="The object given to ScreeningInput.from_dict.")
    route = models.CharField(max_length=16, choices=Route.choices)
    setting = models.CharField(max_length=8, choices=Setting.choices)
    rules_version = models.CharField(max_length=40)
    parameters = models.JSONField(help_text="ScreeningParameters.to_dict() at screening time.")
    decision = models.CharField(max_length=12, choices=ScreeningDecision.choices)
    findings = models.JSONField(default=list)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signoff_decision = models.CharField(max_length=16, choices=SignoffDecision.choices, blank=True)
    signoff_reasons = models.JSONField(default=dict, blank=True)
    signoff_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-screened_at", "-id"]
        permissions = [("sign_screening", "Sign off a screening (prescriber)")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(signed_by__isnull=True, signed_at__isnull=True, signoff_decision="")
                    | (
                        Q(signed_by__isnull=False, signed_at__isnull=False)
                        & ~Q(signoff_decision="")
                    )
                ),
                name="screening_signoff_complete_or_absent",
            ),
            models.CheckConstraint(
                condition=~Q(
                    decision=ScreeningDecision.INELIGIBLE,
                    signoff_decision=SignoffDecision.PROCEED,
                ),
                name="screening_ineligible_never_proceeds",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-screened_at"], name="screening_patient_idx")]

    def __str__(self) -> str:
        return f"Screening of {self.patient} for {self.route} ({self.decision})"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def may_plan(self) -> bool:
        """A plan may be made only from a screening a prescriber signed as ``proceed``."""
        return self.signoff_decision == SignoffDecision.PROCEED

    def findings_at(self, level: str) -> list[dict]:
        return [f for f in self.findings if f["level"] == level]

    @property
    def review_codes(self) -> list[str]:
        return [f["code"] for f in self.findings_at(FindingLevel.REVIEW)]

    @property
    def has_contraindication(self) -> bool:
        return bool(self.findings_at(FindingLevel.CONTRAINDICATED))
