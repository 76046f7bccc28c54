"""The home program's workings: the first-dose rule, the calendar, recording a check-in,
flagging missed check-ins and recording pill counts.

Decisions come from ``clinical.home_checkins``; this module stores them, raises the alerts
they name (assigned to the course's prescriber) and audits, each in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.homeprogram.choices import DoseStatus, SupplyEventKind
from ketaclinic.apps.homeprogram.models import HomeCheckIn, HomePrescription, PillCount
from ketaclinic.apps.homeprogram.refills import dispensings_of
from ketaclinic.apps.homeprogram.supply import record_supply_event
from ketaclinic.apps.treatment.choices import CourseStatus, SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.home_checkins import (
    CheckInReport,
    FindingLevel,
    HomeCheckInParameters,
    HomePrescribed,
    SideEffectSeverity,
    assess_check_in,
    home_dose_dates,
    missed_dates,
    reconcile_pill_count,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "PARAMETERS",
    "CalendarDay",
    "calendar_for",
    "first_dose_session",
    "first_dose_sessions",
    "flag_missed_check_ins",
    "planned_dates",
    "record_check_in",
    "record_pill_count",
    "troches_taken",
    "write_prescription",
]

PARAMETERS = HomeCheckInParameters()
MISSED_SOURCE = "home_dose"


def write_prescription(
    form: Any, *, patient: Any, prescriber: Any, request: HttpRequest | None = None
) -> HomePrescription:
    """Save a valid ``PrescriptionForm`` (the page's and the API's) with its audit event."""
    with transaction.atomic():
        prescription = form.save(commit=False)
        prescription.patient = patient
        prescription.prescriber = prescriber
        prescription.created_at = clock.now()
        prescription.save()
        record_event(
            request,
            Action.CREATE,
            object_type="home_prescription",
            object_id=prescription.pk,
            patient=patient,
            detail={
                "strength_mg": str(prescription.strength_mg),
                "quantity_dispensed": prescription.quantity_dispensed,
                "refills_authorised": prescription.refills_authorised,
            },
        )
    return prescription


def first_dose_session(course: Any) -> Session | None:
    """The course's first in-person dose that was charted to discharge, or ``None``."""
    return (
        Session.objects.filter(
            course=course, status=SessionStatus.DISCHARGED, discharge__isnull=False
        )
        .order_by("discharged_at", "id")
        .first()
    )


def first_dose_sessions(course_ids: list[int]) -> dict[int, Session]:
    """``first_dose_session`` for many courses in one query: course id -> its first dose."""
    firsts: dict[int, Session] = {}
    sessions = Session.objects.filter(
        course_id__in=course_ids, status=SessionStatus.DISCHARGED, discharge__isnull=False
    ).order_by("discharged_at", "id")
    for session in sessions:
        firsts.setdefault(session.course_id, session)
    return firsts


def _local_date(moment: dt.datetime, site: Any) -> dt.date:
    return moment.astimezone(ZoneInfo(site.timezone)).date()


def planned_dates(
    prescription: HomePrescription, first: Session | bool | None = True
) -> tuple[dt.date, ...]:
    """Planned home dose dates after the in-person first dose (none before it is charted).

    Dates from the ``sublingual-home`` protocol; any on or before the day of the first
    dose's discharge are dropped (no home dose that day or earlier).
    """
    if first is True:
        first = first_dose_session(prescription.course)
    if not first or first.discharged_at is None:
        return ()
    discharged_on = _local_date(first.discharged_at, prescription.patient.site)
    return tuple(d for d in home_dose_dates(prescription.first_home_dose_on) if d > discharged_on)


@dataclass(frozen=True)
class CalendarDay:
    """One planned home dose with its check-in (if any) and status."""

    planned_on: dt.date
    status: str
    check_in: HomeCheckIn | None

    @property
    def status_label(self) -> str:
        return DoseStatus(self.status).label


