"""Refills of a home prescription: the inputs the core's refill rules need, and recording one.

The rules (Schedule III count and six months, the early-refill line) are
``clinical.home_checkins.refill_problems``; this module gathers what they need from the
database, and records a refill under the prescription's row lock so two people cannot both
dispense the last refill. The page and the API both go through ``RefillForm`` and
``record_refill``, so they refuse the same things with the same words.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.homeprogram.choices import DispensedAt
from ketaclinic.apps.homeprogram.models import (
    HomePrescription,
    HomeProgramSettings,
    RefillDispensing,
)
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import OutOfRange
from ketaclinic.clinical.home_checkins import (
    EARLY_REFILL_FRACTION,
    MAX_REFILLS,
    earliest_refill_on,
    refill_problems,
    troches_per_week,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "RECORD_ANY",
    "RECORD_IN_CLINIC",
    "RefillRefused",
    "dispensings_of",
    "early_refill_fraction",
    "next_refill_on",
    "places_for",
    "problems_for",
    "record_refill",
]

RECORD_ANY = "homeprogram.record_refill"
RECORD_IN_CLINIC = "homeprogram.record_in_clinic_dispensing"


class RefillRefused(Exception):
    """The refill broke a rule (found again under the row lock); ``problems`` say which."""

    def __init__(self, problems: tuple[OutOfRange, ...]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def places_for(user: Any) -> list[str]:
    """Where this user may record a refill: prescribers and the director confirm pharmacy and
    in-clinic refills; nurses record only what they hand over from clinic stock."""
    if user.has_perm(RECORD_ANY):
        return [DispensedAt.PHARMACY, DispensedAt.IN_CLINIC]
    if user.has_perm(RECORD_IN_CLINIC):
        return [DispensedAt.IN_CLINIC]
    return []


def early_refill_fraction(site: Any) -> Decimal:
    """The site's early-refill line, or the cited default when the site set none."""
    stored = HomeProgramSettings.objects.filter(site=site).values_list(
        "early_refill_fraction", flat=True
    )
    return next(iter(stored), EARLY_REFILL_FRACTION)


def dispensings_of(
    prescription: HomePrescription, refills: list[RefillDispensing] | None = None
) -> list[int]:
    """Every quantity handed to the patient: the first fill, then each refill."""
    if refills is None:
        refills = list(prescription.refills.all())
    return [prescription.quantity_dispensed, *(r.quantity for r in refills)]


def _rule_inputs(
    prescription: HomePrescription,
    refills: list[RefillDispensing],
    early_fraction: Decimal | None = None,
) -> dict:
    last = refills[-1] if refills else None
    return {
        "written_on": prescription.written_on,
        "refills_authorised": prescription.refills_authorised,
        "refills_until": prescription.refills_until,
        "refills_dispensed": len(refills),
        "quantity_prescribed": prescription.quantity_dispensed,
        "supply_started_on": last.dispensed_on if last else prescription.first_home_dose_on,
        "supply_quantity": last.quantity if last else prescription.quantity_dispensed,
        "per_week": troches_per_week(
            prescription.dose_per_session_mg,
            prescription.strength_mg,
            prescription.max_doses_per_week,
        ),
        "early_fraction": (
            early_fraction
            if early_fraction is not None
            else early_refill_fraction(prescription.patient.site_id)
        ),
    }


def problems_for(
    prescription: HomePrescription, *, quantity: int, dispensed_on: dt.date
) -> tuple[OutOfRange, ...]:
    """Why this refill may not be dispensed (empty when it may)."""
    refills = list(prescription.refills.order_by("dispensed_on", "id"))
    return refill_problems(
        **_rule_inputs(prescription, refills), quantity=quantity, dispensed_on=dispensed_on
    )


def next_refill_on(
    prescription: HomePrescription,
    refills: list[RefillDispensing] | None = None,
    *,
    early_fraction: Decimal | None = None,
) -> dt.date | None:
    """The earliest day the next refill may be dispensed by the early-refill line, or ``None``
    when no refill is left by count (the six-month limit is judged on the day itself).

    A page of prescriptions passes the ``refills`` it prefetched and the site's
    ``early_fraction``, so that it reads neither again per prescription.
    """
    if refills is None:
        refills = list(prescription.refills.order_by("dispensed_on", "id"))
    else:
        refills = sorted(refills, key=lambda refill: (refill.dispensed_on, refill.pk))
    inputs = _rule_inputs(prescription, refills, early_fraction)
    if inputs["refills_dispensed"] >= min(inputs["refills_authorised"], MAX_REFILLS):
        return None
    return earliest_refill_on(
        supply_started_on=inputs["supply_started_on"],
        supply_quantity=inputs["supply_quantity"],
        per_week=inputs["per_week"],
        early_fraction=inputs["early_fraction"],
    )


def record_refill(
    prescription: HomePrescription,
    *,
    dispensed_on: dt.date,
    quantity: int,
    dispensed_at: str,
    pharmacy: str,
    note: str,
    user: Any,
    request: HttpRequest | None = None,
) -> RefillDispensing:
    """Store one refill, audited, after checking the rules again under the row lock."""
    with transaction.atomic():
        locked = HomePrescription.objects.select_for_update().get(pk=prescription.pk)
        locked.patient = prescription.patient
        problems = problems_for(locked, quantity=quantity, dispensed_on=dispensed_on)
        if problems:
            raise RefillRefused(problems)
        refill = RefillDispensing.objects.create(
            prescription=locked,
            dispensed_on=dispensed_on,
            quantity=quantity,
            dispensed_at=dispensed_at,
            pharmacy=pharmacy if dispensed_at == DispensedAt.PHARMACY else "",
            note=note,
            recorded_by=user,
            recorded_at=clock.now(),
        )
        record_event(
            request,
            Action.CREATE,
            object_type="home_refill",
            object_id=refill.pk,
            patient=prescription.patient,
            detail={
                "prescription": locked.pk,
                "dispensed_on": dispensed_on.isoformat(),
                "quantity": quantity,
                "dispensed_at": dispensed_at,
            },
        )
    return refill
