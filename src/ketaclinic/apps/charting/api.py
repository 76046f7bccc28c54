"""The session chart over the REST API (``/api/v1/sessions``): same access, rules and audit.

Reading a chart or its vitals needs ``view_session_chart``; posting vitals needs
``chart_session``. Another site's session is a 404. Bad input is 422 naming the field; a
session that cannot take readings now is 409.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from ketaclinic.apps.api.edge import Page, Paging, page_of, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.api_steps import router as steps_router
from ketaclinic.apps.charting.context import gather
from ketaclinic.apps.charting.models.observations import VITAL_RANGES
from ketaclinic.apps.charting.observing import assess_session, record_vital_sign
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.views.base import chart_session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InvalidValue

router = Router(tags=["sessions"])
router.add_router("", steps_router)


class VitalOut(Schema):
    id: int
    taken_at: dt.datetime
    bp_systolic: int
    bp_diastolic: int
    heart_rate: int
    spo2: int
    respiratory_rate: int | None
    entered_by_id: int


def _range(name: str) -> dict:
    low, high = VITAL_RANGES[name]
    return {"ge": low, "le": high}


class VitalIn(Schema):
    """One set of vital signs; ``taken_at`` defaults to now (timezone-aware if given)."""

    model_config = {"extra": "forbid"}

    taken_at: dt.datetime | None = None
    bp_systolic: int = Field(**_range("bp_systolic"))
    bp_diastolic: int = Field(**_range("bp_diastolic"))
    heart_rate: int = Field(**_range("heart_rate"))
    spo2: int = Field(**_range("spo2"))
    respiratory_rate: int | None = Field(default=None, **_range("respiratory_rate"))


class VitalAlertOut(Schema):
    code: str
    action: str
    call_prescriber: bool
    adverse_event: bool
    minute: Decimal
    message: str
    source: str


class MonitoringAssessmentOut(Schema):
    action: str
    call_prescriber: bool
    adverse_event: bool
    alerts: list[VitalAlertOut]


class VitalCreated(Schema):
    vital: VitalOut
    assessment: MonitoringAssessmentOut | None


class EventOut(Schema):
    at: dt.datetime
    from_status: str
    to_status: str
    reason: str


class HoldDecisionOut(Schema):
    outcome: str
    reason: str
    decided_by_id: int
    decided_at: dt.datetime


class PreCheckOut(Schema):
    id: int
    checked_at: dt.datetime
    bp_systolic: int
    bp_diastolic: int
    heart_rate: int
    spo2: int
    decision: str
    reasons: list[dict]
    hold_decision: HoldDecisionOut | None


class DoseOrderOut(Schema):
    ordered_at: dt.datetime
    ordered_by_id: int
    route: str
    dose_mg: str
    requested_dose_mg: str
    weight_basis: str
    weight_used_kg: str
    volume_ml: str | None
    duration_min: int | None
    rate_ml_per_h: str | None
    capped: bool
    hard_cap_mg: str | None = None
    hard_cap_source: str = ""
    cap_choice: str | None = None
    cap_reason: str = ""
    devices: int | None
    warnings: list[str]
    rounding: list[str]


class AdministrationOut(Schema):
    product: str
    lot: str
    volume_drawn_ml: str | None
    volume_given_ml: str | None
    dose_given_mg: str | None
    started_at: dt.datetime
    stopped_at: dt.datetime | None
    ledger_entry_id: int | None
    strength_mg: str | None
    expected_volume_ml: str | None
    expected_units: int | None
    units_given: int | None
    pump_rate_ml_per_h: str | None
    elapsed_min: str | None
    deviations: list[dict]


class ScaleOut(Schema):
    scale: str
    taken_at: dt.datetime
    total: int
    answers: dict


class MonitoringEventOut(Schema):
    code: str
    action: str
    minute: str
    message: str


class AdverseEventOut(Schema):
    kind: str
    severity: str
    onset_at: dt.datetime
    action_taken: str
    automatic: bool


class RescueOut(Schema):
    drug: str
    dose_mg: str
    route: str
    given_at: dt.datetime


class DischargeOut(Schema):
    discharged_at: dt.datetime
    ready: bool
    reasons: list[dict]
    override_reason: str
    instruction: str


class ChartOut(Schema):
    """A session's chart as the page shows it; decimals as exact strings."""

    id: int
    patient_id: int
    site_id: int
    course_id: int
    route: str
    number: int
    status: str
    planned_start: dt.datetime
    events: list[EventOut]
    pre_checks: list[PreCheckOut]
    dose_order: DoseOrderOut | None
    administration: AdministrationOut | None
    vitals: list[VitalOut]
    scales: list[ScaleOut]
    assessment: MonitoringAssessmentOut | None
    monitoring_events: list[MonitoringEventOut]
    adverse_events: list[AdverseEventOut]
    rescue_medications: list[RescueOut]
    discharge: DischargeOut | None


def _assessment(assessment) -> dict | None:
    if assessment is None:
        return None
    return {
        "action": assessment.action.value,
        "call_prescriber": assessment.call_prescriber,
        "adverse_event": assessment.adverse_event,
        "alerts": [
            {
                "code": a.code,
                "action": a.action.value,
                "call_prescriber": a.call_prescriber,
                "adverse_event": a.adverse_event,
                "minute": a.minute,
                "message": a.message,
                "source": a.source,
            }
            for a in assessment.alerts
        ],
    }


def _decimal(value) -> str | None:
    return None if value is None else str(value)


