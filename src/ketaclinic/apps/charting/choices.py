"""Stored codes of the session chart (STYLE habit 6): every status and kind is a TextChoices."""

from django.db import models


class PreCheckDecision(models.TextChoices):
    """Codes match ``ketaclinic.clinical.monitoring.PreDoseDecision``."""

    PROCEED = "proceed", "Proceed"
    PROCEED_WITH_CAUTION = "proceed_with_caution", "Proceed with caution"
    HOLD = "hold", "Hold"


class QuestionnaireEvidence(models.TextChoices):
    """Where "questionnaires done" came from: today's stored assessments or the nurse's tick."""

    ASSESSMENTS = "assessments", "Today's self-report assessments"
    NURSE_CONFIRMED = "nurse_confirmed", "Confirmed by the nurse"


class HoldOutcome(models.TextChoices):
    PROCEED = "proceed", "Proceed with the dose"
    CANCEL = "cancel", "Cancel the session"


class Drug(models.TextChoices):
    KETAMINE = "ketamine", "Ketamine HCl (racemic)"
    ESKETAMINE = "esketamine", "Esketamine (Spravato)"


class ScaleCode(models.TextChoices):
    """In-session observer scales; ids match ``ketaclinic.clinical.scales``."""

    MOAAS = "moaas", "MOAA/S (sedation)"
    CADSS = "cadss", "CADSS (dissociation)"


class AdverseEventKind(models.TextChoices):
    NAUSEA = "nausea", "Nausea"
    VOMITING = "vomiting", "Vomiting"
    DIZZINESS = "dizziness", "Dizziness"
    HYPERTENSION = "hypertension", "Hypertension"
    DISSOCIATION = "dissociation", "Distressing dissociation"
    EMERGENCE_REACTION = "emergence_reaction", "Emergence reaction"
    SEDATION = "sedation", "Excessive sedation"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class MedicationRoute(models.TextChoices):
    IV = "iv", "IV"
    IM = "im", "IM"
    ORAL = "oral", "Oral"
    SUBLINGUAL = "sublingual", "Sublingual"
    INTRANASAL = "intranasal", "Intranasal"
    INHALED = "inhaled", "Inhaled"


class MonitoringAction(models.TextChoices):
    """Codes match ``ketaclinic.clinical.monitoring.InSessionAction``."""

    CONTINUE = "continue", "Continue"
    RECHECK = "recheck", "Recheck"
    PAUSE = "pause", "Pause the dose"
    STOP = "stop", "Stop the dose"


class NoteKind(models.TextChoices):
    NURSING = "nursing", "Nursing note"
    PRESCRIBER = "prescriber", "Prescriber note"


class RespiratoryStatus(models.TextChoices):
    """REMS form: was there respiratory depression during monitoring."""

    NORMAL = "normal", "No respiratory depression"
    DEPRESSION = "depression", "Respiratory depression observed"


class CapChoice(models.TextChoices):
    """Codes match ``ketaclinic.clinical.dosing.CapChoice``: the prescriber's choice at a cap."""

    CAPPED = "capped", "The capped dose"
    REQUESTED = "requested", "The requested dose (above the cap)"


class StrengthMeasure(models.TextChoices):
    """Codes match ``ketaclinic.clinical.administration_rights.StrengthMeasure``."""

    PER_ML = "per_ml", "mg per mL"
    PER_UNIT = "per_unit", "mg per unit"


class RemsStatus(models.TextChoices):
    """A REMS form's way out: prepared (not yet complete), queued, sent, or failed for good.

    ``queued`` forms are sent by ``ketaclinic rems send-due``; a failed attempt stays queued
    with a later ``next_attempt_at`` until the attempts run out (then ``failed``, loud on the
    REMS dashboard). ``marked`` is a form a person submitted by other means (the REMS portal).
    """

    PREPARED = "prepared", "Prepared, not complete"
    QUEUED = "queued", "Queued to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    MARKED = "marked", "Submitted by staff"


class RemsChannelKind(models.TextChoices):
    """How a site's REMS forms leave: a fax provider's HTTP API, an e-mail-to-fax HTTP API,
    or an outbox folder (development and the demo; nothing leaves the building)."""

    FAX_API = "fax_api", "Fax provider HTTP API"
    EMAIL_TO_FAX = "email_to_fax", "E-mail-to-fax HTTP API"
    OUTBOX = "outbox", "Outbox folder (development)"
    NONE = "none", "Not configured"
