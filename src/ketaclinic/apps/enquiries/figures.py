"""Waiting-time figures per program, computed in the database with window functions.

For each program: how many are waiting, the median and 90th-percentile days waited by open
enquiries, and the median days from enquiry to becoming a patient (conversions of the last
365 days). Percentiles use the nearest-rank definition — the value at rank ⌈p·n⌉ in ascending
order — so each figure is a real enquiry's wait, and the same on SQLite and PostgreSQL: the
database numbers the rows per program and returns only the ranks asked for (two queries in all,
however long the list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from ketaclinic.apps.enquiries.choices import OPEN_STATUSES, EnquiryStatus, Program
from ketaclinic.apps.enquiries.models import Enquiry

__all__ = ["CONVERSION_WINDOW", "ProgramFigures", "median_days_to_conversion", "waiting_figures"]

CONVERSION_WINDOW = dt.timedelta(days=365)


@dataclass(frozen=True)
class ProgramFigures:
    program: str
    label: str
    waiting: int = 0
    median_wait_days: int | None = None
    p90_wait_days: int | None = None
    converted: int = 0
    median_days_to_conversion: int | None = None


def _ranked(queryset: QuerySet, order) -> list[dict]:
    """Rows at the median (⌈n/2⌉) and 90th-percentile (⌈9n/10⌉) ranks of each program."""
    n = F("n")
    return list(
        queryset.annotate(
            rank=Window(RowNumber(), partition_by=[F("program")], order_by=order),
            n=Window(Count("id"), partition_by=[F("program")]),
        )
        .filter(Q(rank=(n + 1) / 2) | Q(rank=(n * 9 + 9) / 10))
        .values("program", "rank", "n", "submitted_at", "converted_at")
    )


def _days(delta: dt.timedelta) -> int:
    return max(0, delta.days)


def _conversions(enquiries: QuerySet, now: dt.datetime) -> dict[str, tuple[int, int]]:
    converted = enquiries.filter(
        status=EnquiryStatus.CONVERTED, converted_at__gte=now - CONVERSION_WINDOW
    )
    took = ExpressionWrapper(F("converted_at") - F("submitted_at"), output_field=DurationField())
    result: dict[str, tuple[int, int]] = {}
    for row in _ranked(converted, [took.asc(), F("id").asc()]):
        if row["rank"] == (row["n"] + 1) // 2:
            result[row["program"]] = (row["n"], _days(row["converted_at"] - row["submitted_at"]))
    return result


def waiting_figures(enquiries: QuerySet[Enquiry], now: dt.datetime) -> list[ProgramFigures]:
    """One row per program (in the order of ``Program``) over the enquiries given."""
    open_rows = _ranked(
        enquiries.filter(status__in=OPEN_STATUSES), [F("submitted_at").desc(), F("id").desc()]
    )
    waits: dict[str, dict] = {}
    for row in open_rows:
        entry = waits.setdefault(row["program"], {"n": row["n"]})
        days = _days(now - row["submitted_at"])
        if row["rank"] == (row["n"] + 1) // 2:
            entry["median"] = days
        if row["rank"] == (row["n"] * 9 + 9) // 10:
            entry["p90"] = days
    conversions = _conversions(enquiries, now)
    figures = []
    for program in Program:
        wait = waits.get(program.value, {})
        converted, median_conversion = conversions.get(program.value, (0, None))
        figures.append(
            ProgramFigures(
                program=program.value,
                label=program.label,
                waiting=wait.get("n", 0),
                median_wait_days=wait.get("median"),
                p90_wait_days=wait.get("p90"),
                converted=converted,
                median_days_to_conversion=median_conversion,
            )
        )
    return figures


def median_days_to_conversion(enquiries: QuerySet[Enquiry], now: dt.datetime) -> dict[str, int]:
    """Median days to conversion per program, for programs with at least five conversions
    (fewer would make a "typical wait" out of one or two people)."""
    return {program: days for program, (n, days) in _conversions(enquiries, now).items() if n >= 5}
