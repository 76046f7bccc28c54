"""Entering and correcting assessments: score with the core, store, audit, alert — one
transaction, so an assessment never exists without the alert its answers demand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.assessments.choices import AssessmentSource
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.assessments.naming import item_number, short_title
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.treatment.choices import CourseStatus
from ketaclinic.apps.treatment.models import Course
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.scales import FlagLevel, ScaleResult, score

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "ALERT_KIND_BY_FLAG",
    "AlreadyCorrected",
    "correct_assessment",
    "prescriber_for",
    "record_assessment",
]

# Which alert kind each alert-level flag code raises. A code missing here still raises an
# alert (kind "other"): an alert is never dropped for want of a label.
ALERT_KIND_BY_FLAG: dict[str, str] = {
    "suicidal_ideation": AlertKind.SUICIDAL_IDEATION,
    "suicide_risk": AlertKind.SUICIDAL_IDEATION,
    "unresponsive": AlertKind.ADVERSE_EVENT,
}


class AlreadyCorrected(Exception):
    """Only the version in force can be corrected; correct the latest one instead."""


def prescriber_for(patient: Any) -> Any:
    """The prescriber of the patient's latest active or planned course, else ``None``
    (then the alert reaches every prescriber at the site and the medical director)."""
    course = (
        Course.objects.filter(
            patient=patient, status__in=[CourseStatus.ACTIVE, CourseStatus.PLANNED]
        )
        .select_related("prescriber")
        .order_by("-starts_on", "-id")
        .first()
    )
    return course.prescriber if course else None


def _raise_alerts(assessment: Assessment, result: ScaleResult, request: HttpRequest | None) -> int:
    alerts = [flag for flag in result.flags if flag.level is FlagLevel.ALERT]
    if not alerts:
        return 0
    name = short_title(assessment.instrument)
    assignee = prescriber_for(assessment.patient)
    for flag in alerts:
        title = name
        if flag.item:
            number = item_number(assessment.instrument, flag.item)
            title += f" item {number} answered {result.answers[flag.item]}"
        if result.total is None and result.band_label:
            title += f": {result.band_label.lower()}"
        if assessment.corrects_id:
            title += " (correction)"
        raise_alert(
            site=assessment.site_id,
            kind=ALERT_KIND_BY_FLAG.get(flag.code, AlertKind.OTHER),
            level=AlertLevel.URGENT,
            title=title,
            message=flag.message,
            patient=assessment.patient,
            source_type="assessment",
            source_id=assessment.pk,
            assigned_to=assignee,
            request=request,
        )
    return len(alerts)


def _store(
    *,
    patient: Any,
    result: ScaleResult,
    answers: Mapping[str, int | None],
    taken_at: dt.datetime,
    source: str,
    entered_by: Any,
    session: Any = None,
    link: Any = None,
    corrects: Assessment | None = None,
    reason: str = "",
) -> Assessment:
    return Assessment.objects.create(
        patient=patient,
        site_id=patient.site_id,
        instrument=result.scale,
        instrument_version=result.version,
        answers={key: value for key, value in answers.items() if value is not None},
        total=result.total,
        max_total=result.max_total,
        band=result.band or "",
        band_label=result.band_label or "",
        subscores=dict(result.subscores),
        indicators=dict(result.indicators),
        flags=[
            {"code": f.code, "item": f.item, "level": str(f.level), "message": f.message}
            for f in result.flags
        ],
        has_alert=result.has_alert,
        source=source,
        entered_by=entered_by,
        self_report_link=link,
        taken_at=taken_at,
        session=session,
        corrects=corrects,
        correction_reason=reason,
    )


def record_assessment(
    *,
    patient: Any,
    instrument: str,
    answers: Mapping[str, int | None],
    taken_at: dt.datetime,
    entered_by: Any = None,
    session: Any = None,
    link: Any = None,
    request: HttpRequest | None = None,
) -> Assessment:
    """Score ``answers`` with the core and store the assessment; raises ``InputError``.

    ``entered_by`` ``None`` means a patient's self-report (through ``link``); the audit event
    is then ``submit`` with no actor. Alert-level flags raise urgent alerts in the same
    transaction, assigned to the patient's prescriber.
    """
    if taken_at.tzinfo is None:
        raise InputError("taken_at", "needs a time zone")
    if session is not None and session.patient_id != patient.pk:
        raise InputError("session_id", "not a session of this patient")
    result = score(instrument, answers)
    source = AssessmentSource.CLINICIAN if entered_by else AssessmentSource.SELF_REPORT
    with transaction.atomic():
        assessment = _store(
            patient=patient,
            result=result,
            answers=answers,
            taken_at=taken_at,
            source=source,
            entered_by=entered_by,
            session=session,
            link=link,
        )
        record_event(
            request,
            Action.CREATE if entered_by else Action.SUBMIT,
            object_type="assessment",
            object_id=assessment.pk,
            patient=patient,
            detail={"instrument": instrument, "alert": result.has_alert},
            actor=entered_by,
        )
        _raise_alerts(assessment, result, request)
    return assessment


def correct_assessment(
    original: Assessment,
    *,
    answers: Mapping[str, int | None],
    reason: str,
    entered_by: Any,
    taken_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Assessment:
    """Store a corrected version of ``original`` (which stays, superseded) with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("reason", "say why the answers are being corrected")
    result = score(original.instrument, answers)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=original.pk)
        if Assessment.objects.filter(corrects=locked).exists():
            raise AlreadyCorrected(f"assessment {locked.pk} was corrected already")
        correction = _store(
            patient=original.patient,
            result=result,
            answers=answers,
            taken_at=taken_at or original.taken_at,
            source=AssessmentSource.CLINICIAN,
            entered_by=entered_by,
            session=original.session,
            link=None,
            corrects=locked,
            reason=reason,
        )
        record_event(
            request,
            Action.CORRECT,
            object_type="assessment",
            object_id=correction.pk,
            patient=original.patient,
            detail={"corrects": locked.pk, "instrument": original.instrument},
            actor=entered_by,
        )
        _raise_alerts(correction, result, request)
    return correction
