"""KAP programs and the therapist's structured notes on their sessions.

A KAP program wraps one treatment course (usually on the ``kap`` protocol: preparation,
dosing and integration sessions) with the people and purpose of the psychotherapy: the
assigned therapist (and an optional co-therapist), the prescriber, and the patient's goals.

A ``KapNote`` is the therapist's note on one of the course's sessions. Its shared part
(intentions, experience, integration themes, plan) is a ``charting.IntegrationNote``, so the
patient's integration notes stay in one place for the prescribers and the medical director
who read them on the chart; the parts only a KAP program has (set and setting, concerns,
consent to touch and music, practices) live here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.kap.choices import Consent, NoteKind, ProgramStatus


class KapProgram(models.Model):
    """One patient's ketamine-assisted psychotherapy: course, therapists, goals, status."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="kap_programs"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    course = models.OneToOneField(
        "treatment.Course",
        on_delete=models.PROTECT,
        related_name="kap_program",
        help_text="The treatment course whose sessions the program follows.",
    )
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kap_programs"
    )
    co_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kap_co_programs",
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=ProgramStatus.choices, default=ProgramStatus.ACTIVE
    )
    starts_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    goals = models.TextField(help_text="What the patient hopes the program will change.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_on", "-id"]
        permissions = [
            ("view_site_kap_programs", "See every KAP program at their sites"),
            ("read_kap_note", "Read the psychotherapy notes of KAP programs"),
            ("close_kapprogram", "Complete or end a KAP program"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="kap_program_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(status=ProgramStatus.ACTIVE, ended_on__isnull=True)
                | (~Q(status=ProgramStatus.ACTIVE) & Q(ended_on__isnull=False)),
                name="kap_program_closed_has_end_date",
            ),
            models.CheckConstraint(
                condition=Q(co_therapist__isnull=True) | ~Q(co_therapist=models.F("therapist")),
                name="kap_program_co_therapist_differs",
            ),
            models.CheckConstraint(condition=~Q(goals=""), name="kap_program_has_goals"),
        ]
        indexes = [
            models.Index(fields=["therapist", "-starts_on"], name="kap_therapist_idx"),
            models.Index(fields=["co_therapist", "-starts_on"], name="kap_co_therapist_idx"),
            models.Index(fields=["site", "-starts_on"], name="kap_site_idx"),
        ]

    def __str__(self) -> str:
        return f"KAP program {self.pk} ({self.get_status_display()})"

    def is_therapist(self, user) -> bool:
        """The assigned therapist or co-therapist: the people who write its notes."""
        return user.pk is not None and user.pk in (self.therapist_id, self.co_therapist_id)


class KapNote(models.Model):
    """The therapist's note on one preparation, dosing or integration session of a program."""

    program = models.ForeignKey(KapProgram, on_delete=models.PROTECT, related_name="notes")
    session = models.OneToOneField(
        "treatment.Session", on_delete=models.PROTECT, related_name="kap_note"
    )
    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    integration_note = models.OneToOneField(
        "charting.IntegrationNote",
        on_delete=models.PROTECT,
        related_name="kap_note",
        help_text="Intentions, experience, integration themes and plan, with author and time.",
    )
    set_and_setting = models.TextField(blank=True)
    concerns = models.TextField(blank=True)
    touch_consent = models.CharField(
        max_length=16, choices=Consent.choices, default=Consent.NOT_DISCUSSED
    )
    music_consent = models.CharField(
        max_length=16, choices=Consent.choices, default=Consent.NOT_DISCUSSED
    )
    practices = models.TextField(blank=True)

    class Meta:
        ordering = ["session__planned_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NoteKind.values), name="kap_note_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(kind=NoteKind.PREPARATION)
                | Q(
                    set_and_setting="",
                    concerns="",
                    touch_consent=Consent.NOT_DISCUSSED,
                    music_consent=Consent.NOT_DISCUSSED,
                ),
                name="kap_note_preparation_parts_only_in_preparation",
            ),
            models.CheckConstraint(
                condition=Q(kind=NoteKind.INTEGRATION) | Q(practices=""),
                name="kap_note_practices_only_in_integration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} note"
