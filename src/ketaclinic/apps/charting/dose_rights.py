"""The rights at the chair, applied to stored orders and products; deviations kept and told.

The core (``clinical.administration_rights``) decides what is a deviation and who may accept
it. This module turns a ``DoseOrder`` and a product into the core's inputs, refuses a
deviation nobody with the authority accepted (an ``InvalidValue`` naming the field), and
records an accepted one: on the administration (``deviations``, read by the chart, the REMS
record and outcome data), in the audit trail, and as an alert for the patient's prescriber.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.ledger.choices import Measure
from ketaclinic.apps.web import clock
from ketaclinic.clinical.administration_rights import (
    Authority,
    Deviation,
    OrderedDose,
    PreparedDose,
    StrengthMeasure,
    prepare_dose,
    required_authority,
)
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem
from ketaclinic.clinical.routes import Route

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ketaclinic.apps.charting.models import Administration, DoseOrder
    from ketaclinic.apps.ledger.models import Container

OVERRIDE_PERMISSION = "charting.override_administration"
DEVIATION_SOURCE = "administration"

TYPED_MEASURE = {
    Route.IV: StrengthMeasure.PER_ML,
    Route.IM: StrengthMeasure.PER_ML,
    Route.ORAL: StrengthMeasure.PER_ML,
    Route.ESKETAMINE: StrengthMeasure.PER_UNIT,
    Route.SUBLINGUAL: StrengthMeasure.PER_UNIT,
}
"""How a product typed by hand (not from the ledger) states its strength, by route."""


def ordered_dose(order: DoseOrder) -> OrderedDose:
    return OrderedDose(
        route=Route(order.route),
        dose_mg=order.dose_mg,
        concentration_mg_per_ml=order.concentration_mg_per_ml,
        volume_ml=order.volume_ml,
        devices=order.devices,
        duration_min=order.duration_min,
        rate_ml_per_h=order.rate_ml_per_h,
    )


def container_measure(container: Container) -> StrengthMeasure:
    if container.product.measure == Measure.MICROLITRE:
        return StrengthMeasure.PER_ML
    return StrengthMeasure.PER_UNIT


def prepare_for(
    order: DoseOrder, *, container: Container | None, strength_mg: Decimal | None
) -> PreparedDose:
    """What this order means in the chosen product: its volume or units, or a refusal."""
    if container is not None:
        return prepare_dose(
            ordered_dose(order),
            strength_mg=container.product.strength_mg,
            measure=container_measure(container),
        )
    if strength_mg is None:
        raise MissingItem(
            "strength_mg",
            "enter the product's strength (mg/mL, or mg per device or troche) or choose a "
            "ledger container",
        )
    return prepare_dose(
        ordered_dose(order), strength_mg=strength_mg, measure=TYPED_MEASURE[Route(order.route)]
    )


def prepared_again(administration: Administration) -> PreparedDose | None:
    """The started dose's preparation, recomputed from what was stored at the start."""
    if administration.strength_mg is None:
        return None  # charted before the rights were checked
    return prepare_dose(
        ordered_dose(administration.order),
        strength_mg=administration.strength_mg,
        measure=StrengthMeasure(administration.strength_measure),
    )


def accept(
    deviations: tuple[Deviation, ...],
    *,
    user: Any,
    override_reason: str,
    deviation_reason: str,
    step: str,
) -> list[dict[str, Any]]:
    """The deviations as stored, once someone with the authority gave a reason; else refuse.

    A deviation only a prescriber may accept is refused (naming its field) unless the user
    holds ``override_administration`` and gives ``override_reason``; one that needs a reason
    is refused until ``deviation_reason`` (or an override reason) is given.
    """
    needed = required_authority(deviations)
    if needed is None:
        return []
    override_reason = override_reason.strip()
    if needed is Authority.PRESCRIBER:
        first = next(d for d in deviations if d.authority is Authority.PRESCRIBER)
        if not override_reason:
            raise InvalidValue(
                first.field,
                f"{first.message}. Refused: only a prescriber may accept this, recording an "
                "override with a reason",
            )
        if not user.has_perm(OVERRIDE_PERMISSION):
            raise InvalidValue("override_reason", "only a prescriber may override the order")
        reason = override_reason
    else:
        reason = deviation_reason.strip() or override_reason
        if not reason:
            first = deviations[0]
            raise InvalidValue(first.field, f"{first.message}: give the reason")
    at = clock.now().isoformat()
    return [
        {
            "code": d.code.value,
            "field": d.field,
            "authority": d.authority.value,
            "message": d.message,
            "source": d.source,
            "step": step,
            "reason": reason,
            "accepted_by_id": user.pk,
            "accepted_by": user.display_name,
            "at": at,
        }
        for d in deviations
    ]


def tell(
    administration: Administration,
    accepted: list[dict[str, Any]],
    *,
    request: HttpRequest | None,
) -> None:
    """Audit the accepted deviations and alert the prescriber (in the caller's transaction)."""
    if not accepted:
        return
    session = administration.session
    prescribed = any(d["authority"] == Authority.PRESCRIBER for d in accepted)
    record_event(
        request,
        Action.SIGN if prescribed else Action.UPDATE,
        object_type="dose_deviation",
        object_id=administration.pk,
        patient=session.patient,
        detail={
            "session": session.pk,
            "codes": [d["code"] for d in accepted],
            "authority": "prescriber" if prescribed else "reason",
            "step": accepted[0]["step"],
        },
    )
    raise_alert(
        site=session.patient.site_id,
        kind=AlertKind.OTHER,
        level=AlertLevel.URGENT if prescribed else AlertLevel.WARNING,
        title=(
            f"Dose {'override' if prescribed else 'deviation'}: {session.patient.full_name}, "
            f"session {session.number}"
        ),
        message=" ".join(f"{d['message']}." for d in accepted)
        + f" Reason ({accepted[0]['accepted_by']}): {accepted[0]['reason']}",
        patient=session.patient,
        source_type=DEVIATION_SOURCE,
        source_id=administration.pk,
        assigned_to=session.course.prescriber,
        request=request,
    )
