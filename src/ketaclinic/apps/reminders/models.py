"""Reminders to patients, their contact preferences, opt-outs and each site's reminder policy.

A ``Reminder`` is planned ahead (one row per appointment and offset, one per questionnaire
link) and decided at send time: the sender looks again at the session, the link and the
patient's preferences, so a cancelled appointment or a fresh opt-out stops it even after it
was planned. Unique constraints make planning idempotent; a row lock and a status
transition make sending idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ketaclinic.apps.reminders.choices import (
    ChangedVia,
    OptOutScope,
    PreferredChannel,
    ReminderKind,
    ReminderStatus,
    SkipReason,
)
from ketaclinic.apps.reminders.quiet_hours import QuietWindow

DEFAULT_QUIET_START = dt.time(21, 0)
DEFAULT_QUIET_END = dt.time(8, 0)
DEFAULT_APPOINTMENT_OFFSETS_HOURS = [48, 2]
DEFAULT_QUESTIONNAIRE_AFTER_HOURS = 24


def validate_offsets(value: object) -> None:
    if (
        not isinstance(value, list)
        or not value
        or len(value) > 4
        or not all(isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= 336 for h in value)
        or len(set(value)) != len(value)
    ):
        raise ValidationError("Give one to four different whole hours from 1 to 336 (14 days).")


def default_offsets() -> list[int]:
    return list(DEFAULT_APPOINTMENT_OFFSETS_HOURS)


class ReminderPolicy(models.Model):
    """A site's reminder rules: when appointment and questionnaire reminders go, and the
    clinic's quiet hours (a patient may set their own). A site without a row uses the
    defaults above (48 h and 2 h before; 24 h after a questionnaire link; 21:00-08:00)."""

    site = models.OneToOneField(
        "accounts.Site", on_delete=models.CASCADE, related_name="reminder_policy"
    )
    appointment_reminders = models.BooleanField(default=True)
    questionnaire_reminders = models.BooleanField(default=True)
    appointment_offsets_hours = models.JSONField(
        default=default_offsets,
        validators=[validate_offsets],
        help_text="Hours before the planned start, e.g. [48, 2].",
    )
    questionnaire_after_hours = models.PositiveSmallIntegerField(
        default=DEFAULT_QUESTIONNAIRE_AFTER_HOURS,
        help_text="Hours after a questionnaire link was sent, if it is still unanswered.",
    )
    quiet_start = models.TimeField(default=DEFAULT_QUIET_START)
    quiet_end = models.TimeField(
        default=DEFAULT_QUIET_END, help_text="Equal to the start: no quiet hours."
    )

    class Meta:
        verbose_name_plural = "reminder policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(questionnaire_after_hours__gte=1, questionnaire_after_hours__lte=168),
                name="reminder_policy_questionnaire_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminders at {self.site}"

    @property
    def quiet_window(self) -> QuietWindow:
        return QuietWindow(self.quiet_start, self.quiet_end)


def policy_for(site) -> ReminderPolicy:
    """The site's policy, or an unsaved one holding the defaults."""
    try:
        return site.reminder_policy
    except ReminderPolicy.DoesNotExist:
        return ReminderPolicy(site=site)


