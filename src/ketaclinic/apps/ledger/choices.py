"""Stored codes of the controlled-substance ledger (STYLE habit 6)."""

from django.db import models


class Drug(models.TextChoices):
    KETAMINE_HCL = "ketamine_hcl", "Ketamine hydrochloride"
    ESKETAMINE = "esketamine", "Esketamine hydrochloride"


class ProductForm(models.TextChoices):
    """The dosage form; solutions are kept in microlitres, the others in whole units."""

    SOLUTION = "solution", "Injectable solution (vial)"
    NASAL_DEVICE = "nasal_device", "Nasal spray device"
    TROCHE = "troche", "Troche / lozenge"
    TABLET = "tablet", "Tablet"


class Measure(models.TextChoices):
    """Matches ``ketaclinic.clinical.controlled_substances.Measure``."""

    MICROLITRE = "ul", "Microlitres"
    UNIT = "unit", "Units"


class EntryKind(models.TextChoices):
    """What an entry records. A transfer is two entries: out of one site, into the other."""

    RECEIPT = "receipt", "Receipt"
    ADMINISTRATION = "administration", "Administration"
    WASTE = "waste", "Waste (witnessed)"
    DESTRUCTION = "destruction", "Destruction (DEA Form 41)"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"
    LOSS_OR_THEFT = "loss_or_theft", "Loss or theft (DEA Form 106)"
    COUNT = "count", "Physical count"
    CORRECTION = "correction", "Correction"


INCREASING_KINDS = (EntryKind.RECEIPT, EntryKind.TRANSFER_IN)
DECREASING_KINDS = (
    EntryKind.ADMINISTRATION,
    EntryKind.WASTE,
    EntryKind.DESTRUCTION,
    EntryKind.TRANSFER_OUT,
    EntryKind.LOSS_OR_THEFT,
)
CORRECTABLE_KINDS = (
    EntryKind.RECEIPT,
    EntryKind.ADMINISTRATION,
    EntryKind.WASTE,
    EntryKind.DESTRUCTION,
    EntryKind.LOSS_OR_THEFT,
)


class DestructionMethod(models.TextChoices):
    NON_RETRIEVABLE = "non_retrievable", "Rendered non-retrievable on site (e.g. digestion pouch)"
    REVERSE_DISTRIBUTOR = "reverse_distributor", "Handed to a reverse distributor"
    INCINERATION = "incineration", "Incineration"
    OTHER = "other", "Other (describe)"


class LossType(models.TextChoices):
    """The kinds of theft or loss DEA Form 106 asks for."""

    EMPLOYEE_PILFERAGE = "employee_pilferage", "Employee pilferage"
    BREAK_IN = "break_in", "Night break-in"
    ARMED_ROBBERY = "armed_robbery", "Armed robbery"
    CUSTOMER_THEFT = "customer_theft", "Customer theft"
    LOST_IN_TRANSIT = "lost_in_transit", "Lost in transit"
    SPILLAGE_OR_BREAKAGE = "spillage", "Spillage or breakage"
    OTHER = "other", "Other (describe)"


class DiscrepancyStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class InventoryKind(models.TextChoices):
    INITIAL = "initial", "Initial inventory"
    BIENNIAL = "biennial", "Biennial inventory"
    ANNUAL = "annual", "Annual inventory (state rule)"


class InventoryTiming(models.TextChoices):
    """21 CFR 1304.11(a): an inventory says whether it was taken at opening or close."""

    OPENING = "opening", "Opening of business"
    CLOSE = "close", "Close of business"


class InventoryInterval(models.TextChoices):
    """Matches ``ketaclinic.clinical.controlled_substances.InventoryInterval``."""

    BIENNIAL = "biennial", "Every two years (federal minimum)"
    ANNUAL = "annual", "Every year (stricter state rule)"
