from django.db import models


class ReminderKind(models.TextChoices):
    """What a reminder is about; a patient may stop each kind on its own."""

    APPOINTMENT = "appointment", "Appointment reminder"
    QUESTIONNAIRE = "questionnaire", "Questionnaire reminder"


class ReminderStatus(models.TextChoices):
    """A reminder's life: pending until the sender sends, skips or gives up on it."""

    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class SkipReason(models.TextChoices):
    """Why a reminder was not sent (stored with a skipped reminder)."""

    OPTED_OUT = "opted_out", "Patient opted out"
    NO_ADDRESS = "no_address", "No address for an allowed channel"
    SESSION_CANCELLED = "session_cancelled", "Appointment cancelled or no longer planned"
    TOO_LATE = "too_late", "Too late (the appointment has started or the link has expired)"
    QUIET_UNTIL_START = "quiet_until_start", "Quiet hours last until the appointment"
    QUESTIONNAIRE_DONE = "questionnaire_done", "Questionnaire already answered"
    TURNED_OFF = "turned_off", "This kind of reminder is turned off at the site"
    NO_SMS_CONSENT = "no_sms_consent", "Text messages need the patient's opt-in first"


class OptOutScope(models.TextChoices):
    """What an opt-out stops: one kind of reminder (every channel) or one channel (every kind)."""

    APPOINTMENT = "appointment", "Appointment reminders"
    QUESTIONNAIRE = "questionnaire", "Questionnaire reminders"
    EMAIL = "email", "Reminders by e-mail"
    SMS = "sms", "Reminders by text message"


class ChangedVia(models.TextChoices):
    """How a preference was changed: the patient's link, a member of staff, or the API."""

    LINK = "link", "Patient's stop link"
    STAFF = "staff", "Staff, on the reminders page"
    API = "api", "Staff, through the API"
    SMS = "sms", "Patient's text message (STOP or START)"


class PreferredChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message (SMS)"
