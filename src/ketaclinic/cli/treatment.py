"""``ketaclinic protocols``, ``plan`` and ``dose``: protocol templates, schedules and doses.

Pure clinical commands: no Django, no database, no clock (the start date is an argument).
Every number is read as an exact ``Decimal``; bad input raises an ``InputError`` naming the
field as the user typed it (``weight_kg``, ``start``, ``holiday[1]`` ...), which the
dispatcher prints as one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from ketaclinic.cli.output import print_json, print_table
from ketaclinic.clinical.body_weight import Sex, WeightBasis
from ketaclinic.clinical.dosing import (
    DoseResult,
    DosingParameters,
    EsketamineLabel,
    calculate_dose,
)
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, UnknownCode
from ketaclinic.clinical.protocols import PROTOCOLS, Protocol, get_protocol
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.schedule import (
    ClinicCalendar,
    Schedule,
    ScheduleOptions,
    generate_schedule,
    open_days_from_codes,
)

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    protocols = subcommands.add_parser("protocols", help="list the protocol templates")
    protocols.add_argument("--json", action="store_true", help="print JSON for scripts")
    protocols.set_defaults(handler=_protocols)

    plan = subcommands.add_parser("plan", help="dated sessions for a protocol on a calendar")
    plan.add_argument("--protocol", required=True, metavar="ID")
    plan.add_argument("--start", required=True, metavar="YYYY-MM-DD")
    plan.add_argument(
        "--open-days",
        default="mon,tue,wed,thu,fri",
        metavar="DAYS",
        help="weekdays the clinic doses, e.g. mon,wed,fri (default mon-fri)",
    )
    plan.add_argument(
        "--holiday", action="append", default=[], metavar="YYYY-MM-DD", help="repeatable"
    )
    plan.add_argument("--variant", help="one of the protocol's variants (default: the first)")
    plan.add_argument("--json", action="store_true", help="print JSON for scripts")
    plan.set_defaults(handler=_plan)

    dose = subcommands.add_parser("dose", help="calculate a dose, volume and pump rate")
    dose.add_argument("--route", required=True, help=", ".join(r.value for r in Route))
    dose.add_argument("--weight-kg", required=True, metavar="W")
    dose.add_argument("--height-cm", metavar="H")
    dose.add_argument("--sex", help="female or male (for ideal and adjusted weight)")
    dose.add_argument("--weight-basis", help="actual, ideal or adjusted (default: clinic rule)")
    amount = dose.add_mutually_exclusive_group()
    amount.add_argument("--mg-per-kg", metavar="X")
    amount.add_argument("--dose-mg", metavar="X")
    dose.add_argument("--concentration-mg-per-ml", metavar="C")
    dose.add_argument("--duration-min", metavar="M", help="IV only (default 40)")
    dose.add_argument("--age-years", metavar="A", help="esketamine: 65+ starts at 28 mg (EU)")
    dose.add_argument(
        "--label", default="us", help="esketamine label followed: us (default) or eu (EU/UK)"
    )
    dose.add_argument("--json", action="store_true", help="print JSON for scripts")
    dose.set_defaults(handler=_dose)


def _decimal(text: str | None, field: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidValue(field, f"{text!r} is not a number") from None
    if not value.is_finite():
        raise InvalidValue(field, f"{text!r} is not a number")
    return value


def _integer(text: str | None, field: str) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidValue(field, f"{text!r} is not a whole number") from None


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(field, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _code(enum_type: Any, text: str | None, field: str) -> Any:
    if text is None:
        return None
    try:
        return enum_type(text.strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in enum_type)
        raise UnknownCode(field, f"{text!r} is not one of {known}") from None


def _protocol_json(protocol: Protocol) -> dict[str, Any]:
    return {
        "id": protocol.id,
        "title": protocol.title,
        "route": protocol.route.value,
        "setting": protocol.setting.value,
        "variants": [
            {
                "name": variant.name,
                "description": variant.description,
                "phases": [
                    {
                        "name": phase.name,
                        "sessions": phase.sessions,
                        "cadence": phase.interval.render(),
                        "min_gap_days": phase.min_gap_days,
                        "max_gap_days": phase.max_gap_days,
                        "window_days": phase.window_days,
                        "dose": None if phase.dose is None else phase.dose.render(),
                        "first_dose": (
                            None if phase.first_dose is None else phase.first_dose.render()
                        ),
                    }
                    for phase in variant.phases
                ],
            }
            for variant in protocol.variants
        ],
        "sources": list(protocol.source_keys),
        "unverified": list(protocol.unverified),
    }


def _protocols(args: argparse.Namespace) -> int:
    if args.json:
        print_json([_protocol_json(p) for p in PROTOCOLS.values()])
        return 0
    print_table(
        ["id", "route", "setting", "variants", "title"],
        [
            [p.id, p.route.value, p.setting.value, ",".join(v.name for v in p.variants), p.title]
            for p in PROTOCOLS.values()
        ],
    )
    return 0


def _calendar(args: argparse.Namespace) -> ClinicCalendar:
    codes = [code for code in args.open_days.split(",") if code.strip()]
    if not codes:
        raise InvalidValue("open_days", "give at least one weekday, e.g. mon,wed,fri")
    holidays = frozenset(
        _date(text, f"holiday[{index}]") for index, text in enumerate(args.holiday)
    )
    return ClinicCalendar(open_days_from_codes(codes), holidays)


def _schedule_json(schedule: Schedule) -> dict[str, Any]:
    return {
        "protocol": schedule.protocol_id,
        "variant": schedule.variant,
        "sessions": [
            {
                "number": s.number,
                "date": s.date.isoformat(),
                "phase": s.phase,
                "dose": None if s.dose is None else s.dose.render(),
            }
            for s in schedule.sessions
        ],
    }


def _plan(args: argparse.Namespace) -> int:
    protocol = get_protocol(args.protocol.strip())
    start = _date(args.start, "start")
    calendar = _calendar(args)
    schedule = generate_schedule(protocol, start, calendar, ScheduleOptions(variant=args.variant))
    if args.json:
        print_json(_schedule_json(schedule))
        return 0
    print(f"{protocol.id} ({schedule.variant}): {protocol.title}")
    print_table(
        ["#", "date", "day", "phase", "dose", "moved"],
        [
            [
                s.number,
                s.date.isoformat(),
                s.date.strftime("%a"),
                s.phase,
                "-" if s.dose is None else s.dose.render(),
                f"{s.shifted_days:+d} d" if s.shifted_days else "",
            ]
            for s in schedule.sessions
        ],
    )
    return 0


def _dose_json(result: DoseResult) -> dict[str, Any]:
    return {
        "route": result.route.value,
        "dose_mg": result.dose_mg,
        "weight_basis": result.weight_basis.value,
        "weight_used_kg": result.weight_used_kg,
        "volume_ml": result.volume_ml,
        "duration_min": result.duration_min,
        "rate_ml_per_h": result.rate_ml_per_h,
        "capped": result.capped,
        "warnings": list(result.warnings),
        "requested_dose_mg": result.requested_dose_mg,
        "devices": result.devices,
        "rounding": list(result.rounding),
    }


def _dose(args: argparse.Namespace) -> int:
    weight_kg = _decimal(args.weight_kg, "weight_kg")
    assert weight_kg is not None
    try:
        result = calculate_dose(
            _code(Route, args.route, "route"),
            weight_kg=weight_kg,
            mg_per_kg=_decimal(args.mg_per_kg, "mg_per_kg"),
            dose_mg=_decimal(args.dose_mg, "dose_mg"),
            height_cm=_decimal(args.height_cm, "height_cm"),
            sex=_code(Sex, args.sex, "sex"),
            weight_basis=_code(WeightBasis, args.weight_basis, "weight_basis"),
            concentration_mg_per_ml=_decimal(
                args.concentration_mg_per_ml, "concentration_mg_per_ml"
            ),
            duration_min=_integer(args.duration_min, "duration_min"),
            parameters=DosingParameters(
                esketamine_label=_code(EsketamineLabel, args.label, "label")
            ),
            age_years=_integer(args.age_years, "age_years"),
        )
    except MissingItem as error:
        if error.field != "sex":
            raise
        raise MissingItem("--sex", f"{error.message}; give --sex female or --sex male") from None
    if args.json:
        print_json(_dose_json(result))
        return 0
    rows = [[key, "-" if value is None else value] for key, value in _dose_json(result).items()]
    rows = [[k, v] for k, v in rows if k not in {"warnings", "rounding"}]
    print_table(["field", "value"], rows)
    for note in result.rounding:
        print(f"rounding: {note}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0
