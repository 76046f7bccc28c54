from django.db import models


class AlertKind(models.TextChoices):
    """What raised the alert. Every area that raises alerts has its kind here."""

    SUICIDAL_IDEATION = "suicidal_ideation", "Suicidal ideation reported"
    VITAL_SIGNS = "vital_signs", "Vital signs outside limits"
    ADVERSE_EVENT = "adverse_event", "Adverse event"
    SESSION_HOLD = "session_hold", "Session held"
    LEDGER_DISCREPANCY = "ledger_discrepancy", "Controlled-substance discrepancy"
    HOME_CHECK_IN = "home_check_in", "Home check-in needs review"
    MISSED_CHECK_IN = "missed_check_in", "Home check-in missed"
    ENQUIRY_CRISIS = "enquiry_crisis", "Enquiry reports current suicidal thoughts"
    REMS_DUE = "rems_due", "REMS form due"
    LICENCE_EXPIRY = "licence_expiry", "Licence or registration expiring"
    IOP_ABSENCES = "iop_absences", "Unexcused IOP absences in a row"
    AUTHORIZATION_LAPSING = "authorization_lapsing", "Prior authorization about to end"
    AUTHORIZATION_SESSIONS = "authorization_sessions", "Prior authorization's sessions nearly used"
    OTHER = "other", "Other"


class AlertLevel(models.TextChoices):
    URGENT = "urgent", "Urgent"
    WARNING = "warning", "Warning"


class PageChannel(models.TextChoices):
    """How an urgent alert reaches the person on call (the messaging channels)."""

    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message / pager"


class PageOutcome(models.TextChoices):
    """What happened to one attempt to reach a person about an alert."""

    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NO_ADDRESS = "no_address", "No address on file"
    NO_ONE_ON_CALL = "no_one_on_call", "No one on call"
    CHAIN_EXHAUSTED = "chain_exhausted", "Everyone on call was paged"
