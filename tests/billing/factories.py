"""Courses, delivered sessions and authorizations for the billing tests.

The suite's clock is 2026-03-10 14:00 UTC (10:00 at Riverside, America/New_York)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ketaclinic.apps.billing.choices import AuthorizationStatus, PayerKind
from ketaclinic.apps.billing.models import BillingProfile, FeeScheduleEntry, PriorAuthorization
from ketaclinic.apps.charting.models import Administration, DoseOrder
from ketaclinic.apps.treatment.choices import SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Course, Session

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
FEES = {
    "G2082": "900.00",
    "G2083": "1290.00",
    "J0013": "15.00",
    "99213": "110.00",
    "96365": "180.00",
    "96366": "60.00",
    "96374": "90.00",
    "96372": "40.00",
    "J3490": "95.00",
    "90832": "90.00",
    "90834": "130.00",
    "90837": "170.00",
}


def set_fees(site) -> None:
    FeeScheduleEntry.objects.bulk_create(
        FeeScheduleEntry(site=site, code=code, fee_per_unit=Decimal(fee))
        for code, fee in FEES.items()
    )
    BillingProfile.objects.create(
        site=site,
        billing_name="Riverside Ketamine Clinic PC",
        npi="1679576722",
        tax_id="12-3456789",
    )


def make_course(clinic, *, route: str = "esketamine", patient=None, indication: str = "trd"):
    patient = patient or clinic.alice
    return Course.objects.create(
        patient=patient,
        site=patient.site,
        protocol_id="esketamine-trd" if route == "esketamine" else "iv-depression-induction",
        route=route,
        indication=indication,
        prescriber=clinic.prescriber,
        target_dose_mg_per_kg=None if route == "esketamine" else Decimal("0.5"),
        target_dose_mg=Decimal("56") if route == "esketamine" else None,
        infusion_minutes=None if route == "esketamine" else 40,
        starts_on=dt.date(2026, 3, 1),
    )


def session(
    course,
    number: int,
    start: dt.datetime,
    *,
    kind=SessionKind.DOSING,
    status=SessionStatus.PLANNED,
    minutes: int = 120,
) -> Session:
    return Session.objects.create(
        course=course,
        patient=course.patient,
        site=course.site,
        number=number,
        kind=kind,
        planned_start=start,
        planned_minutes=minutes,
        chair=1,
        status=status,
    )


def given(
    clinic,
    course,
    number: int,
    start: dt.datetime,
    *,
    dose_mg: str = "84",
    drug_minutes: int | None = None,
) -> Session:
    """A discharged dosing session with its dose charted (and the infusion's time)."""
    delivered = session(course, number, start, status=SessionStatus.DISCHARGED)
    order = DoseOrder.objects.create(
        session=delivered,
        drug="esketamine" if course.route == "esketamine" else "ketamine",
        route=course.route,
        requested_dose_mg=Decimal(dose_mg),
        dose_mg=Decimal(dose_mg),
        weight_kg=Decimal("70.0"),
        weight_measured_on=dt.date(2026, 3, 1),
        weight_basis="actual",
        weight_used_kg=Decimal("70.0"),
        ordered_by=clinic.prescriber,
        ordered_at=start,
    )
    Administration.objects.create(
        session=delivered,
        order=order,
        product="product",
        lot="L1",
        dose_given_mg=Decimal(dose_mg),
        started_at=start,
        stopped_at=start + dt.timedelta(minutes=drug_minutes) if drug_minutes else None,
        elapsed_min=Decimal(drug_minutes) if drug_minutes else None,
        started_by=clinic.nurse,
    )
    return delivered


def authorize(
    course,
    *,
    sessions: int = 8,
    starts_on=dt.date(2026, 3, 1),
    ends_on=dt.date(2026, 6, 30),
    status=AuthorizationStatus.APPROVED,
    payer_kind=PayerKind.COMMERCIAL,
    number: str = "PA-1001",
    by=None,
):
    return PriorAuthorization.objects.create(
        course=course,
        payer_name="Aetna",
        payer_kind=payer_kind,
        member_number="W123456789",
        authorization_number=number,
        authorised_sessions=sessions,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        created_by=by or course.prescriber,
        created_at=NOW,
        updated_at=NOW,
    )
