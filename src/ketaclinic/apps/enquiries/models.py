"""A person's request to join a program, the events of its triage, and turned-away tallies.

An enquiry is personal data from someone who is not (yet) a patient: it lives at the site the
person chose, only that site's staff see it, every view and change is audited, and what the
person told us is stored encrypted (``encrypted_fields``; keys in ``KETACLINIC_FIELD_KEYS``). Every
change of status is an ``EnquiryEvent`` (who, when, from, to, note), never a silent edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.audit.models import AppendOnlyModel
from ketaclinic.apps.enquiries.choices import (
    ContactMethod,
    ContactOutcome,
    ContactTime,
    EnquiryCondition,
    EnquiryStatus,
    EventKind,
    Program,
    TallyKind,
)
from ketaclinic.apps.enquiries.encrypted_fields import (
    EncryptedBooleanField,
    EncryptedDateField,
    EncryptedEmailField,
    EncryptedTextField,
)
from ketaclinic.apps.patients.choices import SexAtBirth
from ketaclinic.apps.patients.models import PHONE_FORMAT

NOTE_MAX_CHARS = 1000

# The pre-screen questions, in the order the public form and the queue show them.
PRESCREEN_FLAGS = (
    ("suicidal_thoughts", "Current suicidal thoughts"),
    ("psychosis_history", "History of psychosis"),
    ("substance_use_problem", "Current substance use problem"),
    ("high_blood_pressure", "High blood pressure"),
    ("pregnant_or_planning", "Pregnant or planning a pregnancy"),
)


def completed_years(born: dt.date, day: dt.date) -> int:
    """Age in completed years on ``day`` (as ``Patient.age_on``: 29 February counts 1 March)."""
    return day.year - born.year - int((day.month, day.day) < (born.month, born.day))


class FollowingBooleanField(models.BooleanField):
    """A yes/no kept equal to another field on every save and bulk create (``pre_save`` runs
    for both), so it can never disagree with the answer it stands for."""

    def __init__(self, *args, follows: str, **kwargs) -> None:
        self.follows = follows
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["follows"] = self.follows
        return name, path, args, kwargs

    def pre_save(self, model_instance, add: bool) -> bool:
        value = bool(getattr(model_instance, self.follows))
        setattr(model_instance, self.attname, value)
        return value


class Enquiry(models.Model):
    """A waitlist entry: the program wanted, how to reach the person, and the pre-screen.

    The pre-screen answers are the person's own, not a clinical decision: the queue shows them
    loudly so the team calls the right people first, and screening decides later.
    """

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="enquiries")
    program = models.CharField(max_length=24, choices=Program.choices)
    status = models.CharField(
        max_length=16, choices=EnquiryStatus.choices, default=EnquiryStatus.NEW
    )
    # Encrypted at rest: who the person is, how to reach them, and everything they told us.
    given_name = EncryptedTextField(max_length=100)
    family_name = EncryptedTextField(max_length=100)
    date_of_birth = EncryptedDateField()
    sex_at_birth = EncryptedTextField(max_length=16, choices=SexAtBirth.choices, blank=True)
    email = EncryptedEmailField(max_length=254, blank=True)
    phone = EncryptedTextField(max_length=25, blank=True, validators=[PHONE_FORMAT])
    preferred_contact = models.CharField(max_length=8, choices=ContactMethod.choices)
    preferred_time = models.CharField(
        max_length=12, choices=ContactTime.choices, default=ContactTime.ANY
    )
    condition = EncryptedTextField(max_length=40, choices=EnquiryCondition.choices)
    condition_other = EncryptedTextField(max_length=120, blank=True)
    suicidal_thoughts = EncryptedBooleanField(default=False)
    psychosis_history = EncryptedBooleanField(default=False)
    substance_use_problem = EncryptedBooleanField(default=False)
    high_blood_pressure = EncryptedBooleanField(default=False)
    pregnant_or_planning = EncryptedBooleanField(default=False)
    # In clear so the queue can put these first across pages: "call today" (the person reported
    # current suicidal thoughts). It names no one; who they are is encrypted above.
    call_first = FollowingBooleanField(follows="suicidal_thoughts", default=False)
    consent_to_contact = models.BooleanField()
    note = EncryptedTextField(max_length=NOTE_MAX_CHARS, blank=True)
    submitted_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()
    contact_attempts = models.PositiveSmallIntegerField(default=0)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    intake_at = models.DateTimeField(null=True, blank=True)
    declined_reason = EncryptedTextField(blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enquiries",
    )
    converted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name_plural = "enquiries"
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_to_contact=True), name="enquiry_consented_to_contact"
            ),
            models.CheckConstraint(condition=~Q(email="", phone=""), name="enquiry_reachable"),
            models.CheckConstraint(
                condition=~Q(preferred_contact=ContactMethod.EMAIL, email="")
                & ~Q(preferred_contact__in=[ContactMethod.PHONE, ContactMethod.TEXT], phone=""),
                name="enquiry_preferred_contact_given",
            ),
            models.CheckConstraint(
                condition=Q(program__in=Program.values), name="enquiry_program_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnquiryStatus.values), name="enquiry_status_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status=EnquiryStatus.CONVERTED,
                        patient__isnull=False,
                        converted_at__isnull=False,
                    )
                    | (
                        ~Q(status=EnquiryStatus.CONVERTED)
                        & Q(patient__isnull=True, converted_at__isnull=True)
                    )
                ),
                name="enquiry_converted_to_a_patient",
            ),
            models.CheckConstraint(
                condition=~Q(status=EnquiryStatus.DECLINED, declined_reason=""),
                name="enquiry_declined_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=EnquiryStatus.SCHEDULED, intake_at__isnull=True),
                name="enquiry_scheduled_with_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["site", "status", "program", "submitted_at"], name="enquiry_queue_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Enquiry {self.pk} ({self.get_program_display()})"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "suicidal_thoughts" in update_fields:
            kwargs["update_fields"] = {*update_fields, "call_first"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_open(self) -> bool:
        return self.status in (EnquiryStatus.NEW, EnquiryStatus.CONTACTED, EnquiryStatus.SCHEDULED)

    @property
    def flags(self) -> list[tuple[str, str]]:
        """The pre-screen answers that were "yes", most urgent first, as (code, label)."""
        return [(code, label) for code, label in PRESCREEN_FLAGS if getattr(self, code)]

    def waiting_days(self, now: dt.datetime) -> int:
        """Whole days since the person asked, until they became a patient, were declined,
        or ``now`` while the enquiry is open."""
        if self.status == EnquiryStatus.CONVERTED:
            end = self.converted_at
        elif self.status == EnquiryStatus.DECLINED:
            end = self.status_changed_at
        else:
            end = now
        return max(0, (end - self.submitted_at).days)

    def age_on(self, day: dt.date) -> int:
        return completed_years(self.date_of_birth, day)


class EnquiryEvent(AppendOnlyModel):
    """One step of triage: who did what, when, the status before and after, and why."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, choices=EnquiryStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=EnquiryStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField()
    note = models.TextField(blank=True)
    contact_method = models.CharField(max_length=8, choices=ContactMethod.choices, blank=True)
    contact_outcome = models.CharField(max_length=16, choices=ContactOutcome.choices, blank=True)
    intake_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["enquiry", "occurred_at"], name="enquiry_event_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_status or '-'} → {self.to_status}"


class SubmissionTally(models.Model):
    """How many public submissions a site turned away in a day, and why — a count only.

    Under-18s are told kindly that the clinic treats adults; nothing they typed is kept.
    """

    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=16, choices=TallyKind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "kind"], name="tally_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}: {self.count}"
