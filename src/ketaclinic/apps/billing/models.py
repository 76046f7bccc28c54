"""Billing records: a site's billing profile, fee schedule and code table, and the payers'
prior authorizations of a course. Nothing here is sent to a payer: superbills and the claims
file are documents a patient or an outside billing system takes away."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from ketaclinic.apps.accounts.models import validate_npi_field
from ketaclinic.apps.billing.choices import AuthorizationStatus, BillingService, PayerKind

POS_FORMAT = RegexValidator(r"^\d{2}$", "Two digits (11 is an office).")
TAX_ID_FORMAT = RegexValidator(r"^(\d{2}-?\d{7})?$", "An EIN: 12-3456789.")


class BillingProfile(models.Model):
    """How a site appears on a superbill and in the claims file (CMS-1500 items 25, 32, 33)."""

    site = models.OneToOneField(
        "accounts.Site", on_delete=models.PROTECT, related_name="billing_profile"
    )
    billing_name = models.CharField(max_length=200)
    npi = models.CharField(
        "organisation NPI", max_length=10, blank=True, validators=[validate_npi_field]
    )
    tax_id = models.CharField(
        "federal tax ID (EIN)", max_length=10, blank=True, validators=[TAX_ID_FORMAT]
    )
    place_of_service = models.CharField(max_length=2, default="11", validators=[POS_FORMAT])
    lapse_warning_days = models.PositiveSmallIntegerField(
        default=14, help_text="Warn this many days before an authorization ends."
    )
    sessions_left_warning = models.PositiveSmallIntegerField(
        default=2, help_text="Warn when this many authorised sessions or fewer are left."
    )

    def __str__(self) -> str:
        return self.billing_name


class FeeScheduleEntry(models.Model):
    """The site's charge for one unit of a code (a J0013 fee is per mg)."""

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="fees")
    code = models.CharField(max_length=12)
    description = models.CharField(max_length=200, blank=True)
    fee_per_unit = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["site", "code"]
        verbose_name_plural = "fee schedule entries"
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="fee_once_per_site_code"),
            models.CheckConstraint(condition=Q(fee_per_unit__gte=0), name="fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.fee_per_unit}"


class CodeMapping(models.Model):
    """The site's own code for a service, where it differs from the default table."""

    site = models.ForeignKey(
        "accounts.Site", on_delete=models.PROTECT, related_name="code_mappings"
    )
    service = models.CharField(max_length=40, choices=BillingService.choices)
    code = models.CharField(max_length=12)

    class Meta:
        ordering = ["site", "service"]
        constraints = [
            models.UniqueConstraint(fields=["site", "service"], name="code_mapping_once_per_site"),
        ]

    def __str__(self) -> str:
        return f"{self.service} -> {self.code}"


class PriorAuthorization(models.Model):
    """A payer's prior authorization for a course: who pays, for how many sessions, when."""

    site_path = "course__site"

    course = models.ForeignKey(
        "treatment.Course", on_delete=models.PROTECT, related_name="authorizations"
    )
    payer_name = models.CharField(max_length=120)
    payer_kind = models.CharField(max_length=16, choices=PayerKind.choices)
    member_number = models.CharField(max_length=40)
    authorization_number = models.CharField(max_length=40, blank=True)
    authorised_sessions = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    authorised_units = models.PositiveIntegerField(
        null=True, blank=True, help_text="Units, if the payer counts them (J0013: mg)."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=AuthorizationStatus.choices, default=AuthorizationStatus.REQUESTED
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["ends_on", "id"]
        permissions = [
            ("view_lapsing_authorizations", "See every authorization about to lapse"),
            ("print_authorization_packet", "Print a prior-authorization packet"),
            ("print_superbill", "Print a patient's superbill"),
            ("export_claims", "Export the claims file for an outside billing system"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="authorization_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(authorised_sessions__gte=1), name="authorization_at_least_a_session"
            ),
            models.CheckConstraint(
                condition=~Q(status=AuthorizationStatus.APPROVED) | ~Q(authorization_number=""),
                name="approved_authorization_has_a_number",
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_on"], name="authorization_lapse_idx")]

    def __str__(self) -> str:
        number = self.authorization_number or "pending"
        return f"{self.payer_name} {number} ({self.get_status_display()})"
