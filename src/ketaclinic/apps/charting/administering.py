"""The nurse gives the ordered dose: start (checked in -> dosing), stop (dosing -> observing).

Starting needs an order, a pre-dose check, and no hold left undecided by the prescriber.
Both steps check the rights against the order (``dose_rights``, ``clinical.administration_
rights``): the product's strength (refused outright when it is not the order's), the
volume drawn and given or the devices and troches given, and an infusion's pump rate and
running time. A deviation is refused unless accepted by whoever may accept it, with a reason.
With a ledger container, stopping records the controlled-substance administration
(``ledger.operations.record_administration``) in the same transaction: the chart and the
ledger change together or not at all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import HoldOutcome
from ketaclinic.apps.charting.day import undecided_hold
from ketaclinic.apps.charting.dose_rights import (
    accept,
    ordered_dose,
    prepare_for,
    prepared_again,
    tell,
)
from ketaclinic.apps.charting.models import Administration, DoseOrder
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.rems import check_enrolled_before_first_dose
from ketaclinic.apps.ledger.choices import Drug as LedgerDrug
from ketaclinic.apps.ledger.choices import Measure
from ketaclinic.apps.ledger.models import Container
from ketaclinic.apps.ledger.operations import open_containers, record_administration
from ketaclinic.apps.treatment.choices import Route, SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.treatment.transitions import transition_session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.administration_rights import (
    PreparedDose,
    StrengthMeasure,
    check_drawn,
    check_given,
    check_timing,
)
from ketaclinic.clinical.exceptions import InvalidValue

if TYPE_CHECKING:
    from django.http import HttpRequest


def why_not_ready_to_dose(session: Session) -> str | None:
    """The reason the dose may not start now, or None when it may."""
    if session.status != SessionStatus.CHECKED_IN:
        return "The dose starts after check-in, once."
    if not DoseOrder.objects.filter(session=session).exists():
        return "No dose has been ordered: a prescriber orders it."
    pre_checks = list(session.pre_checks.select_related("hold_decision"))
    if not pre_checks:
        return "Do the pre-dose checks first."
    held = undecided_hold(pre_checks)
    if held is not None:
        return "The pre-dose check held the session: the prescriber must decide first."
    latest = pre_checks[-1]
    if latest.is_hold and latest.hold_decision.outcome != HoldOutcome.PROCEED:
        return "The prescriber did not clear the hold."
    return None


def ledger_drug(route: str) -> str:
    return LedgerDrug.ESKETAMINE if route == Route.ESKETAMINE else LedgerDrug.KETAMINE_HCL


def containers_for(session: Session) -> QuerySet[Container]:
    """The site's containers with stock of this session's drug, soonest expiry first."""
    return open_containers(session.site_id).filter(product__drug=ledger_drug(session.course.route))


def _check_container(session: Session, container: Container) -> None:
    if container.site_id != session.site_id:
        raise InvalidValue("container", "is at another site")
    if container.product.drug != ledger_drug(session.course.route):
        raise InvalidValue("container", "holds another drug than the one ordered")
    if container.lot.is_expired(clock.today(session.patient.site.timezone)):
        raise InvalidValue("container", f"lot {container.lot.lot_number} has expired")


def _check_time(
    field: str, moment: dt.datetime, not_before: dt.datetime | None, session: Session
) -> None:
    if moment > clock.now() + dt.timedelta(minutes=1):
        raise InvalidValue(field, "cannot be in the future")
    if not_before is not None and moment < not_before:
        local = not_before.astimezone(ZoneInfo(session.site.timezone))
        raise InvalidValue(field, f"cannot be before {local:%H:%M} {local:%Z}")


def start_administration(
    session: Session,
    *,
    product: str,
    lot: str,
    volume_drawn_ml: Decimal | None,
    started_at: dt.datetime,
    user: Any,
    request: HttpRequest | None,
    container: Container | None = None,
    strength_mg: Decimal | None = None,
    pump_rate_ml_per_h: Decimal | None = None,
    override_reason: str = "",
    deviation_reason: str = "",
) -> Administration:
    """Start the dose from ``container`` (or a typed product of ``strength_mg``).

    Refused, naming the field: another strength than the order's (``container``); a volume
    drawn beyond the tolerance or a pump rate above the order (``volume_drawn_ml``,
    ``rate_ml_per_h``) unless a prescriber gives ``override_reason``.
    """
    if container is not None:
        _check_container(session, container)
        product = product.strip() or container.product.name
        lot = lot.strip() or container.lot.lot_number
    if not product.strip():
        raise InvalidValue("product", "name the product (or choose a ledger container)")
    if not lot.strip():
        raise InvalidValue("lot", "enter the lot (or choose a ledger container)")
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        reason = why_not_ready_to_dose(locked)
        if reason:
            raise ChartRefused(reason)
        check_enrolled_before_first_dose(locked)
        _check_time("started_at", started_at, locked.checked_in_at, locked)
        order = DoseOrder.objects.get(session=locked)
        prepared = prepare_for(order, container=container, strength_mg=strength_mg)
        if pump_rate_ml_per_h is not None and prepared.rate_ml_per_h is None:
            raise InvalidValue("rate_ml_per_h", "only an IV infusion has a pump rate")
        accepted = accept(
            check_drawn(prepared, volume_drawn_ml)
            + check_timing(ordered_dose(order), prepared, pump_rate_ml_per_h=pump_rate_ml_per_h),
            user=user,
            override_reason=override_reason,
            deviation_reason=deviation_reason,
            step="start",
        )
        administration = Administration.objects.create(
            session=locked,
            order=order,
            product=product.strip(),
            lot=lot.strip(),
            volume_drawn_ml=volume_drawn_ml,
            started_at=started_at,
            started_by=user,
            container=container,
            strength_mg=prepared.strength_mg,
            strength_measure=prepared.measure.value,
            expected_volume_ml=prepared.volume_ml,
            expected_units=prepared.units,
            pump_rate_ml_per_h=pump_rate_ml_per_h,
            deviations=accepted,
        )
        record_event(
            request,
            Action.CREATE,
            object_type="administration",
            object_id=administration.pk,
            patient=session.patient,
            detail={"session": session.pk, "lot": administration.lot},
        )
        tell(administration, accepted, request=request)
        transition_session(locked, SessionStatus.DOSING, user=user, request=request)
    return administration


def finish_administration(
    session: Session,
    *,
    volume_given_ml: Decimal | None,
    stopped_at: dt.datetime,
    user: Any,
    request: HttpRequest | None,
    units_given: int | None = None,
    override_reason: str = "",
    deviation_reason: str = "",
) -> Administration:
    """Stop the dose: what was given, when it stopped; the session moves to observation.

    Refused, naming the field: a volume given beyond the tolerance or a device or troche
    count other than the order's (``volume_given_ml``, ``units_given``), or an infusion
    ended early at a rate above the order (``stopped_at``), unless a prescriber gives
    ``override_reason``; an infusion stopped early at the ordered rate, or ended late,
    until someone gives ``deviation_reason``.
    """
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status != SessionStatus.DOSING:
            raise ChartRefused("Only a dose that is running can be stopped.")
        administration = Administration.objects.select_related("order").get(session=locked)
        _check_time("stopped_at", stopped_at, administration.started_at, administration.session)
        if administration.volume_drawn_ml is not None:
            if volume_given_ml is None:
                raise InvalidValue("volume_given_ml", "enter the volume given")
            if volume_given_ml > administration.volume_drawn_ml:
                raise InvalidValue(
                    "volume_given_ml",
                    f"cannot exceed the {administration.volume_drawn_ml} mL drawn up",
                )
        prepared = prepared_again(administration)
        accepted: list[dict[str, Any]] = []
        elapsed = None
        if prepared is not None:
            elapsed = _minutes(stopped_at - administration.started_at)
            accepted = accept(
                _given_deviations(prepared, volume_given_ml, units_given)
                + check_timing(
                    ordered_dose(administration.order),
                    prepared,
                    elapsed_min=elapsed,
                    volume_given_ml=volume_given_ml,
                ),
                user=user,
                override_reason=override_reason,
                deviation_reason=deviation_reason,
                step="stop",
            )
        dose_given = _dose_given(administration, prepared, volume_given_ml, units_given)
        if administration.container_id is not None:
            administration.ledger_entry = _ledger_entry(
                administration, locked, volume_given_ml, units_given, stopped_at, user, request
            )
            dose_given = administration.container.product.mass_mg(
                administration.ledger_entry.quantity
            )
        administration.volume_given_ml = volume_given_ml
        administration.units_given = units_given
        administration.dose_given_mg = dose_given
        administration.stopped_at = stopped_at
        administration.stopped_by = user
        administration.elapsed_min = elapsed
        administration.deviations = [*administration.deviations, *accepted]
        administration.save(
            update_fields=[
                "volume_given_ml",
                "units_given",
                "dose_given_mg",
                "stopped_at",
                "stopped_by",
                "elapsed_min",
                "deviations",
                "ledger_entry",
            ]
        )
        record_event(
            request,
            Action.UPDATE,
            object_type="administration",
            object_id=administration.pk,
            patient=session.patient,
            detail={"session": session.pk, "dose_given_mg": str(dose_given)},
        )
        tell(administration, accepted, request=request)
        transition_session(locked, SessionStatus.OBSERVING, user=user, request=request)
    return administration


def _minutes(delta: dt.timedelta) -> Decimal:
    return (Decimal(int(delta.total_seconds())) / 60).quantize(Decimal("0.01"))


def _given_deviations(
    prepared: PreparedDose, volume_given_ml: Decimal | None, units_given: int | None
):
    if prepared.measure is StrengthMeasure.PER_UNIT:
        if volume_given_ml is not None:
            raise InvalidValue("volume_given_ml", "devices and troches are counted: units_given")
        return check_given(prepared, units_given=units_given)
    if units_given is not None:
        raise InvalidValue("units_given", "a solution is measured in mL: volume_given_ml")
    return check_given(prepared, volume_given_ml=volume_given_ml)


def _dose_given(
    administration: Administration,
    prepared: PreparedDose | None,
    volume_given_ml: Decimal | None,
    units_given: int | None,
) -> Decimal:
    """What was given at the product's strength; before strengths were kept, the ordered
    dose scaled by the share of what was drawn that was given."""
    if prepared is not None:
        amount = units_given if prepared.measure is StrengthMeasure.PER_UNIT else volume_given_ml
        assert amount is not None
        return (prepared.strength_mg * amount).quantize(Decimal("0.001"))
    order = administration.order
    drawn = administration.volume_drawn_ml
    if drawn and volume_given_ml is not None:
        return (order.dose_mg * volume_given_ml / drawn).quantize(Decimal("0.001"))
    return order.dose_mg


def _ledger_entry(
    administration: Administration,
    session: Session,
    volume_given_ml: Decimal | None,
    units_given: int | None,
    stopped_at: dt.datetime,
    user: Any,
    request: HttpRequest | None,
):
    """The ledger's administration entry for this dose (its errors name our fields)."""
    container = Container.objects.select_related("product", "lot", "site").get(
        pk=administration.container_id
    )
    administration.container = container
    if container.product.measure == Measure.MICROLITRE:
        amounts = {
            "volume_drawn_ml": administration.volume_drawn_ml,
            "volume_given_ml": volume_given_ml,
        }
    else:
        amounts = {"units_given": units_given or administration.order.devices or 1}
    return record_administration(
        container=container,
        patient=session.patient,
        session=session,
        user=user,
        occurred_at=stopped_at,
        request=request,
        **amounts,
    )
