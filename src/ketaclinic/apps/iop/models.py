"""Intensive outpatient programs: groups with a schedule, a roster of enrolled patients,
group sessions with attendance, and the facilitator's note about each patient.

Hours per week and the weekly minimum come from ``clinical.intensive_outpatient``
(``cms_iop_2024``: at least 9 hours a week); the rows here store what happened and who
recorded it. Notes are psychotherapy-adjacent: facilitators, prescribers and the medical
director read them; front desk and nurses do not (``accounts.roles``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ketaclinic.apps.iop.choices import (
    AttendanceStatus,
    EndReason,
    GroupFocus,
    GroupStatus,
    Population,
    SessionStatus,
)


class IopGroup(models.Model):
    """A standing IOP group at one site: what it treats, who leads it, when it meets."""

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="iop_groups")
    name = models.CharField(max_length=120)
    focus = models.CharField(max_length=20, choices=GroupFocus.choices)
    population = models.CharField(
        max_length=12, choices=Population.choices, default=Population.ADULT
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_iop_groups"
    )
    meeting_weekdays = models.JSONField(
        default=list, help_text="Weekdays the group meets, 0 = Monday ... 6 = Sunday."
    )
    session_starts_at = models.TimeField(help_text="Local time at the site.")
    session_minutes = models.PositiveSmallIntegerField(default=180)
    capacity = models.PositiveSmallIntegerField(default=10)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=GroupStatus.choices, default=GroupStatus.PLANNED
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "IOP group"
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=30), name="iop_group_capacity_1_30"
            ),
            models.CheckConstraint(
                condition=Q(session_minutes__gte=30) & Q(session_minutes__lte=480),
                name="iop_group_session_30_to_480_min",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="iop_group_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["site", "status"], name="iop_group_site_idx")]

    def __str__(self) -> str:
        return self.name


class IopEnrolment(models.Model):
    """A patient on a group's roster: from when, for how many hours a week, until when and why."""

    group = models.ForeignKey(IopGroup, on_delete=models.PROTECT, related_name="enrolments")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="iop_enrolments"
    )
    starts_on = models.DateField()
    planned_hours_per_week = models.DecimalField(max_digits=4, decimal_places=1)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["patient__family_name", "patient__given_name", "id"]
        verbose_name = "IOP enrolment"
        permissions = [("manage_roster", "Enrol patients in IOP groups and discharge them")]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "patient"],
                condition=Q(ended_on__isnull=True),
                name="iop_enrolment_once_per_open_group",
            ),
            models.CheckConstraint(
                condition=Q(planned_hours_per_week__gt=0) & Q(planned_hours_per_week__lte=40),
                name="iop_enrolment_hours_0_to_40",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="")
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="iop_enrolment_end_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("starts_on")),
                name="iop_enrolment_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["patient", "starts_on"], name="iop_enrol_patient_idx")]

    def __str__(self) -> str:
        return f"{self.patient} in {self.group}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def covers(self, day) -> bool:
        """Whether the patient was on the roster on ``day``."""
        return self.starts_on <= day and (self.ended_on is None or day <= self.ended_on)


class GroupSession(models.Model):
    """One meeting of a group: date, local start time, length, topic, who led it."""

    site_path = "group__site"

    group = models.ForeignKey(IopGroup, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField()
    starts_at = models.TimeField(help_text="Local time at the site.")
    duration_minutes = models.PositiveSmallIntegerField()
    topic = models.CharField(max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="iop_sessions_led"
    )
    status = models.CharField(
        max_length=12, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )

    class Meta:
        ordering = ["held_on", "starts_at", "id"]
        verbose_name = "IOP group session"
        constraints = [
            models.UniqueConstraint(
                fields=["group", "held_on", "starts_at"], name="iop_session_once_per_slot"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15) & Q(duration_minutes__lte=480),
                name="iop_session_15_to_480_min",
            ),
        ]
        indexes = [models.Index(fields=["group", "held_on"], name="iop_session_group_idx")]

    def __str__(self) -> str:
        return f"{self.group} on {self.held_on:%Y-%m-%d}"


class Attendance(models.Model):
    """How one enrolled patient attended one session, and the minutes that count for it."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="attendance")
    enrolment = models.ForeignKey(IopEnrolment, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    late_minutes = models.PositiveSmallIntegerField(default=0)
    left_early_minutes = models.PositiveSmallIntegerField(default=0)
    attended_minutes = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["session__held_on", "id"]
        permissions = [("take_attendance", "Record attendance at the IOP groups one leads")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="iop_attendance_once_per_session"
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[AttendanceStatus.ABSENT_EXCUSED, AttendanceStatus.ABSENT_UNEXCUSED]
                )
                | Q(attended_minutes=0, late_minutes=0, left_early_minutes=0),
                name="iop_attendance_absence_has_no_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.session}"


class IopNote(models.Model):
    """The facilitator's note about one patient at one session (one per patient per session;
    rewriting it is audited as an update)."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="notes")
    enrolment = models.ForeignKey(IopEnrolment, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    written_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session__held_on", "id"]
        verbose_name = "IOP note"
        permissions = [
            ("write_iop_note", "Write notes about patients in the IOP groups one leads"),
            ("read_iop_note", "Read IOP notes of the groups one leads"),
            ("read_all_iop_notes", "Read the IOP notes of every group at one's sites"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="iop_note_once"),
            models.CheckConstraint(condition=~Q(text=""), name="iop_note_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Note on {self.enrolment.patient} at {self.session}"
