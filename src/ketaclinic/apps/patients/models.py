"""A patient of a site, and the weight and height history that dosing depends on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from ketaclinic.apps.patients.choices import (
    ICD10CM,
    ConditionCode,
    ConditionStatus,
    MeasurementSource,
    SexAtBirth,
    TrialResponse,
)
from ketaclinic.clinical.body_weight import body_mass_index

MRN_FORMAT = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{2,19}$", "Use 3 to 20 capital letters, digits or dashes."
)
PHONE_FORMAT = RegexValidator(
    r"^\+?[0-9 ()./-]{6,25}$", "Enter a phone number: digits, spaces, + ( ) - . /"
)

WEIGHT_KG_RANGE = (Decimal("2.0"), Decimal("400.0"))
HEIGHT_CM_RANGE = (Decimal("40.0"), Decimal("250.0"))


class Patient(models.Model):
    """A person treated at a site. The medical record number is unique within the site."""

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=20, validators=[MRN_FORMAT])
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(max_length=16, choices=SexAtBirth.choices)
    gender_identity = models.CharField(max_length=60, blank=True)
    pronouns = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=25, blank=True, validators=[PHONE_FORMAT])
    address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=25, blank=True, validators=[PHONE_FORMAT])
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "mrn"], name="patient_mrn_unique_per_site"),
            models.CheckConstraint(
                condition=Q(date_of_birth__gte=dt.date(1900, 1, 1)), name="patient_dob_after_1900"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "family_name", "given_name"], name="patient_name_idx"),
            models.Index(fields=["site", "date_of_birth"], name="patient_dob_idx"),
            # The patient list's order across every site a user sees, read in order and
            # stopped after a page (the per-site index above needs a sort of the whole match).
            models.Index(fields=["family_name", "given_name", "id"], name="patient_name_order_idx"),
            # "Recently updated" on the home page: the newest few, not a sort of them all.
            models.Index(fields=["updated_at"], name="patient_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: dt.date) -> int:
        """Completed years on ``day`` (a birthday on 29 February counts on 1 March)."""
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - int(before_birthday)


class Measurement(models.Model):
    """Weight and (optionally) height on a date; the latest one feeds weight-based dosing."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField()
    weight_kg = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(WEIGHT_KG_RANGE[0]), MaxValueValidator(WEIGHT_KG_RANGE[1])],
    )
    height_cm = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(HEIGHT_CM_RANGE[0]), MaxValueValidator(HEIGHT_CM_RANGE[1])],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(
        max_length=16, choices=MeasurementSource.choices, default=MeasurementSource.CHART
    )

    class Meta:
        ordering = ["-measured_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_kg__gte=WEIGHT_KG_RANGE[0], weight_kg__lte=WEIGHT_KG_RANGE[1]),
                name="measurement_weight_in_range",
            ),
            models.CheckConstraint(
                condition=Q(height_cm__isnull=True)
                | Q(height_cm__gte=HEIGHT_CM_RANGE[0], height_cm__lte=HEIGHT_CM_RANGE[1]),
                name="measurement_height_in_range",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-measured_on"], name="measurement_latest_idx")]

    def __str__(self) -> str:
        return f"{self.weight_kg} kg on {self.measured_on}"

    @property
    def bmi(self) -> Decimal | None:
        """Body-mass index, kg/m², to one decimal, when this measurement has a height."""
        if self.height_cm is None:
            return None
        return body_mass_index(self.weight_kg, self.height_cm).quantize(Decimal("0.1"))


class Condition(models.Model):
    """A diagnosis on the patient's problem list, coded for export (ICD-10-CM)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="conditions")
    code = models.CharField(max_length=40, choices=ConditionCode.choices)
    status = models.CharField(
        max_length=16, choices=ConditionStatus.choices, default=ConditionStatus.ACTIVE
    )
    onset_on = models.DateField(null=True, blank=True)
    primary = models.BooleanField(default=False, help_text="The condition being treated.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-primary", "code"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "code"], name="condition_once_per_patient"),
        ]

    def __str__(self) -> str:
        return self.get_code_display()

    @property
    def icd10cm(self) -> str:
        return ICD10CM[self.code][0]


class AntidepressantTrial(models.Model):
    """A previous antidepressant trial, taken at intake: the treatment-resistance history a
    prior-authorization packet shows (drug, dose, duration, response)."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="antidepressant_trials"
    )
    drug = models.CharField(max_length=80)
    daily_dose_mg = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="The highest daily dose reached, mg.",
    )
    duration_weeks = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(520)]
    )
    response = models.CharField(max_length=16, choices=TrialResponse.choices)
    started_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(daily_dose_mg__gt=0), name="trial_dose_positive"),
            models.CheckConstraint(
                condition=Q(duration_weeks__gte=1), name="trial_at_least_a_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.daily_dose_mg} mg/day for {self.duration_weeks} weeks"


@dataclass(frozen=True)
class BodyMetrics:
    """What dosing and the chart need: the latest weight, the latest known height, the BMI.

    Height is measured rarely, so it is carried forward from the most recent measurement that
    has one; the BMI uses that height with the latest weight.
    """

    weight: Measurement | None
    height_cm: Decimal | None

    @property
    def bmi(self) -> Decimal | None:
        if self.weight is None or self.height_cm is None:
            return None
        return body_mass_index(self.weight.weight_kg, self.height_cm).quantize(Decimal("0.1"))


def body_metrics(measurements: list[Measurement]) -> BodyMetrics:
    """From measurements newest first (the model's ordering)."""
    latest = measurements[0] if measurements else None
    height = next((m.height_cm for m in measurements if m.height_cm is not None), None)
    return BodyMetrics(latest, height)
