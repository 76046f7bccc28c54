"""The prescriber's dose order: ``clinical.dosing.calculate_dose`` on the latest weight.

The order stores the core's whole result so the chart shows the working (weight basis, caps,
rounding, warnings) exactly as the prescriber saw it. Django computes nothing here.

A hard cap never silently changes a protocol (issue 12): when the requested dose is above
the route's cap, the order is refused on ``cap_choice`` until the prescriber, shown both
doses and the cap's source, chooses the capped dose or the requested one with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import Drug
from ketaclinic.apps.charting.models import DoseOrder
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.patients.dosing_weight import dosing_weight
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.body_weight import Sex
from ketaclinic.clinical.dosing import (
    DEFAULT_DOSING_PARAMETERS,
    CapChoice,
    DoseResult,
    DosingParameters,
    EsketamineLabel,
    calculate_dose,
)
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, UnknownCode
from ketaclinic.clinical.protocols import get_protocol
from ketaclinic.clinical.routes import Route

if TYPE_CHECKING:
    from django.http import HttpRequest

ORDERABLE = (SessionStatus.PLANNED, SessionStatus.CHECKED_IN)


@dataclass(frozen=True)
class DoseRequest:
    """What the prescriber asks for: mg/kg or a fixed dose, and how it is prepared."""

    mg_per_kg: Decimal | None = None
    dose_mg: Decimal | None = None
    concentration_mg_per_ml: Decimal | None = None
    duration_min: int | None = None
    cap_choice: str | None = None
    cap_reason: str = ""


def drug_for(route: str) -> str:
    return Drug.ESKETAMINE if route == Route.ESKETAMINE else Drug.KETAMINE


def site_dosing_parameters(site: Any) -> DosingParameters:
    """The clinic's dosing defaults with the site's esketamine label (its jurisdiction)."""
    return replace(
        DEFAULT_DOSING_PARAMETERS, esketamine_label=EsketamineLabel(site.esketamine_label)
    )


def calculate_for(session: Session, wanted: DoseRequest) -> tuple[DoseResult, Any]:
    """The core's dose for this patient now, and the weight measurement it used.

    The site's esketamine label and the patient's age today decide which esketamine doses
    are label doses (28 mg at 65 and over under the EU/UK SmPC).
    """
    today = clock.today(session.site.timezone)
    weight = dosing_weight(session.patient, today)
    measurement = weight.measurement
    if measurement is None:
        raise MissingItem(
            "weight_kg", "no weight recorded: record one on the patient chart before ordering"
        )
    sex = session.patient.sex_at_birth
    result = calculate_dose(
        Route(session.course.route),
        weight_kg=measurement.weight_kg,
        height_cm=weight.height_cm,
        sex=Sex(sex) if sex in {s.value for s in Sex} else None,
        mg_per_kg=wanted.mg_per_kg,
        dose_mg=wanted.dose_mg,
        concentration_mg_per_ml=wanted.concentration_mg_per_ml,
        duration_min=wanted.duration_min,
        cap_choice=CapChoice(wanted.cap_choice) if wanted.cap_choice else None,
        parameters=site_dosing_parameters(session.site),
        age_years=session.patient.age_on(today),
    )
    if weight.is_stale:
        result = replace(result, warnings=(*result.warnings, weight.stale_message))
    return result, measurement


def capped_alternative(session: Session, wanted: DoseRequest) -> DoseResult | None:
    """Above a hard cap, the requested dose worked out in full, to show beside the capped one."""
    result, _ = calculate_for(session, wanted)
    if not result.above_hard_cap:
        return None
    requested, _ = calculate_for(
        session, DoseRequest(**{**wanted.__dict__, "cap_choice": CapChoice.REQUESTED.value})
    )
    return requested


def protocol_session_dose(course: Any) -> tuple[Decimal | None, Decimal | None]:
    """The course's dose for one session (mg/kg, mg): a per-hour dose times its duration.

    The IV chronic-pain protocol's 0.35 mg/kg/h over 240 min is 1.4 mg/kg a session; offering
    0.35 as the session's mg/kg would order a quarter of the protocol's dose.
    """
    per_kg, fixed = course.target_dose_mg_per_kg, course.target_dose_mg
    try:
        protocol = get_protocol(course.protocol_id)
    except UnknownCode:
        return per_kg, fixed
    variant = next((v for v in protocol.variants if v.name == course.variant), None)
    for phase in (variant or protocol.variants[0]).phases:
        if phase.dose is not None and phase.dose.per_hour:
            if per_kg is not None:
                per_kg = phase.dose.session_amount(per_kg)
            if fixed is not None:
                fixed = phase.dose.session_amount(fixed)
            break
    return per_kg, fixed


def _cap_decision(result: DoseResult, wanted: DoseRequest) -> None:
    if not result.above_hard_cap:
        return
    if wanted.cap_choice is None:
        raise InvalidValue(
            "cap_choice",
            f"{result.requested_dose_mg.normalize():f} mg requested is above the hard cap of "
            f"{result.hard_cap_mg.normalize():f} mg [{result.hard_cap_source}]: choose the "
            "capped dose, or the requested dose with a reason",
        )
    if wanted.cap_choice == CapChoice.REQUESTED and not wanted.cap_reason.strip():
        raise MissingItem("cap_reason", "give the reason to order above the hard cap")


def result_as_json(result: DoseResult) -> dict[str, Any]:
    """The result in JSON types; Decimals as exact strings."""
    return {
        "route": result.route.value,
        "dose_mg": str(result.dose_mg),
        "requested_dose_mg": str(result.requested_dose_mg),
        "weight_basis": result.weight_basis.value,
        "weight_used_kg": str(result.weight_used_kg),
        "volume_ml": None if result.volume_ml is None else str(result.volume_ml),
        "duration_min": result.duration_min,
        "rate_ml_per_h": None if result.rate_ml_per_h is None else str(result.rate_ml_per_h),
        "capped": result.capped,
        "hard_cap_mg": None if result.hard_cap_mg is None else str(result.hard_cap_mg),
        "hard_cap_source": result.hard_cap_source,
        "cap_choice": None if result.cap_choice is None else result.cap_choice.value,
        "devices": result.devices,
        "warnings": list(result.warnings),
        "rounding": list(result.rounding),
    }


def order_dose(
    session: Session, wanted: DoseRequest, *, user: Any, request: HttpRequest | None
) -> DoseOrder:
    """Compute and store the order (one per session, before the dose starts)."""
    result, measurement = calculate_for(session, wanted)
    _cap_decision(result, wanted)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status not in ORDERABLE:
            raise ChartRefused("A dose is ordered before dosing starts.")
        if DoseOrder.objects.filter(session=locked).exists():
            raise ChartRefused("This session's dose has been ordered already.")
        order = DoseOrder.objects.create(
            session=locked,
            drug=drug_for(session.course.route),
            route=session.course.route,
            mg_per_kg=wanted.mg_per_kg,
            requested_dose_mg=result.requested_dose_mg,
            dose_mg=result.dose_mg,
            weight_kg=measurement.weight_kg,
            weight_measured_on=measurement.measured_on,
            weight_basis=result.weight_basis.value,
            weight_used_kg=result.weight_used_kg,
            concentration_mg_per_ml=wanted.concentration_mg_per_ml,
            volume_ml=result.volume_ml,
            duration_min=result.duration_min,
            rate_ml_per_h=result.rate_ml_per_h,
            devices=result.devices,
            capped=result.capped,
            hard_cap_mg=result.hard_cap_mg,
            hard_cap_source=result.hard_cap_source,
            cap_choice=wanted.cap_choice or "",
            cap_reason=wanted.cap_reason.strip() if result.above_hard_cap else "",
            result=result_as_json(result),
            ordered_by=user,
            ordered_at=clock.now(),
        )
        record_event(
            request,
            Action.SIGN,
            object_type="dose_order",
            object_id=order.pk,
            patient=session.patient,
            detail={
                "session": session.pk,
                "dose_mg": str(order.dose_mg),
                "route": order.route,
                "cap_choice": order.cap_choice,
            },
        )
    return order
