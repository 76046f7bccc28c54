"""During the session: vital signs, scales, adverse events and rescue medication.

After every reading the core's ``assess_vitals`` runs over the session's readings since the
dose started. A rule that says pause or stop is charted once (``MonitoringEvent``) and raises
an urgent alert for the prescriber; MOAA/S 0 also records an adverse event by itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import (
    AdverseEventKind,
    MonitoringAction,
    ScaleCode,
    Severity,
)
from ketaclinic.apps.charting.models import (
    Administration,
    AdverseEvent,
    MonitoringEvent,
    RescueMedication,
    ScaleEntry,
    VitalSign,
)
from ketaclinic.apps.charting.parameters import monitoring_parameters
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.monitoring import (
    InSessionAction,
    VitalReading,
    VitalsAssessment,
    assess_vitals,
    minutes_between,
)
from ketaclinic.clinical.scales import score

if TYPE_CHECKING:
    from django.http import HttpRequest

CHARTABLE = (SessionStatus.CHECKED_IN, SessionStatus.DOSING, SessionStatus.OBSERVING)
CALLING_ACTIONS = (InSessionAction.PAUSE, InSessionAction.STOP)
MOAAS_ADVERSE_ACTION = (
    "Dosing stopped, airway supported, prescriber called (MOAA/S 0 monitoring rule)."
)


def _lock_chartable(session: Session) -> Session:
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.status not in CHARTABLE:
        raise ChartRefused("Readings are charted between check-in and discharge.")
    return locked


def _check_time(field: str, moment: dt.datetime, session: Session) -> None:
    if moment > clock.now() + dt.timedelta(minutes=1):
        raise InvalidValue(field, "cannot be in the future")
    if session.checked_in_at is not None and moment < session.checked_in_at - dt.timedelta(
        minutes=1
    ):
        raise InvalidValue(field, "cannot be before the patient checked in")


def readings_since_dose(
    started_at: dt.datetime, vitals: list[VitalSign], scales: list[ScaleEntry]
) -> list[VitalReading]:
    """The core's readings: vitals and MOAA/S from the dose start on, in minutes."""
    readings = [
        VitalReading(
            minute=minutes_between(started_at, v.taken_at, field="taken_at"),
            bp_systolic=v.bp_systolic,
            bp_diastolic=v.bp_diastolic,
            heart_rate=v.heart_rate,
            spo2=v.spo2,
        )
        for v in vitals
        if v.taken_at >= started_at
    ]
    readings += [
        VitalReading(
            minute=minutes_between(started_at, s.taken_at, field="taken_at"), moaas=s.total
        )
        for s in scales
        if s.scale == ScaleCode.MOAAS and s.taken_at >= started_at
    ]
    return readings


def assess_session(
    administration: Administration | None, vitals: list[VitalSign], scales: list[ScaleEntry]
) -> VitalsAssessment | None:
    """The core's assessment of the readings so far (None before the dose started)."""
    if administration is None:
        return None
    return assess_vitals(
        readings_since_dose(administration.started_at, vitals, scales), monitoring_parameters()
    )


def _act_on_assessment(session: Session, request: HttpRequest | None, user: Any) -> None:
    administration = Administration.objects.filter(session=session).first()
    assessment = assess_session(
        administration, list(session.vital_signs.all()), list(session.scale_entries.all())
    )
    if assessment is None:
        return
    charted = set(session.monitoring_events.values_list("code", flat=True))
    for alert in assessment.alerts:
        if alert.code in charted or not (alert.call_prescriber or alert.action in CALLING_ACTIONS):
            continue
        raised = raise_alert(
            site=session.patient.site_id,
            kind=AlertKind.VITAL_SIGNS,
            level=AlertLevel.URGENT,
            title=f"{MonitoringAction(alert.action.value).label}: {session.patient.full_name}",
            message=alert.message,
            patient=session.patient,
            source_type="session",
            source_id=session.pk,
            assigned_to=session.course.prescriber,
            request=request,
        )
        event = MonitoringEvent.objects.create(
            session=session,
            code=alert.code,
            action=alert.action.value,
            minute=alert.minute.quantize(Decimal("0.01")),
            message=alert.message,
            source=alert.source,
            alert=raised,
            raised_at=clock.now(),
        )
        record_event(
            request,
            Action.CREATE,
            object_type="monitoring_event",
            object_id=event.pk,
            patient=session.patient,
            detail={"session": session.pk, "code": alert.code, "action": alert.action.value},
        )
        if alert.adverse_event:
            _create_adverse_event(
                session,
                kind=AdverseEventKind.SEDATION,
                severity=Severity.SEVERE,
                onset_at=administration.started_at + dt.timedelta(minutes=float(alert.minute)),
                description=alert.message,
                action_taken=MOAAS_ADVERSE_ACTION,
                automatic=True,
                user=user,
                request=request,
            )


