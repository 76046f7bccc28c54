"""Courses and sessions for the chart tests (the treatment app owns these models)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ketaclinic.apps.treatment.models import Course, Session

# The fixed clock is 2026-03-10 14:00 UTC = 10:00 at Riverside (America/New_York, EDT).
NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def make_session(
    clinic,
    *,
    route: str = "iv",
    patient=None,
    planned_start: dt.datetime | None = None,
    number: int = 1,
    course=None,
) -> Session:
    patient = patient or clinic.alice
    if course is None:
        course = Course.objects.create(
            patient=patient,
            site=patient.site,
            protocol_id="esketamine-trd" if route == "esketamine" else "iv-depression-induction",
            route=route,
            prescriber=clinic.prescriber,
            target_dose_mg_per_kg=None if route == "esketamine" else Decimal("0.5"),
            target_dose_mg=Decimal("56") if route == "esketamine" else None,
            infusion_minutes=None if route == "esketamine" else 40,
            starts_on=dt.date(2026, 3, 1),
        )
    return Session.objects.create(
        course=course,
        patient=patient,
        site=patient.site,
        number=number,
        planned_start=planned_start or NOW - dt.timedelta(minutes=30),
        chair=2,
    )
