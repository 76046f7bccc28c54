"""What is on the shelf: products, their lots, and each container from receipt to empty."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from ketaclinic.apps.ledger.choices import Drug, Measure, ProductForm
from ketaclinic.clinical import controlled_substances as cs


class Product(models.Model):
    """A controlled-substance product as supplied: drug, NDC, strength and package.

    ``strength_mg`` is per mL for solutions (so 10 mg/mL is also 10 µg/µL) and per unit for
    devices, troches and tablets. ``package_quantity`` is what one container holds when
    sealed, in ledger units: microlitres (a 20 mL vial is 20000) or whole units.
    """

    name = models.CharField(max_length=120)
    drug = models.CharField(max_length=20, choices=Drug.choices)
    form = models.CharField(max_length=20, choices=ProductForm.choices)
    ndc = models.CharField(max_length=13, unique=True, verbose_name="NDC")
    strength_mg = models.DecimalField(max_digits=8, decimal_places=3)
    measure = models.CharField(max_length=4, choices=Measure.choices)
    package_quantity = models.PositiveIntegerField()
    schedule = models.PositiveSmallIntegerField(default=3)
    manufacturer = models.CharField(max_length=120, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["drug", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(strength_mg__gt=0), name="product_strength_pos"),
            models.CheckConstraint(condition=Q(package_quantity__gt=0), name="product_package_pos"),
            models.CheckConstraint(
                condition=Q(schedule__gte=1, schedule__lte=5), name="product_schedule_1_5"
            ),
            models.CheckConstraint(
                condition=(Q(form=ProductForm.SOLUTION, measure=Measure.MICROLITRE))
                | (~Q(form=ProductForm.SOLUTION) & Q(measure=Measure.UNIT)),
                name="product_measure_fits_form",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def core_measure(self) -> cs.Measure:
        return cs.Measure(self.measure)

    @property
    def strength_text(self) -> str:
        strength = f"{self.strength_mg.normalize():f} mg"
        if self.measure == Measure.MICROLITRE:
            return f"{strength}/mL × {self.quantity_text(self.package_quantity)}"
        return f"{strength} per unit × {self.package_quantity}"

    def quantity_text(self, quantity: int) -> str:
        return cs.format_quantity(quantity, self.core_measure)

    def mass_mg(self, quantity: int) -> Decimal:
        return cs.mass_mg(quantity, self.core_measure, self.strength_mg)

    def mass_text(self, quantity: int) -> str:
        """Milligrams without trailing zeros ("32", "62.5"): how the label writes them."""
        return f"{self.mass_mg(quantity).normalize():f}"

    def parse(self, value: object, field: str) -> int:
        """A typed quantity (mL or units) as ledger units, or an InputError naming ``field``."""
        return cs.parse_quantity(value, self.core_measure, field)

    @property
    def unit_label(self) -> str:
        return "mL" if self.measure == Measure.MICROLITRE else "units"


class Lot(models.Model):
    """A manufacturer's lot; expired stock cannot be administered."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=40)
    expires_on = models.DateField()

    class Meta:
        ordering = ["expires_on", "lot_number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot_number"], name="lot_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.lot_number} (exp {self.expires_on:%Y-%m-%d})"

    def is_expired(self, today) -> bool:
        return self.expires_on < today


class Container(models.Model):
    """One vial, device carton or troche batch at one site, from receipt until it is empty.

    ``on_hand`` is the book balance in ledger units. It changes only under this row's lock
    (``select_for_update``) in the same transaction as the entry that explains it; the
    database refuses a negative balance or more than was received.
    """

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="containers")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="containers")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="containers")
    label = models.CharField(max_length=40, unique=True, help_text="Written on the container.")
    initial_quantity = models.PositiveIntegerField()
    on_hand = models.IntegerField()
    received_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["site", "product", "lot__expires_on", "label"]
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="container_never_negative"),
            models.CheckConstraint(
                condition=Q(on_hand__lte=F("initial_quantity")),
                name="container_at_most_received",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "product", "on_hand"], name="container_site_stock_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label} · {self.product.name}"

    @property
    def is_empty(self) -> bool:
        return self.on_hand == 0

    @property
    def is_opened(self) -> bool:
        return self.opened_at is not None

    @property
    def on_hand_text(self) -> str:
        return self.product.quantity_text(self.on_hand)

    @property
    def on_hand_mg(self) -> Decimal:
        return self.product.mass_mg(self.on_hand)
