"""A KAP course with sessions around the fixed clock (2026-03-10 14:00 UTC, 10:00 at
Riverside), its program, and the extra therapists the access tests need."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.personas import make_user

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.kap.models import KapProgram
from ketaclinic.apps.treatment.choices import CourseStatus, SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Course, Session

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def at(day: int, hour: int = 15, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=dt.UTC)


# (number, kind, planned start, status)
SESSIONS = (
    (1, SessionKind.PREPARATION, at(16, month=2), SessionStatus.DISCHARGED),
    (2, SessionKind.DOSING, at(23, month=2), SessionStatus.DISCHARGED),
    (3, SessionKind.INTEGRATION, at(24, month=2), SessionStatus.DISCHARGED),
    (4, SessionKind.DOSING, at(2), SessionStatus.CANCELLED),
    (5, SessionKind.INTEGRATION, at(3), SessionStatus.NO_SHOW),
    (6, SessionKind.REVIEW, at(5), SessionStatus.DISCHARGED),
    (7, SessionKind.DOSING, at(9), SessionStatus.DISCHARGED),
    (8, SessionKind.INTEGRATION, at(10, hour=13), SessionStatus.PLANNED),
    (9, SessionKind.INTEGRATION, at(12), SessionStatus.PLANNED),
)


def make_kap_course(clinic, patient=None) -> Course:
    patient = patient or clinic.alice
    course = Course.objects.create(
        patient=patient,
        site=patient.site,
        protocol_id="kap",
        variant="standard",
        route="sublingual",
        status=CourseStatus.ACTIVE,
        prescriber=clinic.prescriber,
        target_dose_mg=Decimal("100"),
        starts_on=dt.date(2026, 2, 16),
    )
    for number, kind, start, status in SESSIONS:
        Session.objects.create(
            course=course,
            patient=patient,
            site=patient.site,
            number=number,
            kind=kind,
            planned_start=start,
            planned_minutes=180 if kind == SessionKind.DOSING else 60,
            status=status,
            discharged_at=(
                start + dt.timedelta(minutes=170) if status == SessionStatus.DISCHARGED else None
            ),
        )
    return course


def session(course, number: int) -> Session:
    return course.sessions.get(number=number)


def make_program(clinic, course=None, **overrides) -> KapProgram:
    course = course or make_kap_course(clinic)
    values = {
        "patient": course.patient,
        "site": course.site,
        "course": course,
        "therapist": clinic.therapist,
        "prescriber": course.prescriber,
        "starts_on": course.starts_on,
        "goals": "Feel less weighed down in the mornings; reconnect with my sister.",
        "created_by": course.prescriber,
        "created_at": NOW,
    }
    values.update(overrides)
    return KapProgram.objects.create(**values)


def extra_therapists(clinic):
    """A second therapist at site A (not assigned) and one at site B."""
    return (
        make_user("tess", Role.THERAPIST, [clinic.site_a]),
        make_user("tobias", Role.THERAPIST, [clinic.site_b]),
    )


INTEGRATION_NOTE = {
    "integration_themes": "Grief for her father surfaced as warmth rather than weight.",
    "practices": "Morning journaling; a walk by the river twice a week.",
    "plan": "Bring one memory to the next preparation.",
}
