"""Courses, sessions and questionnaire links for the reminder tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from ketaclinic.apps.assessments.models import SelfReportLink
from ketaclinic.apps.treatment.choices import CourseStatus, SessionStatus
from ketaclinic.apps.treatment.models import Course, Session

# The fixed clock: 2026-03-10 14:00 UTC = 10:00 at Riverside (America/New_York, EDT).
NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def make_session(clinic, starts_at: dt.datetime, patient=None, number: int = 1, **extra):
    patient = patient or clinic.alice
    course = Course.objects.filter(patient=patient).first() or Course.objects.create(
        patient=patient,
        site=patient.site,
        protocol_id="iv-induction",
        route="iv",
        status=CourseStatus.ACTIVE,
        prescriber=clinic.prescriber,
        target_dose_mg_per_kg=Decimal("0.5"),
        starts_on=dt.date(2026, 3, 1),
    )
    values = {
        "course": course,
        "patient": patient,
        "site": patient.site,
        "number": number,
        "planned_start": starts_at,
        "status": SessionStatus.PLANNED,
        "planned_dose_text": "0.5 mg/kg ketamine IV",
    }
    values.update(extra)
    return Session.objects.create(**values)


def make_link(clinic, created_at: dt.datetime, patient=None, hours: int = 72, **extra):
    patient = patient or clinic.alice
    values = {
        "patient": patient,
        "instruments": ["phq9"],
        "token_hash": hashlib.sha256(f"{patient.pk}-{created_at}".encode()).hexdigest(),
        "expires_at": created_at + dt.timedelta(hours=hours),
        "created_by": clinic.nurse,
        "created_at": created_at,
        "sent_via": "email",
    }
    values.update(extra)
    return SelfReportLink.objects.create(**values)
