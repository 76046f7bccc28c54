"""The one weight every dose is computed from: the patient's latest measurement, dated.

Weight and height live in one place, the patient's measurement history; the chart's form and
the screening both write to it (``record_measurement``), and the plan and the dose order both
read from it (``dosing_weight``), so the plan's "≈ 35 mg" and the order's mg use the same kg.

A weight older than ``settings.WEIGHT_STALE_DAYS`` (default 30) is flagged, never refused:
a 5 % change in body weight within a month is the usual threshold for a clinically
significant change (ASPEN/Academy malnutrition criteria; the same 5 % is a 5 % change in a
mg/kg dose), an induction course (six infusions in two to three weeks) fits inside 30 days
of a screening weight, and monthly maintenance sessions would be flagged for a re-weigh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.choices import MeasurementSource
from ketaclinic.apps.patients.models import Measurement, Patient

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class DosingWeight:
    """The latest weight, the latest known height, how old the weight is and whether stale."""

    measurement: Measurement | None
    height_cm: Decimal | None
    age_days: int | None
    stale_after_days: int

    @property
    def weight_kg(self) -> Decimal | None:
        return None if self.measurement is None else self.measurement.weight_kg

    @property
    def measured_on(self) -> dt.date | None:
        return None if self.measurement is None else self.measurement.measured_on

    @property
    def is_stale(self) -> bool:
        return self.age_days is not None and self.age_days > self.stale_after_days

    @property
    def stale_message(self) -> str:
        """What the plan and the dose order say when the weight is stale ('' when it is not)."""
        if not self.is_stale:
            return ""
        return (
            f"Weight {self.weight_kg} kg was measured {self.measured_on:%Y-%m-%d}, "
            f"{self.age_days} days ago (more than {self.stale_after_days}): weigh the patient "
            "again before dosing."
        )


def dosing_weight(patient: Patient, as_of: dt.date) -> DosingWeight:
    """The patient's latest weight as of ``as_of`` (a measurement dated later is ignored).

    Height is carried forward from the most recent measurement that has one.
    """
    rows = list(patient.measurements.filter(measured_on__lte=as_of)[:20])
    latest = rows[0] if rows else None
    height = next((m.height_cm for m in rows if m.height_cm is not None), None)
    age = None if latest is None else (as_of - latest.measured_on).days
    return DosingWeight(latest, height, age, settings.WEIGHT_STALE_DAYS)


def record_measurement(
    patient: Patient,
    *,
    weight_kg: Decimal,
    height_cm: Decimal | None,
    measured_on: dt.date,
    source: str,
    user: Any,
    request: HttpRequest | None,
) -> Measurement:
    """Add a weight (and height) to the patient's history, audited; one transaction.

    The same weight and height recorded again on the same day is not a new measurement, so
    re-screening a patient does not duplicate the history.
    """
    with transaction.atomic():
        same = patient.measurements.filter(
            measured_on=measured_on, weight_kg=weight_kg, height_cm=height_cm
        ).first()
        if same is not None:
            return same
        measurement = Measurement(
            patient=patient,
            measured_on=measured_on,
            weight_kg=weight_kg,
            height_cm=height_cm,
            recorded_by=user,
            source=MeasurementSource(source),
        )
        measurement.full_clean(exclude=["patient", "recorded_by"])
        measurement.save()
        record_event(
            request,
            Action.CREATE,
            object_type="measurement",
            object_id=measurement.pk,
            patient=patient,
            detail={"source": source},
            actor=user,
        )
    return measurement
