"""How a session ends: the discharge, and for esketamine the REMS monitoring record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.charting.choices import RemsStatus, RespiratoryStatus


class Discharge(models.Model):
    """The patient left: the readiness check as it stood, who discharged, the instruction given.

    A nurse discharges only when ``ready``; a prescriber may discharge a patient who is not
    ready with an ``override_reason`` (the check's reasons stay on record beside it).
    """

    session = models.OneToOneField(
        "treatment.Session", on_delete=models.PROTECT, related_name="discharge"
    )
    ready = models.BooleanField()
    reasons = models.JSONField(default=list, blank=True)
    observed_minutes = models.PositiveIntegerField()
    dissociation_resolved = models.BooleanField()
    escort_confirmed = models.BooleanField()
    escort_name = models.CharField(max_length=120, blank=True)
    instruction = models.TextField()
    instruction_given = models.BooleanField()
    override_reason = models.TextField(blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    discharged_at = models.DateTimeField()

    class Meta:
        permissions = [
            ("override_discharge", "Can discharge a patient the readiness check holds back")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ready=True) | ~Q(override_reason=""),
                name="discharge_ready_or_overridden",
            ),
            models.CheckConstraint(
                condition=Q(instruction_given=True), name="discharge_instruction_given"
            ),
        ]

    def __str__(self) -> str:
        return f"Discharged at {self.discharged_at:%H:%M}"


class RemsRecord(models.Model):
    """The Spravato REMS patient-monitoring form's content, prefilled from the chart.

    It must be submitted to the REMS within 7 days of the session (``rems.rems_due``).
    """

    session = models.OneToOneField(
        "treatment.Session", on_delete=models.PROTECT, related_name="rems_record"
    )
    dose_mg = models.DecimalField(max_digits=6, decimal_places=1)
    lot = models.CharField(max_length=40)
    monitoring_minutes = models.PositiveIntegerField()
    bp_before_systolic = models.PositiveSmallIntegerField()
    bp_before_diastolic = models.PositiveSmallIntegerField()
    bp_40min_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_40min_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_discharge_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_discharge_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    sedation = models.BooleanField(help_text="Sedation observed during monitoring.")
    dissociation = models.BooleanField(help_text="Dissociation observed during monitoring.")
    respiratory_status = models.CharField(max_length=16, choices=RespiratoryStatus.choices)
    concomitant_medications = models.TextField(blank=True)
    adverse_events = models.TextField(blank=True)
    # The rest of the printed form (clinical.rems_form.FIELDS), prefilled from the chart.
    form_version = models.CharField(max_length=120, blank=True)
    patient_first_name = models.CharField(max_length=100, blank=True)
    patient_middle_initial = models.CharField(max_length=1, blank=True)
    patient_last_name = models.CharField(max_length=100, blank=True)
    patient_birth_date = models.DateField(null=True, blank=True)
    patient_sex = models.CharField(max_length=8, blank=True)
    first_treatment = models.BooleanField(null=True, blank=True)
    patient_enrolled = models.BooleanField(null=True, blank=True)
    benzodiazepines = models.BooleanField(null=True, blank=True)
    non_benzodiazepine_hypnotics = models.BooleanField(null=True, blank=True)
    psychostimulants = models.BooleanField(null=True, blank=True)
    maois = models.BooleanField("MAOIs", null=True, blank=True)
    opioids = models.BooleanField(null=True, blank=True)
    clinician_first_name = models.CharField(max_length=100, blank=True)
    clinician_last_name = models.CharField(max_length=100, blank=True)
    clinician_phone = models.CharField(max_length=40, blank=True)
    clinician_email = models.EmailField(blank=True)
    setting_name = models.CharField(max_length=200, blank=True)
    setting_address_1 = models.CharField(max_length=200, blank=True)
    setting_address_2 = models.CharField(max_length=200, blank=True)
    setting_city = models.CharField(max_length=100, blank=True)
    setting_state = models.CharField(max_length=40, blank=True)
    setting_zip = models.CharField(max_length=20, blank=True)
    treatment_date = models.DateField(null=True, blank=True)
    ready_to_leave_minutes = models.PositiveIntegerField(null=True, blank=True)
    vitals_ok_before = models.BooleanField(null=True, blank=True)
    vitals_ok_at_completion = models.BooleanField(null=True, blank=True)
    pulse_oximetry = models.BooleanField(null=True, blank=True)
    serious_adverse_event = models.BooleanField(null=True, blank=True)
    serious_adverse_event_description = models.TextField(blank=True)
    # The way out: status, the document sent, attempts (RemsSubmissionAttempt rows).
    status = models.CharField(
        max_length=10, choices=RemsStatus.choices, default=RemsStatus.PREPARED
    )
    document_pdf = models.BinaryField(null=True, blank=True, editable=False)
    document_sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submission_reference = models.CharField(max_length=80, blank=True)

    class Meta:
        permissions = [
            ("record_rems", "Can prepare and submit the esketamine REMS record"),
            ("view_rems_dashboard", "Can see the site's REMS forms due, sent and failed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True, submitted_by__isnull=True)
                | Q(submitted_at__isnull=False, submitted_by__isnull=False),
                name="rems_submitted_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"REMS record ({self.get_status_display().lower()})"
