"""An esketamine session under observation, charted in full, for the REMS form tests.

Hand-worked chart (clock 2026-03-10 14:00 UTC = 10:00 at Riverside, EDT): first device at
11:50 UTC (130 min before now); baseline 128/80 (proceed); BP 130/80 at 0 min, 156/92 at
40 min, 132/82 at 125 min; MOAA/S 3 at 20 min, 5 at 75 min; SpO2 97 throughout; 56 mg,
lot ESK-778 from the ledger-typed lot; nurse Nadia Nurse, nadia@riverside.example.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.charting.factories import NOW, make_session

from ketaclinic.apps.charting.models import (
    Administration,
    DoseOrder,
    PreCheck,
    RemsEnrolment,
    RemsHealthcareSetting,
    ScaleEntry,
    VitalSign,
)
from ketaclinic.apps.treatment.models import Session

START = NOW - dt.timedelta(minutes=130)
ANSWERS = {
    "benzodiazepines": False,
    "non_benzodiazepine_hypnotics": False,
    "psychostimulants": True,
    "maois": False,
    "opioids": False,
    "ready_to_leave_minutes": None,
}


def rems_setting(site, **extra) -> RemsHealthcareSetting:
    values = {
        "setting_name": "Riverside Ketamine Clinic",
        "address_1": "12 River Road",
        "address_2": "Suite 3",
        "city": "Springfield",
        "state": "MA",
        "zip_code": "01101",
        "channel": "outbox",
        "updated_at": NOW,
        **extra,
    }
    return RemsHealthcareSetting.objects.create(site=site, **values)


def staff_details(clinic) -> None:
    clinic.nurse.last_name = "Nurse"
    clinic.nurse.email = "nadia@riverside.example"
    clinic.nurse.save()
    clinic.site_a.phone = "+1 413 555 0100"
    clinic.site_a.save()


def charted_esketamine(
    clinic,
    start: dt.datetime,
    *,
    vitals: tuple[tuple[int, tuple[int, int]], ...],
    heart_rate: int,
    moaas: tuple[tuple[int, int], ...],
    number: int = 1,
    course=None,
) -> Session:
    """An esketamine session charted from its pre-check to its last reading.

    Baseline 128/80 (proceed) 15 minutes before ``start``; 56 mg (two devices, lot ESK-778)
    given from ``start`` for 10 minutes; ``vitals`` as (minute, (systolic, diastolic)) and
    ``moaas`` as (minute, total) after ``start``. The caller sets the session's status.
    """
    session = make_session(clinic, route="esketamine", number=number, course=course)
    nurse = clinic.nurse
    PreCheck.objects.create(
        session=session,
        checked_at=start - dt.timedelta(minutes=15),
        bp_systolic=128,
        bp_diastolic=80,
        heart_rate=70,
        spo2=98,
        questionnaires_done=True,
        last_food_minutes_ago=240,
        last_liquid_minutes_ago=60,
        escort_present=True,
        decision="proceed",
        checked_by=nurse,
    )
    order = DoseOrder.objects.create(
        session=session,
        drug="esketamine",
        route="esketamine",
        requested_dose_mg=Decimal("56"),
        dose_mg=Decimal("56"),
        weight_kg=Decimal("70"),
        weight_measured_on=dt.date(2026, 1, 5),
        weight_basis="actual",
        weight_used_kg=Decimal("70"),
        devices=2,
        ordered_by=clinic.prescriber,
        ordered_at=start - dt.timedelta(minutes=30),
    )
    Administration.objects.create(
        session=session,
        order=order,
        product="Spravato 28 mg device",
        lot="ESK-778",
        started_at=start,
        stopped_at=start + dt.timedelta(minutes=10),
        started_by=nurse,
        dose_given_mg=Decimal("56"),
    )
    for minute, (sys_bp, dia_bp) in vitals:
        VitalSign.objects.create(
            session=session,
            taken_at=start + dt.timedelta(minutes=minute),
            bp_systolic=sys_bp,
            bp_diastolic=dia_bp,
            heart_rate=heart_rate,
            spo2=97,
            entered_by=nurse,
            entered_at=start + dt.timedelta(minutes=minute),
        )
    for minute, total in moaas:
        ScaleEntry.objects.create(
            session=session,
            scale="moaas",
            taken_at=start + dt.timedelta(minutes=minute),
            answers={"item1": total},
            total=total,
            entered_by=nurse,
        )
    return session


def observing_esketamine(clinic, *, enrolled: bool = True, number: int = 1, course=None):
    session = charted_esketamine(
        clinic,
        START,
        vitals=((0, (130, 80)), (40, (156, 92)), (125, (132, 82))),
        heart_rate=74,
        moaas=((20, 3), (75, 5)),
        number=number,
        course=course,
    )
    if enrolled and not RemsEnrolment.objects.filter(patient=session.patient).exists():
        RemsEnrolment.objects.create(
            patient=session.patient,
            enrolled_on=dt.date(2026, 3, 1),
            recorded_by=clinic.nurse,
            recorded_at=NOW,
        )
    Session.objects.filter(pk=session.pk).update(
        status="observing", checked_in_at=START - dt.timedelta(minutes=20)
    )
    session.refresh_from_db()
    return session


def close(session, user, answers=ANSWERS, *, escort_name: str = "Sam"):
    """Discharge ``session`` as ``user``, every check met, with these REMS ``answers``."""
    from ketaclinic.apps.charting.discharging import discharge

    return discharge(
        session,
        dissociation_resolved=True,
        escort_confirmed=True,
        escort_name=escort_name,
        instruction_given=True,
        override_reason="",
        may_override=False,
        user=user,
        request=None,
        rems_answers=dict(answers),
    )


def discharged_with_form(clinic, *, channel: str = "outbox"):
    """``observing_esketamine`` discharged with its REMS answers: the form is stored and
    queued on the site's ``channel``."""
    rems_setting(clinic.site_a, channel=channel)
    staff_details(clinic)
    session = observing_esketamine(clinic)
    close(session, clinic.nurse, escort_name="")
    return session