class ContactPreference(models.Model):
    """How a patient wants reminders: the preferred channel and, optionally, their own quiet
    hours (both times or neither; neither means the clinic's). Opt-outs are ``OptOut`` rows."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="contact_preference"
    )
    preferred_channel = models.CharField(
        max_length=8, choices=PreferredChannel.choices, default=PreferredChannel.EMAIL
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sms_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the patient opted in to text messages."
    )
    sms_consent_via = models.CharField(max_length=8, choices=ChangedVia.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="contact_preference_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact preferences of patient {self.patient_id}"

    @property
    def quiet_window(self) -> QuietWindow | None:
        if self.quiet_start is None or self.quiet_end is None:
            return None
        return QuietWindow(self.quiet_start, self.quiet_end)


class OptOut(models.Model):
    """One opt-out, kept for the record: what it stops, when, how and by whom; and, if the
    patient later agreed to receive it again, when and by whom it was withdrawn. At most one
    opt-out per scope is in force for a patient."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="reminder_opt_outs"
    )
    scope = models.CharField(max_length=16, choices=OptOutScope.choices)
    created_at = models.DateTimeField()
    created_via = models.CharField(max_length=8, choices=ChangedVia.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminder = models.ForeignKey(
        "reminders.Reminder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The reminder whose stop link the patient used.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_via = models.CharField(max_length=8, choices=ChangedVia.choices, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "scope"],
                condition=Q(withdrawn_at__isnull=True),
                name="opt_out_once_in_force_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(created_via__in=(ChangedVia.LINK, ChangedVia.SMS))
                | Q(created_by__isnull=False),
                name="opt_out_by_staff_names_who",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_via="")
                | Q(withdrawn_at__isnull=False)
                & ~Q(withdrawn_via="")
                & (Q(withdrawn_by__isnull=False) | Q(withdrawn_via=ChangedVia.SMS)),
                name="opt_out_withdrawal_names_who_and_how",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} stopped"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class Reminder(models.Model):
    """One reminder to one patient about one appointment (at one offset) or one questionnaire
    link. ``planned_for`` is when the rule wanted it; ``due_at`` is when the sender will next
    look at it (later when quiet hours deferred it or a send failed)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="reminders"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    session = models.ForeignKey(
        "treatment.Session", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    offset_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Appointments: hours before the planned start."
    )
    self_report_link = models.ForeignKey(
        "assessments.SelfReportLink",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    planned_for = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Why it was deferred.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=8, choices=PreferredChannel.choices, blank=True)
    sender = models.CharField(max_length=20, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    stop_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "offset_hours"],
                condition=Q(session__isnull=False),
                name="reminder_once_per_session_and_offset",
            ),
            models.UniqueConstraint(
                fields=["self_report_link"],
                condition=Q(self_report_link__isnull=False),
                name="reminder_once_per_self_report_link",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind=ReminderKind.APPOINTMENT,
                    session__isnull=False,
                    offset_hours__isnull=False,
                    self_report_link__isnull=True,
                )
                | Q(
                    kind=ReminderKind.QUESTIONNAIRE,
                    session__isnull=True,
                    offset_hours__isnull=True,
                    self_report_link__isnull=False,
                ),
                name="reminder_is_about_one_thing_of_its_kind",
            ),
            models.CheckConstraint(
                condition=Q(status=ReminderStatus.SKIPPED, skip_reason__gt="")
                | (~Q(status=ReminderStatus.SKIPPED) & Q(skip_reason="")),
                name="reminder_skip_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=ReminderStatus.SENT, sent_at__isnull=False)
                | (~Q(status=ReminderStatus.SENT) & Q(sent_at__isnull=True)),
                name="reminder_sent_has_a_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="reminder_due_idx"),
            models.Index(fields=["site", "-due_at"], name="reminder_site_idx"),
            models.Index(fields=["patient", "-due_at"], name="reminder_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"


class SmsChannel(models.Model):
    """A site's SMS provider: its HTTP API, account, sending number and secret.

    With a channel set, the site texts only patients who opted in (``sms_consent_at``), and
    the provider's inbound webhook ``/hooks/sms/<site>/`` handles STOP, START and HELP. The
    secret (the provider's API token, which also signs inbound calls) is stored encrypted
    with the field keys; set it with ``set_secret``.
    """

    site = models.OneToOneField(
        "accounts.Site", on_delete=models.PROTECT, related_name="sms_channel"
    )
    api_url = models.URLField(help_text="The provider's send-message endpoint.")
    account_id = models.CharField(max_length=80)
    from_number = models.CharField(max_length=25)
    secret_encrypted = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"SMS channel of site {self.site_id}"

    def set_secret(self, secret: str) -> None:
        from ketaclinic.apps.enquiries.encrypted_fields import encrypt_text

        self.secret_encrypted = encrypt_text(secret) if secret else ""

    def secret(self) -> str:
        from ketaclinic.apps.enquiries.encrypted_fields import decrypt_text

        if not self.secret_encrypted:
            return ""
        return decrypt_text(self.secret_encrypted, "SMS channel secret")
