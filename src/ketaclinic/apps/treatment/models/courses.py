"""Courses (treatment plans) and their sessions: the spine other areas hang records on.

A Course is one patient's plan under one protocol and route; its Sessions are the planned
and delivered encounters (FHIR Encounter / Appointment). Status changes go through
``Session.transition_to`` and leave a ``SessionEvent``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.treatment.choices import (
    SESSION_TRANSITIONS,
    CoursePhase,
    CourseStatus,
    Indication,
    Route,
    SessionKind,
    SessionStatus,
)


class Course(models.Model):
    """A treatment plan: protocol (an id from ``clinical.protocols``), route, phase, target dose."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="courses"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="courses")
    protocol_id = models.CharField(max_length=60)
    route = models.CharField(max_length=16, choices=Route.choices)
    phase = models.CharField(
        max_length=16, choices=CoursePhase.choices, default=CoursePhase.INDUCTION
    )
    status = models.CharField(
        max_length=16, choices=CourseStatus.choices, default=CourseStatus.PLANNED
    )
    indication = models.CharField(
        max_length=40,
        choices=Indication.choices,
        blank=True,
        help_text="Required at planning; empty only on courses planned before it was recorded.",
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prescribed_courses"
    )
    target_dose_mg_per_kg = models.DecimalField(
        max_digits=5, decimal_places=3, null=True, blank=True
    )
    target_dose_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField()
    screening = models.ForeignKey(
        "treatment.Screening",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
        help_text="The signed screening this plan was made from.",
    )
    variant = models.CharField(max_length=40, blank=True, help_text="The protocol's variant.")
    status_reason = models.TextField(blank=True, help_text="Why it was paused or stopped.")
    same_day_reason = models.TextField(
        blank=True,
        help_text="The prescriber's reason for dosing the patient twice on one day, if so.",
    )
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_dose_mg_per_kg__isnull=True) | Q(target_dose_mg__isnull=True),
                name="course_one_kind_of_target_dose",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="course_ends_after_it_starts",
            ),
            # One course per screening: a screening is the eligibility decision for one plan;
            # a second plan (or a plan after a stopped one) needs a fresh screening.
            models.UniqueConstraint(fields=["screening"], name="course_one_per_screening"),
        ]
        indexes = [
            models.Index(fields=["patient", "-starts_on"], name="course_patient_idx"),
            # The default order: the course list (/api/v1/courses) reads its page along this
            # instead of sorting every course at the user's sites (they grow with the clinic).
            models.Index(fields=["-starts_on", "-id"], name="course_list_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.protocol_id} ({self.get_route_display()}) for {self.patient}"


class Session(models.Model):
    """One encounter of a course: planned time and chair, then what actually happened."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="sessions"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(help_text="1-based position in the course.")
    kind = models.CharField(max_length=16, choices=SessionKind.choices, default=SessionKind.DOSING)
    phase = models.CharField(
        max_length=16, choices=CoursePhase.choices, default=CoursePhase.INDUCTION
    )
    planned_start = models.DateTimeField()
    planned_minutes = models.PositiveSmallIntegerField(default=120)
    chair = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Chair or room number."
    )
    planned_dose_text = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    dose_started_at = models.DateTimeField(null=True, blank=True)
    dose_ended_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["planned_start", "id"]
        permissions = [("reschedule_session", "Move a planned session (time and chair)")]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"], name="session_number_unique_in_course"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "planned_start"], name="session_site_day_idx"),
            models.Index(fields=["patient", "planned_start"], name="session_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of {self.course.protocol_id} ({self.get_status_display()})"

    @property
    def planned_end(self) -> datetime.datetime:
        """When the session's chair is free again."""
        return self.planned_start + datetime.timedelta(minutes=self.planned_minutes)

    def can_transition_to(self, status: str) -> bool:
        return status in SESSION_TRANSITIONS[self.status]


class SessionEvent(models.Model):
    """A recorded change of a session's status: who, when, from, to, why."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, choices=SessionStatus.choices)
    to_status = models.CharField(max_length=16, choices=SessionStatus.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
