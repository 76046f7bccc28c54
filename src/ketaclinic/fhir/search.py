"""Parsing the FHIR search parameters we support: dates with prefixes, tokens, references.

Each parser turns one query value into a small value object or raises ``SearchError`` naming
the parameter, which the views return as a 400 OperationOutcome.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.dateparse import parse_datetime

PREFIXES = ("eq", "ne", "lt", "le", "gt", "ge", "sa", "eb")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class SearchError(ValueError):
    """A search parameter we cannot honour: its name and what is wrong (HTTP 400)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class DateRange:
    """A search date as the half-open range it stands for, with its prefix."""

    prefix: str
    start: dt.datetime
    end: dt.datetime

    def q(self, field: str, *, is_date: bool = False) -> Q:
        """The condition on ``field`` (a DateTimeField, or a DateField with ``is_date``)."""
        start: dt.date | dt.datetime = self.start
        end: dt.date | dt.datetime = self.end
        if is_date:
            start = self.start.date()
            at_midnight = self.end.time() == dt.time(0)
            end = self.end.date() if at_midnight else self.end.date() + dt.timedelta(days=1)
        conditions = {
            "eq": Q(**{f"{field}__gte": start, f"{field}__lt": end}),
            "ne": ~Q(**{f"{field}__gte": start, f"{field}__lt": end}),
            "lt": Q(**{f"{field}__lt": start}),
            "le": Q(**{f"{field}__lt": end}),
            "gt": Q(**{f"{field}__gte": end}),
            "ge": Q(**{f"{field}__gte": start}),
            "sa": Q(**{f"{field}__gte": end}),
            "eb": Q(**{f"{field}__lt": start}),
        }
        return conditions[self.prefix]


def parse_date(parameter: str, raw: str) -> DateRange:
    """``[prefix]YYYY[-MM[-DD]]`` or a dateTime with a time zone (``ge2026-03-01T10:00Z``)."""
    prefix = "eq"
    value = raw.strip()
    if value[:2] in PREFIXES:
        prefix, value = value[:2], value[2:]
    match = _DATE.match(value)
    if match:
        year, month, day = match.groups()
        try:
            start = dt.datetime(int(year), int(month or 1), int(day or 1), tzinfo=dt.UTC)
        except ValueError:
            raise SearchError(parameter, f"{raw!r} is not a valid date") from None
        if day:
            end = start + dt.timedelta(days=1)
        elif month:
            end = (start + dt.timedelta(days=32)).replace(day=1)
        else:
            end = start.replace(year=start.year + 1)
        return DateRange(prefix, start, end)
    try:
        moment = parse_datetime(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None:
        raise SearchError(parameter, f"{raw!r} is not a date (use [prefix]YYYY-MM-DD)")
    if moment.tzinfo is None:
        raise SearchError(parameter, f"{raw!r} needs a time zone (for example Z)")
    step = dt.timedelta(microseconds=1) if moment.microsecond else dt.timedelta(seconds=1)
    return DateRange(prefix, moment, moment + step)


@dataclass(frozen=True)
class Token:
    """``system|code``, ``|code`` (no system), ``system|`` (any code) or ``code`` (any system)."""

    system: str | None
    code: str | None

    def matches(self, system: str, code: str) -> bool:
        if self.system is not None and self.system != system:
            return False
        return self.code is None or self.code == code


def parse_token(parameter: str, raw: str) -> Token:
    if not raw:
        raise SearchError(parameter, "is empty")
    if "|" not in raw:
        return Token(None, raw)
    system, code = raw.split("|", 1)
    return Token(system, code or None)


def parse_reference(parameter: str, raw: str, resource_type: str) -> str:
    """``123``, ``Patient/123`` or a full URL ending in ``Patient/123``: the id."""
    value = raw.rstrip("/")
    if "/" in value:
        kind, _slash, ident = value.rpartition("/")
        if not kind.endswith(resource_type):
            raise SearchError(parameter, f"must refer to a {resource_type}")
        value = ident
    if not re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", value):
        raise SearchError(parameter, f"{raw!r} is not a {resource_type} reference")
    return value


def parse_count(raw: str | None, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        count = int(raw)
    except ValueError:
        raise SearchError("_count", f"{raw!r} is not a whole number") from None
    if count < 0:
        raise SearchError("_count", "must be 0 or more")
    return min(count, maximum)


def parse_offset(raw: str | None) -> int:
    if raw is None or raw == "":
        return 0
    try:
        offset = int(raw)
    except ValueError:
        raise SearchError("_offset", f"{raw!r} is not a whole number") from None
    if offset < 0:
        raise SearchError("_offset", "must be 0 or more")
    return offset
