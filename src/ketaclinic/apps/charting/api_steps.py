"""The bedside steps over the API: check in, order, start and stop the dose, chart a scale.

The same domain functions as the pages, so the same rights: a wrong strength, an amount or
rate beyond the order, a check-in on another day are 422 with the field named
(``{"errors": [{"field": ..., "message": ..., "code": ...}]}``); a step the session is not
ready for is 409. A prescriber's override travels as ``override_reason``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from ketaclinic.apps.api.edge import requires, requires_any, responses
from ketaclinic.apps.charting.administering import finish_administration, start_administration
from ketaclinic.apps.charting.choices import ScaleCode
from ketaclinic.apps.charting.day import check_in
from ketaclinic.apps.charting.discharging import discharge
from ketaclinic.apps.charting.dose_orders import DoseRequest, order_dose
from ketaclinic.apps.charting.models import Administration, DoseOrder
from ketaclinic.apps.charting.observing import record_scale
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.rems import RemsIncomplete
from ketaclinic.apps.charting.views.base import chart_session
from ketaclinic.apps.ledger.models import Container
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InvalidValue

router = Router(tags=["sessions"])

DOSE_PERMISSIONS = ("charting.administer_dose", "charting.override_administration")


class StepOut(Schema):
    id: int
    status: str


class DoseOrderIn(Schema):
    """mg/kg or a fixed dose; above a hard cap, ``cap_choice`` (and for ``requested``, a reason)."""

    model_config = {"extra": "forbid"}

    mg_per_kg: Decimal | None = None
    dose_mg: Decimal | None = None
    concentration_mg_per_ml: Decimal | None = None
    duration_min: int | None = Field(default=None, ge=1, le=1440)
    cap_choice: Literal["capped", "requested"] | None = None
    cap_reason: str = Field(default="", max_length=2000)


class DoseOrderCreated(Schema):
    id: int
    dose_mg: str
    requested_dose_mg: str
    volume_ml: str | None
    rate_ml_per_h: str | None
    devices: int | None
    hard_cap_mg: str | None
    hard_cap_source: str
    cap_choice: str
    warnings: list[str]


class StartIn(Schema):
    """A ledger ``container_id`` or a typed product with its ``strength_mg``."""

    model_config = {"extra": "forbid"}

    container_id: int | None = None
    product: str = Field(default="", max_length=120)
    lot: str = Field(default="", max_length=40)
    strength_mg: Decimal | None = None
    volume_drawn_ml: Decimal | None = None
    rate_ml_per_h: Decimal | None = None
    started_at: dt.datetime | None = None
    override_reason: str = Field(default="", max_length=2000)


class StopIn(Schema):
    model_config = {"extra": "forbid"}

    volume_given_ml: Decimal | None = None
    units_given: int | None = Field(default=None, ge=0, le=100)
    stopped_at: dt.datetime | None = None
    override_reason: str = Field(default="", max_length=2000)
    deviation_reason: str = Field(default="", max_length=2000)


class ScaleIn(Schema):
    """Item scores by key (``{"item1": 4}``); a forced-choice item has no default."""

    model_config = {"extra": "forbid"}

    answers: dict[str, int]
    taken_at: dt.datetime | None = None


class RemsAnswersIn(Schema):
    """What the REMS form needs and the chart cannot know (the rest comes from the chart)."""

    model_config = {"extra": "forbid"}

    benzodiazepines: bool | None = None
    non_benzodiazepine_hypnotics: bool | None = None
    psychostimulants: bool | None = None
    maois: bool | None = None
    opioids: bool | None = None
    ready_to_leave_minutes: int | None = Field(default=None, ge=0, le=1440)


class DischargeIn(Schema):
    model_config = {"extra": "forbid"}

    dissociation_resolved: bool
    escort_confirmed: bool
    escort_name: str = Field(default="", max_length=120)
    instruction_given: bool
    override_reason: str = Field(default="", max_length=2000)
    rems: RemsAnswersIn = Field(default_factory=RemsAnswersIn)


class ScaleCreated(Schema):
    id: int
    scale: str
    total: int


class AdministrationStepOut(Schema):
    status: str
    strength_mg: str | None
    expected_volume_ml: str | None
    expected_units: int | None
    volume_drawn_ml: str | None
    volume_given_ml: str | None
    units_given: int | None
    dose_given_mg: str | None
    elapsed_min: str | None
    deviations: list[dict]


def _aware(field: str, moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return clock.now()
    if moment.utcoffset() is None:
        raise InvalidValue(field, "give a time zone (e.g. 2026-03-10T09:40:00-05:00)")
    return moment


def _text(value) -> str | None:
    return None if value is None else str(value)


def _administration_out(administration: Administration, status: str) -> dict:
    return {
        "status": status,
        "strength_mg": _text(administration.strength_mg),
        "expected_volume_ml": _text(administration.expected_volume_ml),
        "expected_units": administration.expected_units,
        "volume_drawn_ml": _text(administration.volume_drawn_ml),
        "volume_given_ml": _text(administration.volume_given_ml),
        "units_given": administration.units_given,
        "dose_given_mg": _text(administration.dose_given_mg),
        "elapsed_min": _text(administration.elapsed_min),
        "deviations": administration.deviations,
    }


@router.post(
    "/{session_id}/check-in",
    response=responses(StepOut, 409),
    summary="Check the patient in (only on the session's own day at its site)",
)
@requires("charting.check_in_session")
def post_check_in(request: HttpRequest, session_id: int) -> dict:
    session = chart_session(request, session_id, "charting.check_in_session")
    try:
        session = check_in(session, user=request.user, request=request)
    except ChartRefused as error:
        raise HttpError(409, error.message) from None
    return {"id": session.pk, "status": session.status}


@router.post(
    "/{session_id}/dose-order",
    response=responses({201: DoseOrderCreated}, 409),
    summary="Order the session's dose; above a hard cap, choose the capped or requested dose",
)
@requires("charting.order_dose")
def post_dose_order(
    request: HttpRequest, session_id: int, payload: DoseOrderIn
) -> Status[dict[str, Any]]:
    session = chart_session(request, session_id, "charting.order_dose")
    try:
        order: DoseOrder = order_dose(
            session, DoseRequest(**payload.model_dump()), user=request.user, request=request
        )
    except ChartRefused as error:
        raise HttpError(409, error.message) from None
    return Status(
        201,
        {
            "id": order.pk,
            "dose_mg": str(order.dose_mg),
            "requested_dose_mg": str(order.requested_dose_mg),
            "volume_ml": _text(order.volume_ml),
            "rate_ml_per_h": _text(order.rate_ml_per_h),
            "devices": order.devices,
            "hard_cap_mg": _text(order.hard_cap_mg),
            "hard_cap_source": order.hard_cap_source,
            "cap_choice": order.cap_choice,
            "warnings": order.result.get("warnings", []),
        },
    )


@router.post(
    "/{session_id}/dose/start",
    response=responses({201: AdministrationStepOut}, 409),
    summary="Start the dose: the product's strength and the volume drawn are checked",
)
@requires_any(*DOSE_PERMISSIONS)
def post_dose_start(
    request: HttpRequest, session_id: int, payload: StartIn
) -> Status[dict[str, Any]]:
    session = chart_session(request, session_id, *DOSE_PERMISSIONS)
    container = None
    if payload.container_id is not None:
        container = (
            Container.objects.select_related("product", "lot")
            .filter(pk=payload.container_id, site_id=session.site_id)
            .first()
        )
        if container is None:
            raise InvalidValue("container_id", "no such container at this session's site")
    try:
        administration = start_administration(
            session,
            container=container,
            product=payload.product,
            lot=payload.lot,
            strength_mg=payload.strength_mg,
            volume_drawn_ml=payload.volume_drawn_ml,
            pump_rate_ml_per_h=payload.rate_ml_per_h,
            override_reason=payload.override_reason,
            started_at=_aware("started_at", payload.started_at),
            user=request.user,
            request=request,
        )
    except ChartRefused as error:
        raise HttpError(409, error.message) from None
    return Status(201, _administration_out(administration, "dosing"))


@router.post(
    "/{session_id}/dose/stop",
    response=responses(AdministrationStepOut, 409),
    summary="Stop the dose: the amount given and the infusion's running time are checked",
)
@requires_any(*DOSE_PERMISSIONS)
def post_dose_stop(request: HttpRequest, session_id: int, payload: StopIn) -> dict:
    session = chart_session(request, session_id, *DOSE_PERMISSIONS)
    try:
        administration = finish_administration(
            session,
            volume_given_ml=payload.volume_given_ml,
            units_given=payload.units_given,
            override_reason=payload.override_reason,
            deviation_reason=payload.deviation_reason,
            stopped_at=_aware("stopped_at", payload.stopped_at),
            user=request.user,
            request=request,
        )
    except ChartRefused as error:
        raise HttpError(409, error.message) from None
    return _administration_out(administration, "observing")


@router.post(
    "/{session_id}/scales/{scale}",
    response=responses({201: ScaleCreated}, 409),
    summary="Chart an in-session MOAA/S or CADSS; a missing item is 422 naming it",
)
@requires("charting.chart_session")
def post_scale(
    request: HttpRequest, session_id: int, scale: ScaleCode, payload: ScaleIn
) -> Status[dict[str, Any]]:
    session = chart_session(request, session_id, "charting.chart_session")
    try:
        entry = record_scale(
            session,
            scale=scale,
            answers=payload.answers,
            taken_at=_aware("taken_at", payload.taken_at),
            user=request.user,
            request=request,
        )
    except ChartRefused as error:
        raise HttpError(409, error.message) from None
    return Status(201, {"id": entry.pk, "scale": entry.scale, "total": entry.total})


@router.post(
    "/{session_id}/discharge",
    response=responses(StepOut, 409),
    summary="Discharge; an esketamine session closes only with its REMS form complete "
    "(422 naming every missing field), and the form is then queued to send",
)
@requires_any("charting.chart_session", "charting.override_discharge")
def post_discharge(
    request: HttpRequest, session_id: int, payload: DischargeIn
) -> dict[str, Any] | Status[dict[str, Any]]:
    session = chart_session(
        request, session_id, "charting.chart_session", "charting.override_discharge"
    )
    try:
        discharge(
            session,
            dissociation_resolved=payload.dissociation_resolved,
            escort_confirmed=payload.escort_confirmed,
            escort_name=payload.escort_name,
            instruction_given=payload.instruction_given,
            override_reason=payload.override_reason,
            may_override=request.user.has_perm("charting.override_discharge"),
            user=request.user,
            request=request,
            rems_answers=payload.rems.model_dump(),
        )
    except RemsIncomplete as error:
        return Status(422, {"errors": error.as_errors()})
    except ChartRefused as error:
        raise HttpError(409, error.message) from None
    return {"id": session.pk, "status": SessionStatus.DISCHARGED}
