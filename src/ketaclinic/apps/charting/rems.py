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
from ketaclinic.apps.charting.choices import (
    PreCheckDecision,
    RemsStatus,
    RespiratoryStatus,
    ScaleCode,
    Severity,
)
from ketaclinic.apps.charting.models import RemsEnrolment, RemsHealthcareSetting, RemsRecord
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.treatment.choices import Route, SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.rems_form import FIELDS, FORM_VERSION, dose_box, problems

if TYPE_CHECKING:
    from django.http import HttpRequest

SUBMISSION_DAYS = 7
"""Days after the session to submit the form (printed on the 11/2021 Patient Monitoring Form:
"Submit completed patient monitoring forms within 7 days")."""
REMINDER_LEAD_DAYS = 2
"""Remind this many days before the window closes, so there is time to act (ours)."""
BP_40_WINDOW_MIN = (30, 50)
"""The reading "at about 40 minutes" is the one nearest minute 40 within this window."""
REMS_SOURCE = "rems_record"
SEX_ON_FORM = {"male": "male", "female": "female"}
"""The form prints Male, Female, Other: intersex and unknown are "other"."""
CONCOMITANT = (
    "benzodiazepines",
    "non_benzodiazepine_hypnotics",
    "psychostimulants",
    "maois",
    "opioids",
)
FORM_NAMES = tuple(f.name for f in FIELDS)
RECORD_FIELDS = (
    *(
        name
        for name in FORM_NAMES
        if name
        not in {
            "dose",
            "dose_other_mg",
            "lot_number",
            "total_minutes",
            "bp_end_systolic",
            "bp_end_diastolic",
            "respiratory_depression",
        }
    ),
    "dose_mg",
    "lot",
    "monitoring_minutes",
    "bp_discharge_systolic",
    "bp_discharge_diastolic",
    "respiratory_status",
    "concomitant_medications",
    "adverse_events",
)


def dose_deviations(session: Session) -> list[dict[str, Any]]:
    """How the dose differed from its order (``Administration.deviations``), for the record."""
    administration = getattr(session, "administration", None)
    return list(administration.deviations) if administration else []


def _previous_record(session: Session) -> RemsRecord | None:
    """The patient's REMS form from their last esketamine session before this one."""
    return (
        RemsRecord.objects.filter(
            session__patient_id=session.patient_id,
            session__planned_start__lt=session.planned_start,
        )
        .exclude(session=session)
        .order_by("-session__planned_start", "-id")
        .first()
    )


def _first_treatment(session: Session) -> bool:
    return not Session.objects.filter(
        patient_id=session.patient_id,
        course__route=Route.ESKETAMINE,
        administration__isnull=False,
        planned_start__lt=session.planned_start,
    ).exists()


