"""The REMS around the form: the site's certified setting and its channel, patient enrolment,
and every attempt to send a form (kept, so a failure is visible and explained)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ketaclinic.apps.charting.choices import RemsChannelKind

REMS_FAX_NUMBER = "1-877-778-0091"
"""The SPRAVATO REMS fax, printed on the 11/2021 form."""


class RemsHealthcareSetting(models.Model):
    """A site as the SPRAVATO REMS knows it: the setting's printed name and address (for the
    form's "Healthcare Setting Information") and the channel its forms leave by.

    ``secret`` (the provider's API key) is stored encrypted with the field keys
    (``KETACLINIC_FIELD_KEYS``); set it with ``set_secret``, never as plain text.
    """

    site = models.OneToOneField(
        "accounts.Site", on_delete=models.PROTECT, related_name="rems_setting"
    )
    setting_name = models.CharField(max_length=200)
    address_1 = models.CharField(max_length=200)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=40)
    zip_code = models.CharField("ZIP", max_length=20)
    channel = models.CharField(
        max_length=16, choices=RemsChannelKind.choices, default=RemsChannelKind.NONE
    )
    endpoint_url = models.URLField(blank=True, help_text="The provider's HTTP API address.")
    fax_number = models.CharField(max_length=40, default=REMS_FAX_NUMBER)
    email_domain = models.CharField(
        max_length=120, blank=True, help_text="E-mail-to-fax: the provider's fax domain."
    )
    secret_encrypted = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"REMS setting {self.setting_name}"

    def set_secret(self, secret: str) -> None:
        from ketaclinic.apps.enquiries.encrypted_fields import encrypt_text

        self.secret_encrypted = encrypt_text(secret) if secret else ""

    def secret(self) -> str:
        from ketaclinic.apps.enquiries.encrypted_fields import decrypt_text

        if not self.secret_encrypted:
            return ""
        return decrypt_text(self.secret_encrypted, "REMS channel secret")


class RemsEnrolment(models.Model):
    """The patient is enrolled in the SPRAVATO REMS (required before the first treatment)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="rems_enrolment"
    )
    enrolled_on = models.DateField()
    rems_patient_id = models.CharField("REMS patient ID", max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Enrolled in the SPRAVATO REMS on {self.enrolled_on:%Y-%m-%d}"


class RemsSubmissionAttempt(models.Model):
    """One try to send a form through the site's channel: when, how, and what came back."""

    record = models.ForeignKey(
        "charting.RemsRecord", on_delete=models.PROTECT, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField()
    channel = models.CharField(max_length=16, choices=RemsChannelKind.choices)
    succeeded = models.BooleanField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    reference = models.CharField(max_length=120, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{'Sent' if self.succeeded else 'Failed'} at {self.attempted_at:%Y-%m-%d %H:%M}"
