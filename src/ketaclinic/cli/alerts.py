"""``ketaclinic alerts escalate``: for cron, every minute.

Pages urgent alerts that were never paged, retries failed sends and pages the next person
on call for alerts still open past the site's escalation time. Idempotent: a second run at
the same moment does nothing. ``--now`` (ISO 8601 with an offset) replays a moment; a bad
``--now`` is exit status 2 with one line on stderr.
"""

from __future__ import annotations

import argparse

from ketaclinic.cli.reminders import parse_now

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    alerts = subcommands.add_parser("alerts", help="page and escalate urgent alerts")
    actions = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    escalate = actions.add_parser(
        "escalate", help="retry failed pages and page the next person on call (cron)"
    )
    escalate.add_argument("--now", metavar="ISO", help="act as of this moment (default: now)")
    escalate.add_argument("--json", action="store_true", help="print JSON for scripts")
    escalate.set_defaults(handler=_escalate)


def _escalate(args: argparse.Namespace) -> int:
    moment = parse_now(args.now)
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.alerts.paging import escalate_due
    from ketaclinic.apps.web import clock
    from ketaclinic.cli.output import print_json

    run = escalate_due(moment or clock.now())
    counts = {
        "first_pages": run.first_pages,
        "retries": run.retries,
        "escalations": run.escalations,
    }
    if args.json:
        print_json(counts)
    else:
        print(f"paged {run.first_pages} new, retried {run.retries}, escalated {run.escalations}")
    return 0
