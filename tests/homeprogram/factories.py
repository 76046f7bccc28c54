"""Home-program courses, a charted in-person first dose, prescriptions and links for tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ketaclinic.apps.charting.models import Discharge
from ketaclinic.apps.homeprogram.links import issue_check_in_link
from ketaclinic.apps.homeprogram.models import HomePrescription
from ketaclinic.apps.treatment.choices import CourseStatus, SessionStatus
from ketaclinic.apps.treatment.models import Course, Session

# The fixed clock is 2026-03-10 14:00 UTC = 10:00 at Riverside (America/New_York, EDT).
NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def make_home_course(clinic, patient=None) -> Course:
    patient = patient or clinic.alice
    return Course.objects.create(
        patient=patient,
        site=patient.site,
        protocol_id="sublingual-home",
        route="sublingual",
        status=CourseStatus.ACTIVE,
        prescriber=clinic.prescriber,
        target_dose_mg=Decimal("100"),
        starts_on=dt.date(2026, 3, 1),
    )


def chart_first_dose(clinic, course, discharged_at=dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC)):
    """The in-person first dose: a session charted to discharge."""
    session = Session.objects.create(
        course=course,
        patient=course.patient,
        site=course.site,
        number=1,
        planned_start=discharged_at - dt.timedelta(hours=2),
        status=SessionStatus.DISCHARGED,
        discharged_at=discharged_at,
    )
    Discharge.objects.create(
        session=session,
        ready=True,
        observed_minutes=120,
        dissociation_resolved=True,
        escort_confirmed=True,
        instruction="No driving until tomorrow.",
        instruction_given=True,
        discharged_by=clinic.nurse,
        discharged_at=discharged_at,
    )
    return session


def make_prescription(clinic, course=None, *, first_dose=True, **overrides) -> HomePrescription:
    course = course or make_home_course(clinic)
    if first_dose:
        chart_first_dose(clinic, course)
    values = {
        "patient": course.patient,
        "course": course,
        "prescriber": clinic.prescriber,
        "strength_mg": Decimal("100"),
        "quantity_dispensed": 6,
        "refills_authorised": 0,
        "written_on": dt.date(2026, 3, 2),
        "dose_per_session_mg": Decimal("100"),
        "max_doses_per_week": 2,
        # sublingual-home from 3 March: 3, 7, 10, 14, 17, 21 March (every 3.5 days)
        "first_home_dose_on": dt.date(2026, 3, 3),
        "created_at": NOW,
    }
    values.update(overrides)
    return HomePrescription.objects.create(**values)


def issue(prescription, planned_on=dt.date(2026, 3, 10), by=None):
    return issue_check_in_link(
        prescription=prescription,
        planned_on=planned_on,
        created_by=by or prescription.prescriber,
        sent_via="not_sent",
    )


GOOD_ANSWERS = {
    "dose_taken": "yes",
    "taken_time": "09:00",
    "amount_mg": "100",
    "responsible_adult_present": "yes",
    "mood_0_10": "6",
    "anxiety_0_10": "3",
    "suicidal_thoughts": "no",
    "side_effect_severity": "mild",
    "dissociation": "on",
    "bp_systolic": "128",
    "bp_diastolic": "82",
}
