"""``ketaclinic screen`` and ``ketaclinic discharge-check``: screening and discharge rules.

Both read one JSON object from ``--input FILE`` (``-`` for standard input); the shapes are
documented with examples in docs/cli-inputs.md. ``--parameters FILE`` optionally gives the
clinic's thresholds and level split as JSON (the sourced defaults otherwise). Numbers are read
as exact decimals. Bad input of any kind (unreadable file, invalid JSON, unknown field or
code, wrong type) exits with status 2 and one line on stderr naming the field (``--input`` or
``--parameters`` for the file itself).

No Django, no database: this runs on the pure clinical core.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from ketaclinic.cli.output import print_json, print_table
from ketaclinic.clinical.eligibility import ScreeningInput, ScreeningParameters, screen
from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.monitoring import (
    DischargeInput,
    MonitoringParameters,
    discharge_readiness,
)

__all__ = ["read_json", "register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    screening = subparsers.add_parser(
        "screen", help="eligibility screening of one patient from a JSON file"
    )
    screening.add_argument(
        "--input", required=True, metavar="FILE", help="patient JSON ('-' for stdin)"
    )
    screening.add_argument(
        "--parameters", metavar="FILE", help="clinic ScreeningParameters as JSON (optional)"
    )
    screening.add_argument("--json", action="store_true", help="print JSON")
    screening.set_defaults(handler=_screen)

    discharge = subparsers.add_parser(
        "discharge-check", help="is a patient ready to leave after a session"
    )
    discharge.add_argument(
        "--input", required=True, metavar="FILE", help="session JSON ('-' for stdin)"
    )
    discharge.add_argument(
        "--parameters", metavar="FILE", help="clinic MonitoringParameters as JSON (optional)"
    )
    discharge.add_argument("--json", action="store_true", help="print JSON")
    discharge.set_defaults(handler=_discharge_check)


# One patient's screening or session is a few kilobytes; a megabyte is a mistake.
MAX_INPUT_CHARACTERS = 1_000_000


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(path: str, option: str = "--input") -> Any:
    """The JSON value in ``path`` (``-`` = stdin); any failure is an InputError on ``option``."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InvalidValue(option, f"cannot read {path!r}: {reason}") from None
    if len(text) > MAX_INPUT_CHARACTERS:
        raise InvalidValue(option, f"is longer than {MAX_INPUT_CHARACTERS:,} characters")
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except RecursionError:
        raise InvalidValue(option, "not valid JSON: nested too deeply") from None
    except json.JSONDecodeError as error:
        raise InvalidValue(
            option, f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except ValueError as error:
        raise InvalidValue(option, f"not valid JSON: {error}") from None


def _screen(args: argparse.Namespace) -> int:
    parameters = ScreeningParameters()
    if args.parameters is not None:
        parameters = ScreeningParameters.from_dict(read_json(args.parameters, "--parameters"))
    result = screen(ScreeningInput.from_dict(read_json(args.input)), parameters)
    if args.json:
        print_json(result)
        return 0
    print(f"decision: {result.decision.value} (rules {result.rules_version})")
    if not result.findings:
        print("no findings")
        return 0
    print_table(
        ["level", "code", "source"],
        [[f.level.value, f.code, f.source] for f in result.findings],
    )
    print()
    for finding in result.findings:
        print(f"- {finding.code}: {finding.message}")
    return 0


def _discharge_check(args: argparse.Namespace) -> int:
    parameters = MonitoringParameters()
    if args.parameters is not None:
        parameters = MonitoringParameters.from_dict(read_json(args.parameters, "--parameters"))
    result = discharge_readiness(DischargeInput.from_dict(read_json(args.input)), parameters)
    if args.json:
        print_json(result)
        return 0
    print(f"ready: {'yes' if result.ready else 'no'}")
    for reason in result.reasons:
        print(f"- {reason.code}: {reason.message} [{reason.source}]")
    for instruction in result.instructions:
        print(f"instruction: {instruction}")
    return 0
