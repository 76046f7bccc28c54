"""``ketaclinic reminders plan`` and ``ketaclinic reminders send``: for cron, every few minutes.

Both are idempotent: planning twice adds nothing, sending twice sends nothing twice.
``--now`` (an ISO 8601 time with its offset) replays a moment, for tests and for catching up;
``send --dry-run`` says what would happen without sending or writing. A bad ``--now`` is
exit status 2 with one line on stderr; nothing is read from the database before that check.
"""

from __future__ import annotations

import argparse
import datetime as dt

from ketaclinic.clinical.exceptions import InvalidValue

__all__ = ["parse_now", "register"]


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


def register(subcommands: argparse._SubParsersAction) -> None:
    reminders = subcommands.add_parser(
        "reminders", help="plan and send appointment and questionnaire reminders"
    )
    actions = reminders.add_subparsers(dest="reminders_command", required=True, metavar="ACTION")

    plan = actions.add_parser("plan", help="plan reminders from the schedule and open links")
    plan.add_argument("--now", metavar="ISO", help="act as of this moment (default: now)")
    plan.add_argument("--json", action="store_true", help="print JSON for scripts")
    plan.set_defaults(handler=_plan)

    send = actions.add_parser("send", help="send the reminders that are due")
    send.add_argument("--now", metavar="ISO", help="act as of this moment (default: now)")
    send.add_argument("--dry-run", action="store_true", help="decide, but send and store nothing")
    send.add_argument("--json", action="store_true", help="print JSON for scripts")
    send.set_defaults(handler=_send)


def _moment(args: argparse.Namespace) -> dt.datetime:
    from ketaclinic.apps.web import clock

    return parse_now(args.now) or clock.now()


def _plan(args: argparse.Namespace) -> int:
    parse_now(args.now)
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.reminders.planning import plan_reminders
    from ketaclinic.cli.output import print_json

    report = plan_reminders(_moment(args))
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.summary())
    return 0


def _send(args: argparse.Namespace) -> int:
    parse_now(args.now)
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.reminders.delivery import send_due_reminders
    from ketaclinic.cli.output import print_json

    report = send_due_reminders(_moment(args), dry_run=args.dry_run)
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.summary())
    return 0