def calendar_for(
    prescription: HomePrescription,
    check_ins: list[HomeCheckIn],
    first: Session | bool | None = True,
) -> list[CalendarDay]:
    """The prescription's planned home doses and their status as of now.

    ``first`` is the course's first dose if the caller has it (``first_dose_sessions``, for
    a page of prescriptions); by default it is looked up.
    """
    if first is True:
        first = first_dose_session(prescription.course)
    site = prescription.patient.site
    if first is None:
        return [
            CalendarDay(day, DoseStatus.AWAITING_FIRST_DOSE, None)
            for day in home_dose_dates(prescription.first_home_dose_on)
        ]
    dates = planned_dates(prescription, first)
    by_date = {c.planned_on: c for c in check_ins}
    now = clock.now()
    missed = set(
        missed_dates(
            dates,
            by_date,
            as_of=now,
            tz=ZoneInfo(site.timezone),
            grace_hours=PARAMETERS.grace_hours,
        )
    )
    today = _local_date(now, site)
    days = []
    for day in dates:
        check_in = by_date.get(day)
        if check_in is not None:
            status = DoseStatus.NEEDS_REVIEW if check_in.findings else DoseStatus.CHECKED_IN
        elif day in missed:
            status = DoseStatus.MISSED
        elif day <= today:
            status = DoseStatus.DUE
        else:
            status = DoseStatus.UPCOMING
        days.append(CalendarDay(day, status, check_in))
    return days


def _doses_in_week(prescription: HomePrescription, taken_at: dt.datetime) -> int:
    """Doses reported on the 7 calendar days (site time) ending on this dose's day, this one
    included. Calendar days, not a rolling 168 hours: twice-weekly doses 3 and 4 days apart
    (the protocol's own rhythm) taken at different hours would otherwise count 3 in a week.
    """
    tz = ZoneInfo(prescription.patient.site.timezone)
    first_day = taken_at.astimezone(tz).date() - dt.timedelta(days=6)
    earlier = HomeCheckIn.objects.filter(
        prescription=prescription,
        dose_taken=True,
        taken_at__gte=dt.datetime.combine(first_day, dt.time(0), tzinfo=tz),
        taken_at__lte=taken_at,
    ).count()
    return earlier + 1


def record_check_in(*, link: Any, data: dict, request: HttpRequest | None = None) -> HomeCheckIn:
    """Store one check-in, ask the core what it means, and alert the prescriber if needed.

    Call inside the transaction that closed the link.
    """
    prescription = link.prescription
    course = prescription.course
    patient = prescription.patient
    taken = bool(data["dose_taken"])
    amount = data.get("amount_mg") or Decimal("0") if taken else Decimal("0")
    taken_at = data.get("taken_at") if taken else None
    report = CheckInReport(
        amount_mg=amount,
        responsible_adult_present=bool(data["responsible_adult_present"]) or not taken,
        suicidal_thoughts=bool(data["suicidal_thoughts"]),
        side_effect_severity=SideEffectSeverity(data["side_effect_severity"]),
        doses_in_week=_doses_in_week(prescription, taken_at) if taken else 0,
        bp_systolic=data.get("bp_systolic"),
        bp_diastolic=data.get("bp_diastolic"),
    )
    prescribed = HomePrescribed(prescription.dose_per_session_mg, prescription.max_doses_per_week)
    findings = assess_check_in(report, prescribed, PARAMETERS)
    with transaction.atomic():
        check_in = HomeCheckIn.objects.create(
            prescription=prescription,
            link=link,
            planned_on=link.planned_on,
            dose_taken=taken,
            taken_at=taken_at,
            amount_mg=amount,
            responsible_adult_present=bool(data["responsible_adult_present"]),
            mood_0_10=data["mood_0_10"],
            anxiety_0_10=data["anxiety_0_10"],
            suicidal_thoughts=bool(data["suicidal_thoughts"]),
            nausea=bool(data.get("nausea")),
            vomiting=bool(data.get("vomiting")),
            dizziness=bool(data.get("dizziness")),
            dissociation=bool(data.get("dissociation")),
            other_side_effects=data.get("other_side_effects") or "",
            side_effect_severity=data["side_effect_severity"],
            bp_systolic=data.get("bp_systolic"),
            bp_diastolic=data.get("bp_diastolic"),
            findings=[
                {
                    "code": f.code,
                    "level": str(f.level),
                    "message": f.message,
                    "source": f.source_key,
                }
                for f in findings
            ],
            submitted_at=clock.now(),
        )
        record_event(
            request,
            Action.SUBMIT,
            object_type="home_check_in",
            object_id=check_in.pk,
            patient=patient,
            detail={
                "planned_on": link.planned_on.isoformat(),
                "findings": [f.code for f in findings],
            },
        )
        if findings:
            urgent = any(f.level is FindingLevel.URGENT for f in findings)
            raise_alert(
                site=patient.site,
                kind=AlertKind.HOME_CHECK_IN,
                level=AlertLevel.URGENT if urgent else AlertLevel.WARNING,
                title=f"Home check-in for {link.planned_on:%d %b}: {findings[0].message}",
                message="\n".join(f.message for f in findings),
                patient=patient,
                source_type="home_check_in",
                source_id=check_in.pk,
                assigned_to=course.prescriber,
                request=request,
            )
    return check_in