@router.get(
    "/{session_id}",
    response=responses(ChartOut),
    summary="A session's chart: status, checks, dose, readings, events",
)
@requires("charting.view_session_chart")
def get_session_chart(request: HttpRequest, session_id: int) -> dict:
    session = chart_session(request, session_id, "charting.view_session_chart")
    data = gather(session)
    record_event(
        request, Action.VIEW, object_type="session", object_id=session.pk, patient=session.patient
    )
    order, given, done = data["order"], data["administration"], data["discharge"]
    return {
        "id": session.pk,
        "patient_id": session.patient_id,
        "site_id": session.site_id,
        "course_id": session.course_id,
        "route": session.course.route,
        "number": session.number,
        "status": session.status,
        "planned_start": session.planned_start,
        "events": [
            {
                "at": e.at,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
            }
            for e in data["events"]
        ],
        "pre_checks": [
            {
                "id": c.pk,
                "checked_at": c.checked_at,
                "bp_systolic": c.bp_systolic,
                "bp_diastolic": c.bp_diastolic,
                "heart_rate": c.heart_rate,
                "spo2": c.spo2,
                "decision": c.decision,
                "reasons": c.reasons,
                "hold_decision": (
                    {
                        "outcome": c.hold_decision.outcome,
                        "reason": c.hold_decision.reason,
                        "decided_by_id": c.hold_decision.decided_by_id,
                        "decided_at": c.hold_decision.decided_at,
                    }
                    if getattr(c, "hold_decision", None)
                    else None
                ),
            }
            for c in data["pre_checks"]
        ],
        "dose_order": (
            {
                "ordered_at": order.ordered_at,
                "ordered_by_id": order.ordered_by_id,
                **order.result,
                "cap_choice": order.cap_choice or None,
                "cap_reason": order.cap_reason,
            }
            if order
            else None
        ),
        "administration": (
            {
                "product": given.product,
                "lot": given.lot,
                "volume_drawn_ml": _decimal(given.volume_drawn_ml),
                "volume_given_ml": _decimal(given.volume_given_ml),
                "dose_given_mg": _decimal(given.dose_given_mg),
                "started_at": given.started_at,
                "stopped_at": given.stopped_at,
                "ledger_entry_id": given.ledger_entry_id,
                "strength_mg": _decimal(given.strength_mg),
                "expected_volume_ml": _decimal(given.expected_volume_ml),
                "expected_units": given.expected_units,
                "units_given": given.units_given,
                "pump_rate_ml_per_h": _decimal(given.pump_rate_ml_per_h),
                "elapsed_min": _decimal(given.elapsed_min),
                "deviations": given.deviations,
            }
            if given
            else None
        ),
        "vitals": [VitalOut.model_validate(v).model_dump() for v in data["vitals"]],
        "scales": [
            {"scale": s.scale, "taken_at": s.taken_at, "total": s.total, "answers": s.answers}
            for s in data["scales"]
        ],
        "assessment": _assessment(assess_session(given, data["vitals"], data["scales"])),
        "monitoring_events": [
            {"code": m.code, "action": m.action, "minute": str(m.minute), "message": m.message}
            for m in data["monitoring_events"]
        ],
        "adverse_events": [
            {
                "kind": a.kind,
                "severity": a.severity,
                "onset_at": a.onset_at,
                "action_taken": a.action_taken,
                "automatic": a.automatic,
            }
            for a in data["adverse_events"]
        ],
        "rescue_medications": [
            {"drug": r.drug, "dose_mg": str(r.dose_mg), "route": r.route, "given_at": r.given_at}
            for r in data["rescue_medications"]
        ],
        "discharge": (
            {
                "discharged_at": done.discharged_at,
                "ready": done.ready,
                "reasons": done.reasons,
                "override_reason": done.override_reason,
                "instruction": done.instruction,
            }
            if done
            else None
        ),
    }


@router.get(
    "/{session_id}/vitals",
    response=responses(Page[VitalOut]),
    summary="A session's vital signs, in the order taken",
)
@requires("charting.view_session_chart")
def list_vitals(request: HttpRequest, session_id: int, paging: Query[Paging]) -> dict:
    session = chart_session(request, session_id, "charting.view_session_chart")
    record_event(
        request,
        Action.VIEW,
        object_type="vital_sign",
        patient=session.patient,
        detail={"session": session.pk},
    )
    return page_of(session.vital_signs.order_by("taken_at", "id"), paging)


@router.post(
    "/{session_id}/vitals",
    response=responses({201: VitalCreated}, 409),
    summary="Chart one set of vital signs; returns the monitoring rules' assessment",
)
@requires("charting.chart_session")
def post_vitals(request: HttpRequest, session_id: int, payload: VitalIn) -> Status[dict[str, Any]]:
    session = chart_session(request, session_id, "charting.chart_session")
    taken_at = payload.taken_at or clock.now()
    if taken_at.utcoffset() is None:
        raise InvalidValue("taken_at", "give a time zone (e.g. 2026-03-10T09:40:00-05:00)")
    try:
        vital = record_vital_sign(
            session,
            taken_at=taken_at,
            bp_systolic=payload.bp_systolic,
            bp_diastolic=payload.bp_diastolic,
            heart_rate=payload.heart_rate,
            spo2=payload.spo2,
            respiratory_rate=payload.respiratory_rate,
            user=request.user,
            request=request,
        )
    except ChartRefused as error:
        raise HttpError(409, error.message) from None
    data = gather(session)
    return Status(
        201,
        {
            "vital": vital,
            "assessment": _assessment(
                assess_session(data["administration"], data["vitals"], data["scales"])
            ),
        },
    )
