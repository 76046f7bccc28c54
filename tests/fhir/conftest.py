"""A charted session for Alice at site A (and a PHQ-9 for Bob at site B), for the FHIR tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from tests.charting.factories import NOW, make_session

from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.assessments.recording import record_assessment
from ketaclinic.apps.charting.models import (
    Administration,
    AdverseEvent,
    DoseOrder,
    ScaleEntry,
    VitalSign,
)
from ketaclinic.apps.patients.models import Condition
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session

PHQ9_ANSWERS = {f"item{n}": v for n, v in enumerate([2, 2, 1, 1, 1, 1, 1, 0, 0], start=1)}
# total 9 (mild); item 9 = 0, no alert


@dataclass
class Charted:
    session: Session
    condition: Condition
    vitals: list[VitalSign]
    phq9: Assessment
    bob_phq9: Assessment
    moaas: ScaleEntry
    administration: Administration
    adverse_event: AdverseEvent


@pytest.fixture
def charted(clinic, fixed_clock) -> Charted:
    alice = clinic.alice
    condition = Condition.objects.create(
        patient=alice, code="trd", primary=True, onset_on=dt.date(2024, 5, 1)
    )
    session = make_session(clinic)
    course = session.course
    course.indication = "trd"
    course.status = "active"
    course.save()
    start = NOW - dt.timedelta(minutes=30)
    Session.objects.filter(pk=session.pk).update(
        status=SessionStatus.DISCHARGED,
        checked_in_at=start,
        dose_started_at=start + dt.timedelta(minutes=10),
        dose_ended_at=start + dt.timedelta(minutes=50),
        discharged_at=start + dt.timedelta(minutes=130),
    )
    session.refresh_from_db()
    vitals = [
        VitalSign.objects.create(
            session=session,
            taken_at=start + dt.timedelta(minutes=minute),
            bp_systolic=systolic,
            bp_diastolic=diastolic,
            heart_rate=72,
            spo2=98,
            respiratory_rate=14 if minute == 10 else None,
            entered_by=clinic.nurse,
            entered_at=start + dt.timedelta(minutes=minute + 1),
        )
        for minute, systolic, diastolic in ((10, 128, 82), (40, 142, 88))
    ]
    phq9 = record_assessment(patient=alice, instrument="phq9", answers=PHQ9_ANSWERS, taken_at=start)
    bob_phq9 = record_assessment(
        patient=clinic.bob, instrument="phq9", answers=PHQ9_ANSWERS, taken_at=start
    )
    moaas = ScaleEntry.objects.create(
        session=session,
        scale="moaas",
        taken_at=start + dt.timedelta(minutes=30),
        answers={"item1": 4},
        total=4,
        band_label="Lethargic response to name",
        entered_by=clinic.nurse,
    )
    order = DoseOrder.objects.create(
        session=session,
        drug="ketamine",
        route="iv",
        mg_per_kg=Decimal("0.5"),
        requested_dose_mg=Decimal("35"),
        dose_mg=Decimal("35"),
        weight_kg=Decimal("70.0"),
        weight_measured_on=dt.date(2026, 1, 5),
        weight_basis="actual",
        weight_used_kg=Decimal("70.0"),
        concentration_mg_per_ml=Decimal("10"),
        volume_ml=Decimal("3.5"),
        duration_min=40,
        rate_ml_per_h=Decimal("5.25"),
        ordered_by=clinic.prescriber,
        ordered_at=start,
    )
    administration = Administration.objects.create(
        session=session,
        order=order,
        product="Ketamine HCl 10 mg/mL, 20 mL vial",
        lot="K2291",
        dose_given_mg=Decimal("35.000"),
        started_at=start + dt.timedelta(minutes=10),
        stopped_at=start + dt.timedelta(minutes=50),
        started_by=clinic.nurse,
        stopped_by=clinic.nurse,
    )
    adverse_event = AdverseEvent.objects.create(
        session=session,
        kind="nausea",
        severity="mild",
        onset_at=start + dt.timedelta(minutes=45),
        action_taken="Ondansetron 4 mg IV",
        recorded_by=clinic.nurse,
        recorded_at=start + dt.timedelta(minutes=46),
    )
    return Charted(session, condition, vitals, phq9, bob_phq9, moaas, administration, adverse_event)
