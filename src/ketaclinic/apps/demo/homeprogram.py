"""Demo home program: a few home-sublingual patients whose in-person first dose is charted,
with a prescription, check-ins for the doses so far (one high blood pressure with its
alert, one dose missed and flagged), a pill count at a visit, and two misuse signals (a
request to raise the dose, an early-refill request)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.assessments.choices import SentVia
from ketaclinic.apps.assessments.links import hash_token
from ketaclinic.apps.charting.models import Discharge
from ketaclinic.apps.demo import charting as demo_charting
from ketaclinic.apps.homeprogram.choices import DispensedAt, SupplyEventKind
from ketaclinic.apps.homeprogram.models import HomeCheckIn, HomeCheckInLink, HomePrescription
from ketaclinic.apps.homeprogram.program import (
    flag_missed_check_ins,
    planned_dates,
    record_check_in,
    record_pill_count,
)
from ketaclinic.apps.homeprogram.refills import next_refill_on, record_refill
from ketaclinic.apps.homeprogram.supply import record_supply_event
from ketaclinic.apps.treatment.models import Course

HOME_PATIENTS = 4
# The stories, most telling first (a small demo clinic may have only two home patients): a
# high BP at the last dose; a dose missed (not the latest, which may still be in its grace
# hours); a pill count at the visit that matches; all well.
STORIES = ("high_bp", "missed", "counted", "well")
# Misuse signals the outcomes page counts for the "non-addictive" claim (issue 15).
SIGNALS = {
    "high_bp": (
        SupplyEventKind.DOSE_INCREASE_REQUEST,
        "Asked whether two troches could be taken on bad days.",
    ),
    "missed": (
        SupplyEventKind.EARLY_REFILL_REQUEST,
        "Phoned for a refill a week before the supply should run out.",
    ),
}


def _first_doses(now: dt.datetime) -> list:
    """Home courses whose first session (the in-person first dose) ended in a discharge 10 to
    40 days ago (so at least two home doses are past), newest first."""
    courses = (
        Course.objects.filter(protocol_id="sublingual-home", status__in=["active", "completed"])
        .select_related("patient__site", "prescriber")
        .order_by("-starts_on", "id")
    )
    picked = []
    for course in courses:
        first = course.sessions.filter(number=1, status="discharged").first()
        if first is None or first.discharged_at is None:
            continue
        if not dt.timedelta(days=10) <= now - first.discharged_at <= dt.timedelta(days=40):
            continue
        picked.append((course, first))
        if len(picked) == HOME_PATIENTS:
            break
    return picked


def _link(prescription: HomePrescription, day: dt.date, now: dt.datetime, rng: random.Random):
    return HomeCheckInLink(
        prescription=prescription,
        patient=prescription.patient,
        planned_on=day,
        token_hash=hash_token(f"demo-{prescription.pk}-{day}-{rng.random()}"),
        expires_at=now + dt.timedelta(hours=1),
        created_by=None,
        created_at=now - dt.timedelta(hours=1),
        used_at=now - dt.timedelta(minutes=30),
        sent_via=SentVia.SMS,
    )


def create_home_program(users: dict[str, User], rng: random.Random, now: dt.datetime) -> int:
    """Returns how many home prescriptions were written."""
    written = 0
    for story, (course, first) in zip(STORIES, _first_doses(now), strict=False):
        if not Discharge.objects.filter(session=first).exists():
            demo_charting.create_session_charts([first], users, rng, now)
            first.refresh_from_db()
        tz = ZoneInfo(course.site.timezone)
        first_day = first.discharged_at.astimezone(tz).date()
        prescription = HomePrescription.objects.create(
            patient=course.patient,
            course=course,
            prescriber=course.prescriber,
            strength_mg=Decimal("100"),
            quantity_dispensed=6,
            refills_authorised=rng.choice([0, 1, 2]),
            written_on=first_day,
            dose_per_session_mg=Decimal("100"),
            max_doses_per_week=2,
            first_home_dose_on=first_day + dt.timedelta(days=3),
            directions="One 100 mg troche under the tongue for 15 minutes, then spit; an adult "
            "stays with you for 2 hours.",
            created_at=first.discharged_at,
        )
        written += 1
        today = now.astimezone(tz).date()
        past = [d for d in planned_dates(prescription) if d < today]
        if story == "missed" and len(past) >= 2:
            del past[-2]
        alarming = past[-1] if story == "high_bp" and past else None
        quiet = [d for d in past if d != alarming]
        links = HomeCheckInLink.objects.bulk_create(
            [_link(prescription, d, now, rng) for d in quiet]
        )
        HomeCheckIn.objects.bulk_create(
            [
                HomeCheckIn(
                    prescription=prescription,
                    link=link,
                    planned_on=link.planned_on,
                    dose_taken=True,
                    taken_at=dt.datetime.combine(
                        link.planned_on, dt.time(rng.choice([9, 10, 19, 20]), 0), tzinfo=tz
                    ),
                    amount_mg=Decimal("100"),
                    responsible_adult_present=True,
                    mood_0_10=rng.randint(4, 8),
                    anxiety_0_10=rng.randint(1, 5),
                    suicidal_thoughts=False,
                    nausea=rng.random() < 0.3,
                    dissociation=rng.random() < 0.6,
                    side_effect_severity=rng.choice(["none", "mild", "mild", "moderate"]),
                    bp_systolic=rng.randint(118, 142),
                    bp_diastolic=rng.randint(72, 88),
                    submitted_at=dt.datetime.combine(link.planned_on, dt.time(21, 0), tzinfo=tz),
                )
                for link in links
            ]
        )
        if alarming is not None:
            link = _link(prescription, alarming, now, rng)
            link.save()
            record_check_in(
                link=link,
                data={
                    "dose_taken": True,
                    "taken_at": dt.datetime.combine(alarming, dt.time(19, 30), tzinfo=tz),
                    "amount_mg": Decimal("100"),
                    "responsible_adult_present": True,
                    "mood_0_10": 4,
                    "anxiety_0_10": 6,
                    "suicidal_thoughts": False,
                    "nausea": True,
                    "dizziness": True,
                    "side_effect_severity": "moderate",
                    "bp_systolic": 168,
                    "bp_diastolic": 102,
                },
            )
        dispensed = prescription.quantity_dispensed
        refill_on = next_refill_on(prescription)
        if refill_on is not None and refill_on <= today:
            refill = record_refill(
                prescription,
                dispensed_on=refill_on,
                quantity=prescription.quantity_dispensed,
                dispensed_at=DispensedAt.PHARMACY,
                pharmacy=f"{course.site.name} Community Pharmacy",
                note="Refill on the day the early-refill line allowed.",
                user=course.prescriber,
            )
            dispensed += refill.quantity
        if story == "counted":
            record_pill_count(
                prescription=prescription,
                counted=Decimal(dispensed - len(quiet)),
                counted_on=today,
                note="Patient brought the bottle to the follow-up visit.",
                counted_by=users["nurse" if course.site.slug == "riverside" else "nurse.lakeview"],
            )
        signal = SIGNALS.get(story)
        if signal is not None and past:
            kind, note = signal
            record_supply_event(
                prescription=prescription,
                kind=kind,
                occurred_on=past[-1],
                note=note,
                recorded_by=users["nurse" if course.site.slug == "riverside" else "nurse.lakeview"],
            )
    flag_missed_check_ins(now)
    return written