def flag_missed_check_ins(as_of: dt.datetime) -> int:
    """Raise one MISSED_CHECK_IN alert per planned home dose with no check-in by its
    deadline (the planned day plus the grace hours); idempotent. Returns how many were raised.
    """
    raised = 0
    prescriptions = HomePrescription.objects.filter(
        course__status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
    ).select_related("patient__site", "course__prescriber")
    for prescription in prescriptions:
        first = first_dose_session(prescription.course)
        dates = planned_dates(prescription, first)
        if not dates:
            continue
        site = prescription.patient.site
        done = prescription.check_ins.values_list("planned_on", flat=True)
        missed = missed_dates(
            dates, done, as_of=as_of, tz=ZoneInfo(site.timezone), grace_hours=PARAMETERS.grace_hours
        )
        keys = [f"{prescription.pk}:{day.isoformat()}" for day in missed]
        already = set(
            Alert.objects.filter(source_type=MISSED_SOURCE, source_id__in=keys).values_list(
                "source_id", flat=True
            )
        )
        for day, key in zip(missed, keys, strict=True):
            if key in already:
                continue
            raise_alert(
                site=site,
                kind=AlertKind.MISSED_CHECK_IN,
                level=AlertLevel.WARNING,
                title=f"No home check-in for the dose planned on {day:%d %b %Y}",
                message="Call the patient: a missed check-in may mean a missed or unreported dose.",
                patient=prescription.patient,
                source_type=MISSED_SOURCE,
                source_id=key,
                assigned_to=prescription.course.prescriber,
            )
            raised += 1
    return raised


def troches_taken(prescription: HomePrescription) -> Decimal:
    """Troches the check-ins report as taken (amount / strength per dose)."""
    amounts = prescription.check_ins.filter(dose_taken=True).values_list("amount_mg", flat=True)
    return sum((amount / prescription.strength_mg for amount in amounts), Decimal("0"))


def record_pill_count(
    *,
    prescription: HomePrescription,
    counted: Decimal,
    counted_on: dt.date,
    note: str,
    counted_by: Any,
    request: HttpRequest | None = None,
) -> PillCount:
    """Store a count, reconciled with every dispensing (first fill and refills) and the
    check-ins; a discrepancy raises a warning for the prescriber."""
    taken = troches_taken(prescription)
    dispensed = dispensings_of(prescription)
    result = reconcile_pill_count(dispensed, taken, counted)
    patient = prescription.patient
    with transaction.atomic():
        count = PillCount.objects.create(
            prescription=prescription,
            counted_on=counted_on,
            counted=counted,
            dispensed=sum(dispensed),
            reported_taken=taken.quantize(Decimal("0.01")),
            expected_on_hand=Decimal(result.expected_on_hand).quantize(Decimal("0.01")),
            discrepancy=Decimal(result.discrepancy).quantize(Decimal("0.01")),
            note=note,
            counted_by=counted_by,
            recorded_at=clock.now(),
        )
        record_event(
            request,
            Action.CREATE,
            object_type="pill_count",
            object_id=count.pk,
            patient=patient,
            detail={"counted": str(counted), "discrepancy": str(count.discrepancy)},
        )
        if count.discrepancy < 0:
            record_supply_event(
                prescription=prescription,
                kind=SupplyEventKind.PILL_COUNT_SHORTFALL,
                occurred_on=counted_on,
                note=f"{-count.discrepancy} troche(s) short at the count",
                recorded_by=counted_by,
                request=request,
                pill_count=count,
            )
        if not result.matches:
            raise_alert(
                site=patient.site,
                kind=AlertKind.HOME_CHECK_IN,
                level=AlertLevel.WARNING,
                title=(
                    f"Pill count differs: {count.counted} counted, "
                    f"{count.expected_on_hand} expected"
                ),
                message=(
                    f"Dispensed {count.dispensed} in all; check-ins report "
                    f"{count.reported_taken} taken; discrepancy {count.discrepancy}."
                ),
                patient=patient,
                source_type="pill_count",
                source_id=count.pk,
                assigned_to=prescription.course.prescriber,
                request=request,
            )
    return count
