"""What every subcommand run by cron shares: ``--now``, ``--json``, one run at one moment.

A cron job runs a function of the moment (``--now``, an ISO 8601 time with its offset, for
replaying a moment in tests or catching up; else the application clock) and prints what it
did: JSON for scripts, one line for people. A bad ``--now`` is exit status 2 with one line
on stderr, and nothing touches the database before that check.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any

from ketaclinic.clinical.exceptions import InvalidValue

__all__ = ["add_job", "answer", "job_group", "job_moment", "parse_now"]


def parse_now(text: str | None) -> dt.datetime | None:
    """``--now``: an ISO 8601 date and time with an offset (``Z`` or ``+01:00``)."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue("now", f"{text!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValue("now", f"{text!r} needs an offset, e.g. 2026-03-10T14:00:00+00:00")
    return moment


def job_group(
    subcommands: argparse._SubParsersAction, name: str, *, help: str
) -> argparse._SubParsersAction:
    """The ``ketaclinic <name> ACTION`` group, for ``add_job`` to add its actions to."""
    group = subcommands.add_parser(name, help=help)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")


def add_job(
    actions: argparse._SubParsersAction,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    *,
    help: str,
    json: bool = True,
) -> argparse.ArgumentParser:
    """The ``name`` action with ``--now`` (and ``--json``) calling ``handler``."""
    parser = actions.add_parser(name, help=help)
    parser.add_argument("--now", metavar="ISO", help="act as of this moment (default: now)")
    if json:
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=handler)
    return parser


def job_moment(args: argparse.Namespace) -> dt.datetime:
    """The moment to run at: ``--now`` (checked before anything else), else the clock.

    Sets Django up on the way, so the caller imports its app's function after this call.
    """
    moment = parse_now(args.now)
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.web import clock

    return moment or clock.now()


def answer(args: argparse.Namespace, counts: Any, text: str) -> int:
    """Print ``counts`` (a dict, or a run's dataclass of counts) as JSON with ``--json``,
    else ``text``; exit status 0."""
    if args.json:
        from ketaclinic.cli.output import print_json

        print_json(counts)
    else:
        print(text)
    return 0
