"""Vital-sign readings on a session's time axis: minutes since the dose started.

A reading carries its minute directly, or a timezone-aware ``taken_at`` that is turned into
minutes against the dose start passed in (never the clock). Any measure may be missing from
one reading (BP every 5 minutes, SpO2 continuous, MOAA/S when assessed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ketaclinic.clinical.eligibility.fields import FieldReader
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem

__all__ = ["VitalReading", "minutes_between"]

_MAX_MINUTES = Decimal(24 * 60)
_READING_FIELDS = frozenset(
    {"minute", "taken_at", "bp_systolic", "bp_diastolic", "heart_rate", "spo2", "moaas"}
)


def minutes_between(start: dt.datetime, end: dt.datetime, *, field: str) -> Decimal:
    """Exact minutes from ``start`` to ``end`` (both aware); ``field`` names ``end`` in errors."""
    if start.utcoffset() is None or end.utcoffset() is None:
        raise InvalidValue(field, "times must be timezone-aware")
    delta = end - start
    if delta < dt.timedelta(0):
        raise InvalidValue(field, "is before the dose started")
    microseconds = delta // dt.timedelta(microseconds=1)
    return Decimal(microseconds) / Decimal(60_000_000)


@dataclass(frozen=True, slots=True)
class VitalReading:
    """One moment's measurements; ``minute`` counts from the start of dosing."""

    minute: Decimal
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    moaas: int | None = None

    @classmethod
    def from_dict(
        cls, data: Any, *, field: str, dose_started_at: dt.datetime | None = None
    ) -> VitalReading:
        reader = FieldReader(data, prefix=field, allowed=_READING_FIELDS)
        minute = reader.optional_decimal("minute", low=Decimal(0), high=_MAX_MINUTES)
        taken_at = reader.optional_aware_datetime("taken_at")
        if minute is not None and taken_at is not None:
            raise InvalidValue(reader.name("taken_at"), "give either minute or taken_at, not both")
        if minute is None:
            if taken_at is None:
                raise MissingItem(reader.name("minute"), "is required (or taken_at)")
            if dose_started_at is None:
                raise MissingItem("dose_started_at", "is required when readings use taken_at")
            minute = minutes_between(dose_started_at, taken_at, field=reader.name("taken_at"))
        systolic = reader.optional_integer("bp_systolic", low=40, high=300)
        diastolic = reader.optional_integer("bp_diastolic", low=20, high=200)
        if (systolic is None) != (diastolic is None):
            missing = "bp_diastolic" if diastolic is None else "bp_systolic"
            raise MissingItem(reader.name(missing), "blood pressure needs both numbers")
        return cls(
            minute=minute,
            bp_systolic=systolic,
            bp_diastolic=diastolic,
            heart_rate=reader.optional_integer("heart_rate", low=20, high=250),
            spo2=reader.optional_integer("spo2", low=50, high=100),
            moaas=reader.optional_integer("moaas", low=0, high=5),
        )

    @property
    def has_bp(self) -> bool:
        return self.bp_systolic is not None and self.bp_diastolic is not None

    def bp_above(self, systolic: int, diastolic: int) -> bool:
        """Systolic above ``systolic`` or diastolic above ``diastolic`` (False without BP)."""
        if self.bp_systolic is None or self.bp_diastolic is None:
            return False
        return self.bp_systolic > systolic or self.bp_diastolic > diastolic

    @property
    def minute_text(self) -> str:
        """The minute to 0.1 for messages: ``15``, ``40.5`` (times can give long decimals)."""
        return f"{self.minute.quantize(Decimal('0.1')).normalize():f}"

    @property
    def bp_text(self) -> str:
        return f"{self.bp_systolic}/{self.bp_diastolic} mmHg"
