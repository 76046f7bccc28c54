"""The esketamine REMS patient-monitoring record: prefilled from the chart, submitted in 7 days.

The Spravato REMS asks the healthcare setting to report each treatment session's monitoring
(dose, lot, monitoring time, BP before, at about 40 minutes and before discharge, sedation,
dissociation, respiratory status, concomitant medications). ``rems_due`` lists sessions
whose record is not marked submitted as their 7-day window closes; ``raise_rems_reminders``
raises one REMS_DUE alert per such session. Time is passed in (``as_of``).
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
from ketaclinic.apps.alerts.raising import acknowledge_alert, raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import RespiratoryStatus, ScaleCode
from ketaclinic.apps.charting.models import RemsRecord
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.treatment.choices import Route, SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock

if TYPE_CHECKING:
    from django.http import HttpRequest

SUBMISSION_DAYS = 7
"""Days after the session to submit the form (Spravato REMS; window unverified here)."""
REMINDER_LEAD_DAYS = 2
"""Remind this many days before the window closes, so there is time to act (ours)."""
BP_40_WINDOW_MIN = (30, 50)
"""The reading "at about 40 minutes" is the one nearest minute 40 within this window."""
REMS_SOURCE = "rems_record"


def dose_deviations(session: Session) -> list[dict[str, Any]]:
    """How the dose differed from its order (``Administration.deviations``), for the record."""
    administration = getattr(session, "administration", None)
    return list(administration.deviations) if administration else []


def prefill(session: Session) -> dict[str, Any]:
    """The form's values from the chart (the nurse reviews and corrects before saving)."""
    administration = getattr(session, "administration", None)
    discharge = getattr(session, "discharge", None)
    baseline = session.pre_checks.order_by("-checked_at", "-id").first()
    vitals = list(session.vital_signs.all())
    scales = list(session.scale_entries.all())
    values: dict[str, Any] = {
        "dose_mg": (administration.dose_given_mg or administration.order.dose_mg).quantize(
            Decimal("0.1")
        )
        if administration
        else None,
        "lot": administration.lot if administration else "",
        "monitoring_minutes": None,
        "bp_before_systolic": baseline.bp_systolic if baseline else None,
        "bp_before_diastolic": baseline.bp_diastolic if baseline else None,
        "sedation": any(s.scale == ScaleCode.MOAAS and s.total < 5 for s in scales),
        "dissociation": any(s.scale == ScaleCode.CADSS and s.total > 0 for s in scales),
        "respiratory_status": (
            RespiratoryStatus.DEPRESSION
            if any(v.spo2 < 92 or (v.respiratory_rate or 12) < 8 for v in vitals)
            else RespiratoryStatus.NORMAL
        ),
        "concomitant_medications": "; ".join(
            f"{m.drug} {m.dose_mg.normalize():f} mg {m.get_route_display()}"
            for m in session.rescue_medications.all()
        ),
        "adverse_events": "; ".join(
            f"{e.get_kind_display()} ({e.get_severity_display().lower()}): {e.action_taken}"
            for e in session.adverse_events.all()
        ),
    }
    if administration is not None:
        start = administration.started_at
        end = discharge.discharged_at if discharge else None
        if end is not None:
            values["monitoring_minutes"] = int((end - start).total_seconds() // 60)
        low, high = BP_40_WINDOW_MIN
        around_40 = [
            v for v in vitals if low * 60 <= (v.taken_at - start).total_seconds() <= high * 60
        ]
        if around_40:
            nearest = min(around_40, key=lambda v: abs((v.taken_at - start).total_seconds() - 2400))
            values["bp_40min_systolic"] = nearest.bp_systolic
            values["bp_40min_diastolic"] = nearest.bp_diastolic
        if vitals:
            values["bp_discharge_systolic"] = vitals[-1].bp_systolic
            values["bp_discharge_diastolic"] = vitals[-1].bp_diastolic
    return values


def save_record(
    session: Session, values: dict[str, Any], *, user: Any, request: HttpRequest | None
) -> RemsRecord:
    """Create or correct the record until it is marked submitted."""
    if session.course.route != Route.ESKETAMINE:
        raise ChartRefused("A REMS record is kept for esketamine sessions only.")
    with transaction.atomic():
        record = RemsRecord.objects.select_for_update().filter(session=session).first()
        if record is not None and record.submitted_at is not None:
            raise ChartRefused("The REMS record was submitted; it cannot change.")
        creating = record is None
        if creating:
            record = RemsRecord(session=session)
        for name, value in values.items():
            setattr(record, name, value)
        record.prepared_by = user
        record.prepared_at = clock.now()
        record.save()
        record_event(
            request,
            Action.CREATE if creating else Action.UPDATE,
            object_type="rems_record",
            object_id=record.pk,
            patient=session.patient,
            detail={"session": session.pk},
        )
    return record


def mark_submitted(
    record: RemsRecord, *, reference: str, user: Any, request: HttpRequest | None
) -> RemsRecord:
    """Mark the record submitted to the REMS; closes any open reminder for it."""
    with transaction.atomic():
        locked = RemsRecord.objects.select_for_update().get(pk=record.pk)
        if locked.submitted_at is not None:
            raise ChartRefused("The REMS record was marked submitted already.")
        locked.submitted_at = clock.now()
        locked.submitted_by = user
        locked.submission_reference = reference.strip()
        locked.save(update_fields=["submitted_at", "submitted_by", "submission_reference"])
        session = record.session
        record_event(
            request,
            Action.SEND,
            object_type="rems_record",
            object_id=locked.pk,
            patient=session.patient,
            detail={"session": session.pk, "reference": locked.submission_reference},
        )
        for alert in Alert.objects.filter(
            kind=AlertKind.REMS_DUE, source_type=REMS_SOURCE, source_id=str(session.pk)
        ).filter(acknowledged_at__isnull=True):
            acknowledge_alert(
                alert, user=user, note="REMS record marked submitted.", request=request
            )
    return locked


@dataclass(frozen=True)
class RemsDue:
    session: Session
    due_at: dt.datetime
    overdue: bool


def rems_due(as_of: dt.datetime) -> list[RemsDue]:
    """Discharged esketamine sessions without a submitted record whose window closes within
    ``REMINDER_LEAD_DAYS`` of ``as_of`` (or has closed)."""
    window = dt.timedelta(days=SUBMISSION_DAYS)
    remind_from = as_of - window + dt.timedelta(days=REMINDER_LEAD_DAYS)
    sessions = (
        Session.objects.filter(
            course__route=Route.ESKETAMINE,
            status=SessionStatus.DISCHARGED,
            discharged_at__lte=remind_from,
        )
        .exclude(rems_record__submitted_at__isnull=False)
        .select_related("patient__site", "course")
        .order_by("discharged_at", "id")
    )
    return [
        RemsDue(session, session.discharged_at + window, session.discharged_at + window <= as_of)
        for session in sessions
    ]


def raise_rems_reminders(as_of: dt.datetime) -> int:
    """One REMS_DUE alert per due session (none twice); returns how many were raised."""
    raised = 0
    for due in rems_due(as_of):
        session = due.session
        zone = ZoneInfo(session.patient.site.timezone)
        with transaction.atomic():
            if Alert.objects.filter(
                kind=AlertKind.REMS_DUE, source_type=REMS_SOURCE, source_id=str(session.pk)
            ).exists():
                continue
            raise_alert(
                site=session.patient.site_id,
                kind=AlertKind.REMS_DUE,
                level=AlertLevel.URGENT if due.overdue else AlertLevel.WARNING,
                title=f"REMS form {'overdue' if due.overdue else 'due'}: "
                f"{session.patient.full_name}",
                message=(
                    f"The esketamine REMS monitoring form for the session of "
                    f"{session.discharged_at.astimezone(zone):%Y-%m-%d} is due by "
                    f"{due.due_at.astimezone(zone):%Y-%m-%d %H:%M %Z} "
                    "and is not marked submitted."
                ),
                patient=session.patient,
                source_type=REMS_SOURCE,
                source_id=session.pk,
                assigned_to=session.course.prescriber,
            )
            raised += 1
    return raised
