from django.db import models


class SideEffectSeverity(models.TextChoices):
    """How bad the side effects after a home dose were, in the patient's words."""

    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class DoseStatus(models.TextChoices):
    """A planned home dose on the calendar (computed, never stored)."""

    AWAITING_FIRST_DOSE = "awaiting_first_dose", "Waiting for the in-person first dose"
    UPCOMING = "upcoming", "Upcoming"
    DUE = "due", "Check-in due"
    CHECKED_IN = "checked_in", "Checked in"
    NEEDS_REVIEW = "needs_review", "Checked in, needs review"
    MISSED = "missed", "Missed"


class DispensedAt(models.TextChoices):
    """Where a refill was handed over: a community pharmacy, or the clinic's own stock."""

    PHARMACY = "pharmacy", "Pharmacy"
    IN_CLINIC = "in_clinic", "In clinic"


class SupplyEventKind(models.TextChoices):
    """A misuse signal around the home supply (``clinical.outcomes.MisuseSignal``)."""

    EARLY_REFILL_REQUEST = "early_refill_request", "Asked for a refill early"
    PILL_COUNT_SHORTFALL = "pill_count_shortfall", "Fewer troches counted than expected"
    DOSE_INCREASE_REQUEST = "dose_increase_request", "Asked to raise the dose or frequency"
    MISSED_RETURN = "missed_return", "Did not return unused troches"
