"""The prescriber's dose order: ``clinical.dosing.calculate_dose`` on the latest weight.

The order stores the core's whole result so the chart shows the working (weight basis, caps,
rounding, warnings) exactly as the prescriber saw it. Django computes nothing here.
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
from ketaclinic.clinical.dosing import DoseResult, calculate_dose
from ketaclinic.clinical.exceptions import MissingItem
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


def drug_for(route: str) -> str:
    return Drug.ESKETAMINE if route == Route.ESKETAMINE else Drug.KETAMINE


def calculate_for(session: Session, wanted: DoseRequest) -> tuple[DoseResult, Any]:
    """The core's dose for this patient now, and the weight measurement it used."""
    weight = dosing_weight(session.patient, clock.today(session.site.timezone))
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
    )
    if weight.is_stale:
        result = replace(result, warnings=(*result.warnings, weight.stale_message))
    return result, measurement


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
        "devices": result.devices,
        "warnings": list(result.warnings),
        "rounding": list(result.rounding),
    }


def order_dose(
    session: Session, wanted: DoseRequest, *, user: Any, request: HttpRequest | None
) -> DoseOrder:
    """Compute and store the order (one per session, before the dose starts)."""
    result, measurement = calculate_for(session, wanted)
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
            detail={"session": session.pk, "dose_mg": str(order.dose_mg), "route": order.route},
        )
    return order