def record_vital_sign(
    session: Session,
    *,
    taken_at: dt.datetime,
    bp_systolic: int,
    bp_diastolic: int,
    heart_rate: int,
    spo2: int,
    respiratory_rate: int | None,
    user: Any,
    request: HttpRequest | None,
) -> VitalSign:
    if bp_diastolic >= bp_systolic:
        raise InvalidValue("bp_diastolic", "must be lower than the systolic pressure")
    with transaction.atomic():
        locked = _lock_chartable(session)
        _check_time("taken_at", taken_at, locked)
        vital = VitalSign.objects.create(
            session=locked,
            taken_at=taken_at,
            bp_systolic=bp_systolic,
            bp_diastolic=bp_diastolic,
            heart_rate=heart_rate,
            spo2=spo2,
            respiratory_rate=respiratory_rate,
            entered_by=user,
            entered_at=clock.now(),
        )
        record_event(
            request,
            Action.CREATE,
            object_type="vital_sign",
            object_id=vital.pk,
            patient=session.patient,
            detail={"session": session.pk},
        )
        _act_on_assessment(_with_relations(locked, session), request, user)
    return vital


def _with_relations(locked: Session, session: Session) -> Session:
    """The locked row, keeping the patient and course already loaded on ``session``."""
    locked.patient = session.patient
    locked.course = session.course
    return locked


def record_scale(
    session: Session,
    *,
    scale: str,
    answers: dict[str, int],
    taken_at: dt.datetime,
    user: Any,
    request: HttpRequest | None,
) -> ScaleEntry:
    """Score with ``clinical.scales.score`` (InputError names the item) and store."""
    result = score(ScaleCode(scale).value, answers)
    with transaction.atomic():
        locked = _lock_chartable(session)
        _check_time("taken_at", taken_at, locked)
        entry = ScaleEntry.objects.create(
            session=locked,
            scale=scale,
            taken_at=taken_at,
            answers=dict(result.answers),
            total=result.total,
            band_label=result.band_label or "",
            entered_by=user,
        )
        record_event(
            request,
            Action.CREATE,
            object_type="scale_entry",
            object_id=entry.pk,
            patient=session.patient,
            detail={"session": session.pk, "scale": scale, "total": result.total},
        )
        _act_on_assessment(_with_relations(locked, session), request, user)
    return entry


def _create_adverse_event(
    session: Session,
    *,
    kind: str,
    severity: str,
    onset_at: dt.datetime,
    description: str,
    action_taken: str,
    automatic: bool,
    user: Any,
    request: HttpRequest | None,
) -> AdverseEvent:
    event = AdverseEvent.objects.create(
        session=session,
        kind=kind,
        severity=severity,
        onset_at=onset_at,
        description=description,
        action_taken=action_taken,
        automatic=automatic,
        recorded_by=user,
        recorded_at=clock.now(),
    )
    record_event(
        request,
        Action.CREATE,
        object_type="adverse_event",
        object_id=event.pk,
        patient=session.patient,
        detail={"session": session.pk, "kind": kind, "severity": severity, "auto": automatic},
    )
    if severity == Severity.SEVERE:
        raise_alert(
            site=session.patient.site_id,
            kind=AlertKind.ADVERSE_EVENT,
            level=AlertLevel.URGENT,
            title=f"Severe {event.get_kind_display().lower()}: {session.patient.full_name}",
            message=f"{description} Action: {action_taken}".strip(),
            patient=session.patient,
            source_type="adverse_event",
            source_id=event.pk,
            assigned_to=session.course.prescriber,
            request=request,
        )
    return event


def record_adverse_event(
    session: Session,
    *,
    kind: str,
    severity: str,
    onset_at: dt.datetime,
    description: str,
    action_taken: str,
    user: Any,
    request: HttpRequest | None,
) -> AdverseEvent:
    if kind == AdverseEventKind.OTHER and not description.strip():
        raise InvalidValue("description", "describe an adverse event of kind other")
    if not action_taken.strip():
        raise InvalidValue("action_taken", "say what was done (or 'observed only')")
    with transaction.atomic():
        locked = _lock_chartable(session)
        _check_time("onset_at", onset_at, locked)
        return _create_adverse_event(
            _with_relations(locked, session),
            kind=kind,
            severity=severity,
            onset_at=onset_at,
            description=description.strip(),
            action_taken=action_taken.strip(),
            automatic=False,
            user=user,
            request=request,
        )


def record_rescue_medication(
    session: Session,
    *,
    drug: str,
    dose_mg: Decimal,
    route: str,
    given_at: dt.datetime,
    reason: str,
    user: Any,
    request: HttpRequest | None,
) -> RescueMedication:
    if dose_mg <= 0:
        raise InvalidValue("dose_mg", "must be above 0")
    with transaction.atomic():
        locked = _lock_chartable(session)
        _check_time("given_at", given_at, locked)
        medication = RescueMedication.objects.create(
            session=locked,
            drug=drug.strip(),
            dose_mg=dose_mg,
            route=route,
            given_at=given_at,
            reason=reason.strip(),
            given_by=user,
        )
        record_event(
            request,
            Action.CREATE,
            object_type="rescue_medication",
            object_id=medication.pk,
            patient=session.patient,
            detail={"session": session.pk, "drug": medication.drug},
        )
    return medication
