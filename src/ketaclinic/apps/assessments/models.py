"""Assessments (scored questionnaires and ratings), self-report links and their schedules.

An assessment is written once: a correction is a new assessment that ``corrects`` the
original, which stays, marked superseded through the reverse relation ``superseded_by``.
Totals, bands, subscores and flags are exactly what ``clinical.scales.score`` returned for
the stored answers; nothing here computes a score.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ketaclinic.apps.assessments.choices import (
    AssessmentSource,
    ScheduleRule,
    SentVia,
)
from ketaclinic.apps.audit.models import AppendOnlyModel, AppendOnlyQuerySet
from ketaclinic.apps.treatment.choices import CoursePhase
from ketaclinic.apps.web.private_links import PrivateLink
from ketaclinic.clinical.scales import INSTRUMENTS


def validate_instrument(value: str) -> None:
    if value not in INSTRUMENTS:
        raise ValidationError("%(value)s is not a known instrument.", params={"value": value})


def validate_instrument_list(value: object) -> None:
    if not isinstance(value, list) or not value or len(set(value)) != len(value):
        raise ValidationError("Choose one or more different instruments.")
    for instrument in value:
        validate_instrument(instrument)


class AssessmentQuerySet(AppendOnlyQuerySet):
    def current(self) -> AssessmentQuerySet:
        """Versions in force: those no correction has superseded."""
        return self.filter(superseded_by__isnull=True)


class Assessment(AppendOnlyModel):
    """One administration of an instrument to a patient, as scored by the clinical core.

    ``answers`` are stored as given (by item key); ``flags`` are the scale's safety flags
    (``[{"code", "item", "level", "message"}]``). Alert-level flags raised a clinician alert
    in the same transaction (source ``assessment`` / this id).
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessments"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=40, validators=[validate_instrument])
    instrument_version = models.CharField(max_length=120)
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    max_total = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    band_label = models.CharField(max_length=80, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    indicators = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    has_alert = models.BooleanField(default=False)
    source = models.CharField(max_length=16, choices=AssessmentSource.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    self_report_link = models.ForeignKey(
        "assessments.SelfReportLink",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    taken_at = models.DateTimeField()
    session = models.ForeignKey(
        "treatment.Session",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text="The assessment this one corrects; the original is kept.",
    )
    correction_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(source=AssessmentSource.CLINICIAN, entered_by__isnull=False)
                    | Q(source=AssessmentSource.SELF_REPORT, entered_by__isnull=True)
                ),
                name="assessment_entered_by_matches_source",
            ),
            models.CheckConstraint(
                condition=(
                    Q(corrects__isnull=True, correction_reason="")
                    | (Q(corrects__isnull=False) & ~Q(correction_reason=""))
                ),
                name="assessment_correction_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True)
                | Q(max_total__isnull=False, total__lte=models.F("max_total")),
                name="assessment_total_within_max",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "instrument", "taken_at"], name="assessment_trend_idx"),
            models.Index(fields=["site", "-taken_at"], name="assessment_site_idx"),
            # Lists select_related the correction (``superseded_by``). The unique index on
            # ``corrects`` holds every uncorrected row under NULL, so after ANALYZE SQLite
            # takes it for one key of all rows and scans the whole table per listed row
            # (15x the CPU at 10,000 patients); this one holds only real corrections.
            models.Index(
                fields=["corrects"],
                condition=Q(corrects__isnull=False),
                name="assessment_corrects_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total if self.total is not None else self.band}"

    @property
    def title(self) -> str:
        return INSTRUMENTS[self.instrument].title


class QuestionnaireSchedule(models.Model):
    """Send a patient the same questionnaires on a rule: before every session, weekly, ...

    ``only_in_phase`` limits the schedule to a course phase (e.g. weekly during maintenance).
    ``due_self_reports(as_of)`` issues the links that are due.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_schedules"
    )
    instruments = models.JSONField(validators=[validate_instrument_list])
    rule = models.CharField(max_length=24, choices=ScheduleRule.choices)
    every_n_days = models.PositiveSmallIntegerField(null=True, blank=True)
    only_in_phase = models.CharField(max_length=16, choices=CoursePhase.choices, blank=True)
    send_via = models.CharField(max_length=16, choices=SentVia.choices, default=SentVia.EMAIL)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        rule=ScheduleRule.EVERY_N_DAYS,
                        every_n_days__isnull=False,
                        every_n_days__gte=1,
                        every_n_days__lte=90,
                    )
                    | (~Q(rule=ScheduleRule.EVERY_N_DAYS) & Q(every_n_days__isnull=True))
                ),
                name="schedule_every_n_days_only_for_that_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{', '.join(self.instruments)} {self.get_rule_display().lower()}"

    @property
    def interval_days(self) -> int | None:
        if self.rule == ScheduleRule.WEEKLY:
            return 7
        if self.rule == ScheduleRule.EVERY_N_DAYS:
            return self.every_n_days
        return None


class SelfReportLink(PrivateLink):
    """A single-use, expiring link that opens one or more questionnaires for one patient.

    Only the SHA-256 of the token is stored: the token itself exists in the message sent to
    the patient and, once, on the page of the member of staff who created it.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="self_report_links"
    )
    instruments = models.JSONField(validators=[validate_instrument_list])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_via = models.CharField(max_length=16, choices=SentVia.choices)
    schedule = models.ForeignKey(
        QuestionnaireSchedule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="links",
    )
    session = models.ForeignKey(
        "treatment.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="self_report_link_expires_after_creation",
            ),
            models.UniqueConstraint(
                fields=["schedule", "session"],
                condition=Q(schedule__isnull=False, session__isnull=False),
                name="self_report_link_once_per_scheduled_session",
            ),
            models.UniqueConstraint(
                fields=["schedule", "due_on"],
                condition=Q(schedule__isnull=False, due_on__isnull=False),
                name="self_report_link_once_per_scheduled_day",
            ),
        ]
        indexes = [models.Index(fields=["patient", "-created_at"], name="link_patient_idx")]

    def __str__(self) -> str:
        return f"Self-report link for {', '.join(self.instruments)}"
