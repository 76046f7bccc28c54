"""Small FHIR data types every mapping module builds: references, instants, quantities, meta."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ketaclinic.fhir.codes import UCUM


def reference(resource_type: str, resource_id: object, display: str = "") -> dict:
    out = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        out["display"] = display
    return out


def instant(moment: dt.datetime | str | None) -> str | None:
    """An aware datetime as a FHIR instant/dateTime (naive values are taken as UTC); text is
    one already (a source's ``instants``, which the export reads as their text)."""
    if moment is None or isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def as_number(value: Decimal | int | float) -> int | float:
    """A JSON number: integral decimals as integers, others as floats (FHIR decimal)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def quantity(value: Decimal | int, unit: str, code: str | None = None) -> dict:
    return {"value": as_number(value), "unit": unit, "system": UCUM, "code": code or unit}


def meta(last_updated: dt.datetime | str | None, *profiles: str) -> dict:
    out: dict = {}
    if last_updated is not None:
        out["lastUpdated"] = instant(last_updated)
    if profiles:
        out["profile"] = list(profiles)
    return out


def pruned(resource: dict) -> dict:
    """Drop empty values (None, "", [], {}) at the top level: FHIR forbids empty elements."""
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}
