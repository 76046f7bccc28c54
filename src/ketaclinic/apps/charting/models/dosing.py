"""The prescriber's dose order and the nurse's administration of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.charting.choices import CapChoice, Drug, StrengthMeasure
from ketaclinic.apps.treatment.choices import Route


class DoseOrder(models.Model):
    """One session's dose, computed by ``clinical.dosing.calculate_dose`` from the latest weight.

    ``result`` is the core's whole result (working, caps, rounding, warnings) as stored, so the
    chart shows exactly what the prescriber saw when ordering. When the requested dose was
    above the route's hard cap, ``hard_cap_mg`` and its source are kept with the prescriber's
    ``cap_choice`` (the capped or the requested dose) and, for the requested dose, the reason.
    """

    session = models.OneToOneField(
        "treatment.Session", on_delete=models.PROTECT, related_name="dose_order"
    )
    drug = models.CharField(max_length=16, choices=Drug.choices)
    route = models.CharField(max_length=16, choices=Route.choices)
    mg_per_kg = models.DecimalField(max_digits=5, decimal_places=3, null=True, blank=True)
    requested_dose_mg = models.DecimalField(max_digits=8, decimal_places=3)
    dose_mg = models.DecimalField(max_digits=8, decimal_places=3)
    weight_kg = models.DecimalField(max_digits=4, decimal_places=1)
    weight_measured_on = models.DateField()
    weight_basis = models.CharField(max_length=16)
    weight_used_kg = models.DecimalField(max_digits=5, decimal_places=1)
    concentration_mg_per_ml = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    volume_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    duration_min = models.PositiveSmallIntegerField(null=True, blank=True)
    rate_ml_per_h = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    devices = models.PositiveSmallIntegerField(null=True, blank=True)
    capped = models.BooleanField(default=False)
    hard_cap_mg = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    hard_cap_source = models.CharField(max_length=80, blank=True)
    cap_choice = models.CharField(max_length=16, choices=CapChoice.choices, blank=True)
    cap_reason = models.TextField(blank=True)
    result = models.JSONField(default=dict)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField()

    class Meta:
        permissions = [("order_dose", "Can order a session's dose")]
        constraints = [
            models.CheckConstraint(condition=Q(dose_mg__gt=0), name="dose_order_positive_dose"),
            models.CheckConstraint(
                condition=~Q(cap_choice=CapChoice.REQUESTED) | ~Q(cap_reason=""),
                name="dose_order_above_cap_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dose_mg} mg {self.get_route_display()}"


class Administration(models.Model):
    """The dose as given: product and lot, volumes, start and stop as charted by the nurse.

    With a ledger ``container`` chosen, volumes are what left that vial (or devices used), the
    dose given is the ledger's mass of what was given, and stopping the dose writes the
    ledger's administration entry (``ledger_entry``) in the same transaction. Without one
    (stock kept elsewhere), product, lot and strength are typed.

    The rights (``clinical.administration_rights``): ``strength_mg`` is the product's, checked
    against the order; ``expected_volume_ml`` or ``expected_units`` is what the order means in
    that product; ``deviations`` lists every way the dose differed from its order (code,
    field, message, who accepted it and why) so the chart, the REMS record and outcome data
    all read the same facts. ``elapsed_min`` is the infusion's running time.
    """

    session = models.OneToOneField(
        "treatment.Session", on_delete=models.PROTECT, related_name="administration"
    )
    order = models.OneToOneField(DoseOrder, on_delete=models.PROTECT, related_name="administration")
    product = models.CharField(max_length=120)
    lot = models.CharField(max_length=40)
    volume_drawn_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    volume_given_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    dose_given_mg = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    strength_mg = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    strength_measure = models.CharField(max_length=8, choices=StrengthMeasure.choices, blank=True)
    expected_volume_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    expected_units = models.PositiveSmallIntegerField(null=True, blank=True)
    units_given = models.PositiveSmallIntegerField(null=True, blank=True)
    pump_rate_ml_per_h = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    elapsed_min = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    deviations = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    container = models.ForeignKey(
        "ledger.Container", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ledger_entry = models.OneToOneField(
        "ledger.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="session_administration",
    )

    class Meta:
        permissions = [
            ("administer_dose", "Can administer a session's dose"),
            (
                "override_administration",
                "Can accept, with a reason, a dose that deviates from its order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | Q(stopped_at__gte=models.F("started_at")),
                name="administration_stops_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(volume_given_ml__isnull=True)
                | Q(volume_drawn_ml__isnull=True)
                | Q(volume_given_ml__lte=models.F("volume_drawn_ml")),
                name="administration_gives_at_most_what_was_drawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} lot {self.lot}"
