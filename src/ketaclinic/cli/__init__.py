"""The ``ketaclinic`` command.

Clinical subcommands (scores, screening, dosing, pharmacokinetics) run on the pure core with
no Django settings and no database; database subcommands configure Django only when they
run. Each area registers its subcommands from its own module, listed in ``COMMAND_MODULES``.

Bad input exits with status 2 and one line on stderr naming the field.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ketaclinic.clinical.exceptions import InputError

__all__ = ["COMMAND_MODULES", "UsageError", "build_parser", "main"]

COMMAND_MODULES: tuple[str, ...] = (
    "ketaclinic.cli.accounts",
    "ketaclinic.cli.alerts",
    "ketaclinic.cli.audit",
    "ketaclinic.cli.billing",
    "ketaclinic.cli.database",
    "ketaclinic.cli.enquiries",
    "ketaclinic.cli.ledger",
    "ketaclinic.cli.outcomes",
    "ketaclinic.cli.pk",
    "ketaclinic.cli.reminders",
    "ketaclinic.cli.rems",
    "ketaclinic.cli.scales",
    "ketaclinic.cli.screening",
    "ketaclinic.cli.treatment",
)


class UsageError(Exception):
    """Bad command-line usage; carries the one line printed on stderr."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a single stderr line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="ketaclinic",
        description="Run ketamine-therapy programs safely and measure whether they work.",
    )
    subcommands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser
    )
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.handler(args) or 0)
    except UsageError as error:
        print(f"ketaclinic: error: {error}", file=sys.stderr)
        return 2
    except InputError as error:
        print(f"ketaclinic: error: {error.field}: {error.message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``ketaclinic ... --json | head``): stop quietly, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
