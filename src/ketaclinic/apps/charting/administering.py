"""The nurse gives the ordered dose: start (checked in -> dosing), stop (dosing -> observing).

Starting needs an order, a pre-dose check, and no hold left undecided by the prescriber.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import HoldOutcome
from ketaclinic.apps.charting.day import undecided_hold
from ketaclinic.apps.charting.models import Administration, DoseOrder
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.treatment.transitions import transition_session
from ketaclinic.apps.web import clock
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


def _check_time(field: str, moment: dt.datetime, not_before: dt.datetime | None) -> None:
    if moment > clock.now() + dt.timedelta(minutes=1):
        raise InvalidValue(field, "cannot be in the future")
    if not_before is not None and moment < not_before:
        raise InvalidValue(field, f"cannot be before {not_before:%H:%M} UTC")


def start_administration(
    session: Session,
    *,
    product: str,
    lot: str,
    volume_drawn_ml: Decimal | None,
    started_at: dt.datetime,
    user: Any,
    request: HttpRequest | None,
) -> Administration:
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        reason = why_not_ready_to_dose(locked)
        if reason:
            raise ChartRefused(reason)
        _check_time("started_at", started_at, locked.checked_in_at)
        order = DoseOrder.objects.get(session=locked)
        if order.volume_ml is not None and volume_drawn_ml is None:
            raise InvalidValue("volume_drawn_ml", "enter the volume drawn up")
        if volume_drawn_ml is not None and order.volume_ml is None and order.devices:
            raise InvalidValue("volume_drawn_ml", "esketamine devices have no volume to draw")
        administration = Administration.objects.create(
            session=locked,
            order=order,
            product=product.strip(),
            lot=lot.strip(),
            volume_drawn_ml=volume_drawn_ml,
            started_at=started_at,
            started_by=user,
        )
        record_event(
            request,
            Action.CREATE,
            object_type="administration",
            object_id=administration.pk,
            patient=session.patient,
            detail={"session": session.pk, "lot": administration.lot},
        )
        transition_session(locked, SessionStatus.DOSING, user=user, request=request)
    return administration


def finish_administration(
    session: Session,
    *,
    volume_given_ml: Decimal | None,
    stopped_at: dt.datetime,
    user: Any,
    request: HttpRequest | None,
) -> Administration:
    """Stop the dose: what was given, when it stopped; the session moves to observation."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status != SessionStatus.DOSING:
            raise ChartRefused("Only a dose that is running can be stopped.")
        administration = Administration.objects.select_related("order").get(session=locked)
        order = administration.order
        _check_time("stopped_at", stopped_at, administration.started_at)
        if administration.volume_drawn_ml is not None:
            if volume_given_ml is None:
                raise InvalidValue("volume_given_ml", "enter the volume given")
            if volume_given_ml > administration.volume_drawn_ml:
                raise InvalidValue(
                    "volume_given_ml",
                    f"cannot exceed the {administration.volume_drawn_ml} mL drawn up",
                )
        if volume_given_ml is not None and order.concentration_mg_per_ml is not None:
            dose_given = volume_given_ml * order.concentration_mg_per_ml
        else:
            dose_given = order.dose_mg
        administration.volume_given_ml = volume_given_ml
        administration.dose_given_mg = dose_given
        administration.stopped_at = stopped_at
        administration.stopped_by = user
        administration.save(
            update_fields=["volume_given_ml", "dose_given_mg", "stopped_at", "stopped_by"]
        )
        record_event(
            request,
            Action.UPDATE,
            object_type="administration",
            object_id=administration.pk,
            patient=session.patient,
            detail={"session": session.pk, "dose_given_mg": str(dose_given)},
        )
        transition_session(locked, SessionStatus.OBSERVING, user=user, request=request)
    return administration