def _ready_minute(start: dt.datetime, scales: list) -> int | None:
    """Minutes from the dose to the first MOAA/S of 5 after every lower MOAA/S and every
    CADSS above 0: when the patient would have been ready but for the 2-hour rule."""
    after = [s for s in scales if s.taken_at >= start]
    last_unwell = max(
        (
            s.taken_at
            for s in after
            if (s.scale == ScaleCode.MOAAS and s.total < 5)
            or (s.scale == ScaleCode.CADSS and s.total > 0)
        ),
        default=start,
    )
    recovered = [
        s.taken_at
        for s in after
        if s.scale == ScaleCode.MOAAS and s.total == 5 and s.taken_at >= last_unwell
    ]
    if not recovered:
        return None
    return int((min(recovered) - start).total_seconds() // 60)


def prefill(
    session: Session, *, as_of: dt.datetime | None = None, ready_now: bool | None = None
) -> dict[str, Any]:
    """The form's values from the chart and the patient's last form (the nurse reviews).

    Before discharge, ``as_of`` stands in for the end of monitoring and ``ready_now`` for
    the readiness check's verdict, so the discharge can check the form as it will be.
    """
    administration = getattr(session, "administration", None)
    discharge = getattr(session, "discharge", None)
    baseline = session.pre_checks.order_by("-checked_at", "-id").first()
    vitals = list(session.vital_signs.order_by("taken_at", "id"))
    scales = list(session.scale_entries.order_by("taken_at", "id"))
    events = list(session.adverse_events.all())
    patient = session.patient
    site = patient.site
    zone = ZoneInfo(site.timezone)
    serious = [e for e in events if e.severity == Severity.SEVERE]
    values: dict[str, Any] = {
        "form_version": FORM_VERSION,
        "patient_first_name": patient.given_name,
        "patient_middle_initial": "",
        "patient_last_name": patient.family_name,
        "patient_birth_date": patient.date_of_birth,
        "patient_sex": SEX_ON_FORM.get(patient.sex_at_birth, "other"),
        "first_treatment": _first_treatment(session),
        "patient_enrolled": RemsEnrolment.objects.filter(patient_id=patient.pk).exists(),
        "dose_mg": (administration.dose_given_mg or administration.order.dose_mg).quantize(
            Decimal("0.1")
        )
        if administration
        else None,
        "lot": _lot(administration),
        "monitoring_minutes": None,
        "ready_to_leave_minutes": None,
        "vitals_ok_before": baseline.decision == PreCheckDecision.PROCEED if baseline else None,
        "vitals_ok_at_completion": discharge.ready if discharge else ready_now,
        "bp_before_systolic": baseline.bp_systolic if baseline else None,
        "bp_before_diastolic": baseline.bp_diastolic if baseline else None,
        "sedation": any(s.scale == ScaleCode.MOAAS and s.total < 5 for s in scales),
        "dissociation": any(s.scale == ScaleCode.CADSS and s.total > 0 for s in scales),
        "respiratory_status": (
            RespiratoryStatus.DEPRESSION
            if any(v.spo2 < 92 or (v.respiratory_rate or 12) < 8 for v in vitals)
            else RespiratoryStatus.NORMAL
        ),
        "pulse_oximetry": any(v.spo2 is not None for v in vitals) if vitals else None,
        "serious_adverse_event": bool(serious),
        "serious_adverse_event_description": "; ".join(
            f"{e.get_kind_display()}: {e.description or e.action_taken}" for e in serious
        ),
        "concomitant_medications": "; ".join(
            f"{m.drug} {m.dose_mg.normalize():f} mg {m.get_route_display()}"
            for m in session.rescue_medications.all()
        ),
        "adverse_events": "; ".join(
            f"{e.get_kind_display()} ({e.get_severity_display().lower()}): {e.action_taken}"
            for e in events
        ),
    }
    values.update(_setting_values(site))
    previous = _previous_record(session)
    for name in CONCOMITANT:
        values[name] = getattr(previous, name) if previous else None
    if administration is not None:
        nurse = administration.started_by
        values.update(
            clinician_first_name=nurse.first_name,
            clinician_last_name=nurse.last_name,
            clinician_email=nurse.email,
            clinician_phone=site.phone,
        )
        start = administration.started_at
        values["treatment_date"] = start.astimezone(zone).date()
        end = discharge.discharged_at if discharge else as_of
        if end is not None:
            values["monitoring_minutes"] = int((end - start).total_seconds() // 60)
        values["ready_to_leave_minutes"] = _ready_minute(start, scales)
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


def _lot(administration) -> str:
    """The lot as the ledger knows it (the container's lot), else as typed at the bedside."""
    if administration is None:
        return ""
    container = administration.container
    if container is not None and container.lot_id:
        return container.lot.lot_number
    return administration.lot


def _setting_values(site) -> dict[str, str]:
    setting = RemsHealthcareSetting.objects.filter(site=site).first()
    if setting is None:
        return {"setting_name": site.name}
    return {
        "setting_name": setting.setting_name,
        "setting_address_1": setting.address_1,
        "setting_address_2": setting.address_2,
        "setting_city": setting.city,
        "setting_state": setting.state,
        "setting_zip": setting.zip_code,
    }


def core_values(values: dict[str, Any]) -> dict[str, Any]:
    """The stored names translated to the printed form's (``clinical.rems_form.FIELDS``)."""
    out = {name: values.get(name) for name in FORM_NAMES}
    dose = values.get("dose_mg")
    if dose is not None:
        out["dose"], out["dose_other_mg"] = dose_box(Decimal(dose))
    out["lot_number"] = values.get("lot")
    out["total_minutes"] = values.get("monitoring_minutes")
    out["bp_end_systolic"] = values.get("bp_discharge_systolic")
    out["bp_end_diastolic"] = values.get("bp_discharge_diastolic")
    status = values.get("respiratory_status")
    out["respiratory_depression"] = None if not status else status == RespiratoryStatus.DEPRESSION
    return out


STORED_AS = {
    "dose": "dose_mg",
    "dose_other_mg": "dose_mg",
    "lot_number": "lot",
    "total_minutes": "monitoring_minutes",
    "bp_end_systolic": "bp_discharge_systolic",
    "bp_end_diastolic": "bp_discharge_diastolic",
    "respiratory_depression": "respiratory_status",
}


def form_problems(values: dict[str, Any]) -> list[InputError]:
    """Every reason the form cannot go, each naming the stored field (for forms and the API)."""
    found = []
    for problem in problems(core_values(values)):
        found.append(type(problem)(STORED_AS.get(problem.field, problem.field), problem.message))
    return found


def record_values(record: RemsRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in RECORD_FIELDS}


def record_enrolment(
    patient: Any, *, enrolled_on: dt.date, rems_patient_id: str, user: Any, request
) -> RemsEnrolment:
    """Record (or correct) the patient's SPRAVATO REMS enrolment; audited."""
    with transaction.atomic():
        enrolment, created = RemsEnrolment.objects.update_or_create(
            patient=patient,
            defaults={
                "enrolled_on": enrolled_on,
                "rems_patient_id": rems_patient_id.strip(),
                "recorded_by": user,
                "recorded_at": clock.now(),
            },
        )
        record_event(
            request,
            Action.CREATE if created else Action.UPDATE,
            object_type="rems_enrolment",
            object_id=enrolment.pk,
            patient=patient,
            detail={"enrolled_on": enrolled_on.isoformat()},
        )
    return enrolment


def check_enrolled_before_first_dose(session: Session) -> None:
    """The REMS: enrol the patient before the first treatment; refuse the first dose until then."""
    if session.course.route != Route.ESKETAMINE:
        return
    if RemsEnrolment.objects.filter(patient_id=session.patient_id).exists():
        return
    if _first_treatment(session):
        raise ChartRefused(
            "The patient is not enrolled in the SPRAVATO REMS: record the enrolment before "
            "the first esketamine dose."
        )


class RemsIncomplete(Exception):
    """The esketamine session cannot close: the REMS form lacks these fields (all named)."""

    def __init__(self, found: list[InputError]) -> None:
        super().__init__("; ".join(p.message for p in found))
        self.problems = found

    def as_errors(self) -> list[dict[str, str]]:
        return [
            {"field": p.field, "message": p.message, "code": type(p).__name__}
            for p in self.problems
        ]


NURSE_FIELDS = (*CONCOMITANT, "ready_to_leave_minutes", "patient_middle_initial")
"""What the chart cannot know: asked at discharge, or kept from the form saved earlier."""


def form_at_discharge(
    session: Session, *, as_of: dt.datetime, ready_now: bool, answers: dict[str, Any]
) -> dict[str, Any]:
    """The form as it will be once the patient leaves now: the chart, then the nurse's saved
    answers, then what the discharge form gives."""
    values = prefill(session, as_of=as_of, ready_now=ready_now)
    record = RemsRecord.objects.filter(session=session).first()
    if record is not None:
        for name in NURSE_FIELDS:
            if getattr(record, name) not in (None, ""):
                values[name] = getattr(record, name)
    for name, value in answers.items():
        if value not in (None, ""):
            values[name] = value
    return values


def queue_at_discharge(
    session: Session, values: dict[str, Any], *, user: Any, now: dt.datetime, request
) -> RemsRecord:
    """Store the complete form and queue it to send (inside the discharge's transaction);
    ``RemsIncomplete`` naming every missing field otherwise, and nothing is written."""
    found = form_problems(values)
    if found:
        raise RemsIncomplete(found)
    record = RemsRecord.objects.filter(session=session).first() or RemsRecord(session=session)
    for name in RECORD_FIELDS:
        if name in values:
            setattr(record, name, values[name])
    record.form_version = FORM_VERSION
    record.prepared_by = user
    record.prepared_at = now
    record.status = RemsStatus.QUEUED
    record.next_attempt_at = now
    record.save()
    record_event(
        request,
        Action.CREATE,
        object_type="rems_record",
        object_id=record.pk,
        patient=session.patient,
        detail={"session": session.pk, "status": record.status},
    )
    return record


def save_record(
    session: Session, values: dict[str, Any], *, user: Any, request: HttpRequest | None
) -> RemsRecord:
    """Create or correct the record until it is marked submitted."""
    if session.course.route != Route.ESKETAMINE:
        raise ChartRefused("A REMS record is kept for esketamine sessions only.")
    with transaction.atomic():
        found = RemsRecord.objects.select_for_update().filter(session=session).first()
        if found is not None and found.submitted_at is not None:
            raise ChartRefused("The REMS record was submitted; it cannot change.")
        creating = found is None
        record = RemsRecord(session=session) if found is None else found
        if record.status in (RemsStatus.SENT, RemsStatus.MARKED):
            raise ChartRefused("The REMS form was sent; it cannot change.")
        for name, value in values.items():
            setattr(record, name, value)
        record.form_version = FORM_VERSION
        record.prepared_by = user
        record.prepared_at = clock.now()
        complete = not form_problems(record_values(record))
        record.status = RemsStatus.QUEUED if complete else RemsStatus.PREPARED
        record.next_attempt_at = record.prepared_at if complete else None
        record.attempts = 0
        record.document_pdf = None
        record.document_sha256 = ""
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
        locked.status = RemsStatus.MARKED
        locked.next_attempt_at = None
        locked.save(
            update_fields=[
                "submitted_at",
                "submitted_by",
                "submission_reference",
                "status",
                "next_attempt_at",
            ]
        )
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
        .exclude(rems_record__status__in=(RemsStatus.SENT, RemsStatus.MARKED))
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
