"""Home prescriptions and their refills, check-in links and check-ins, and pill counts.

A home prescription is a Schedule III prescription of sublingual ketamine for a course on
the ``sublingual-home`` protocol; its limits come from ``clinical.home_checkins`` (21 CFR
1306.22). Each home dose is reported through a single-use private link whose token is
stored only as its SHA-256 (as for self-report links).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.assessments.choices import SentVia
from ketaclinic.apps.homeprogram.choices import DispensedAt, SideEffectSeverity, SupplyEventKind
from ketaclinic.apps.web.private_links import PrivateLink
from ketaclinic.clinical.home_checkins import EARLY_REFILL_FRACTION


class HomePrescription(models.Model):
    """Sublingual ketamine to take at home: strength, quantity, refills, dose and frequency."""

    site_path = "patient__site"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="home_prescriptions"
    )
    course = models.ForeignKey(
        "treatment.Course", on_delete=models.PROTECT, related_name="home_prescriptions"
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="home_prescriptions"
    )
    product = models.CharField(max_length=120, default="Ketamine HCl sublingual troche")
    strength_mg = models.DecimalField(
        max_digits=6, decimal_places=2, help_text="Ketamine per troche (mg)."
    )
    quantity_dispensed = models.PositiveIntegerField(help_text="Troches dispensed.")
    refills_authorised = models.PositiveSmallIntegerField(default=0)
    refills_until = models.DateField(null=True, blank=True)
    written_on = models.DateField()
    dose_per_session_mg = models.DecimalField(max_digits=6, decimal_places=2)
    max_doses_per_week = models.PositiveSmallIntegerField(default=2)
    first_home_dose_on = models.DateField(
        help_text="Planned first home dose; the calendar follows the sublingual-home protocol."
    )
    directions = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refills_authorised__lte=5), name="home_rx_at_most_five_refills"
            ),
            models.CheckConstraint(
                condition=Q(refills_until__isnull=True)
                | Q(refills_until__gte=models.F("written_on")),
                name="home_rx_refills_after_written",
            ),
            models.CheckConstraint(
                condition=Q(quantity_dispensed__gte=1), name="home_rx_dispenses_something"
            ),
            models.CheckConstraint(
                condition=Q(strength_mg__gt=0) & Q(dose_per_session_mg__gt=0),
                name="home_rx_positive_amounts",
            ),
            models.CheckConstraint(
                condition=Q(max_doses_per_week__gte=1) & Q(max_doses_per_week__lte=7),
                name="home_rx_doses_per_week_1_to_7",
            ),
            models.CheckConstraint(
                condition=Q(first_home_dose_on__gte=models.F("written_on")),
                name="home_rx_first_dose_after_written",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-written_on"], name="home_rx_patient_idx")]

    def __str__(self) -> str:
        return f"{self.product} {self.strength_mg} mg x {self.quantity_dispensed}"


class RefillDispensing(models.Model):
    """One refill handed to the patient: when, how many troches, where, and who recorded it.

    The first fill is the prescription's own ``quantity_dispensed`` (on the date written);
    each refill is a row here, never an edit, so the patient's supply is the sum of both.
    Schedule III limits and the early-refill line are checked by ``clinical.home_checkins``.
    """

    prescription = models.ForeignKey(
        HomePrescription, on_delete=models.PROTECT, related_name="refills"
    )
    dispensed_on = models.DateField()
    quantity = models.PositiveIntegerField(help_text="Troches dispensed.")
    dispensed_at = models.CharField(max_length=12, choices=DispensedAt.choices)
    pharmacy = models.CharField(max_length=120, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["dispensed_on", "id"]
        permissions = [
            ("record_refill", "Record a refill dispensed by a pharmacy or in clinic"),
            ("record_in_clinic_dispensing", "Record a refill dispensed in clinic"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="refill_dispenses_something"),
            models.CheckConstraint(
                condition=Q(dispensed_at__in=DispensedAt.values), name="refill_place_known"
            ),
            models.CheckConstraint(
                condition=~Q(dispensed_at=DispensedAt.PHARMACY, pharmacy=""),
                name="refill_pharmacy_named",
            ),
        ]

    def __str__(self) -> str:
        return f"Refill {self.dispensed_on}: {self.quantity}"


class HomeProgramSettings(models.Model):
    """A site's home-program lines: when a refill counts as early.

    ``early_refill_fraction``: the share of the previous supply that should be used (at the
    prescribed rate) before a refill; 0.85 follows ``kern_2020_early_refills``.
    """

    site = models.OneToOneField(
        "accounts.Site", on_delete=models.PROTECT, related_name="home_program_settings"
    )
    early_refill_fraction = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=EARLY_REFILL_FRACTION,
        help_text=(
            "Share of the last supply (0 to 1) that should be used at the prescribed rate "
            "before a refill; 0.85 follows Kern et al. 2020 (a fill 15% early is early)."
        ),
    )

    class Meta:
        verbose_name_plural = "home program settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(early_refill_fraction__gte=0) & Q(early_refill_fraction__lte=1),
                name="home_settings_fraction_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"Home program settings for {self.site}"


class HomeCheckInLink(PrivateLink):
    """A single-use, expiring link for the check-in of one planned home dose."""

    prescription = models.ForeignKey(
        HomePrescription, on_delete=models.PROTECT, related_name="links"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    planned_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_via = models.CharField(max_length=16, choices=SentVia.choices)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="home_link_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Home check-in link for {self.planned_on}"


class HomeCheckIn(models.Model):
    """What the patient reported about one home dose, and the findings the core drew."""

    prescription = models.ForeignKey(
        HomePrescription, on_delete=models.PROTECT, related_name="check_ins"
    )
    link = models.OneToOneField(
        HomeCheckInLink, null=True, blank=True, on_delete=models.PROTECT, related_name="check_in"
    )
    planned_on = models.DateField()
    dose_taken = models.BooleanField()
    taken_at = models.DateTimeField(null=True, blank=True)
    amount_mg = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    responsible_adult_present = models.BooleanField()
    mood_0_10 = models.PositiveSmallIntegerField()
    anxiety_0_10 = models.PositiveSmallIntegerField()
    suicidal_thoughts = models.BooleanField()
    nausea = models.BooleanField(default=False)
    vomiting = models.BooleanField(default=False)
    dizziness = models.BooleanField(default=False)
    dissociation = models.BooleanField(default=False)
    other_side_effects = models.CharField(max_length=200, blank=True)
    side_effect_severity = models.CharField(
        max_length=12, choices=SideEffectSeverity.choices, default=SideEffectSeverity.NONE
    )
    bp_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    findings = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["planned_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mood_0_10__lte=10) & Q(anxiety_0_10__lte=10),
                name="home_check_in_ratings_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(dose_taken=False) | Q(taken_at__isnull=False, amount_mg__gt=0),
                name="home_check_in_taken_dose_has_time_and_amount",
            ),
            models.CheckConstraint(
                condition=Q(bp_systolic__isnull=True, bp_diastolic__isnull=True)
                | Q(bp_systolic__isnull=False, bp_diastolic__isnull=False),
                name="home_check_in_bp_both_or_neither",
            ),
        ]
        indexes = [models.Index(fields=["prescription", "planned_on"], name="home_ci_rx_idx")]

    def __str__(self) -> str:
        return f"Home check-in for {self.planned_on}"

    @property
    def side_effects(self) -> list[str]:
        named = [
            label
            for label, present in (
                ("nausea", self.nausea),
                ("vomiting", self.vomiting),
                ("dizziness", self.dizziness),
                ("dissociation", self.dissociation),
            )
            if present
        ]
        if self.other_side_effects:
            named.append(self.other_side_effects)
        return named


class PillCount(models.Model):
    """Troches counted at a visit, with what the dispensings and check-ins said to expect."""

    prescription = models.ForeignKey(
        HomePrescription, on_delete=models.PROTECT, related_name="pill_counts"
    )
    counted_on = models.DateField()
    counted = models.DecimalField(max_digits=7, decimal_places=2)
    dispensed = models.PositiveIntegerField(
        default=0, help_text="Troches dispensed in all (first fill and refills) at the count."
    )
    reported_taken = models.DecimalField(max_digits=7, decimal_places=2)
    expected_on_hand = models.DecimalField(max_digits=7, decimal_places=2)
    discrepancy = models.DecimalField(max_digits=7, decimal_places=2)
    note = models.TextField(blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-counted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(counted__gte=0), name="pill_count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Pill count {self.counted_on}: {self.counted}"


class SupplyEvent(models.Model):
    """A misuse signal in the home program: an early-refill request, a pill-count shortfall,
    a request to raise the dose or frequency, or unused troches not returned.

    Recorded by staff (a shortfall also by ``record_pill_count`` itself), never edited: the
    outcomes page counts the courses with each signal to measure the "non-addictive" claim.
    """

    prescription = models.ForeignKey(
        HomePrescription, on_delete=models.PROTECT, related_name="supply_events"
    )
    kind = models.CharField(max_length=24, choices=SupplyEventKind.choices)
    occurred_on = models.DateField()
    pill_count = models.OneToOneField(
        PillCount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supply_event",
        help_text="The count that showed a shortfall, when it was recorded from one.",
    )
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SupplyEventKind.values), name="supply_event_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(pill_count__isnull=True) | Q(kind=SupplyEventKind.PILL_COUNT_SHORTFALL),
                name="supply_event_count_is_a_shortfall",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"
