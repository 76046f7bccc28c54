"""``ketaclinic billing check-authorizations``: for cron, once a day.

Marks approved prior authorizations past their end as expired and raises one alert for each
authorization about to end (within its site's warning days) and one when its authorised
sessions are nearly used. Idempotent: a second run raises nothing new. ``--now`` (ISO 8601
with an offset) replays a moment; a bad ``--now`` is exit status 2 with one line on stderr.
"""

from __future__ import annotations

import argparse

from ketaclinic.cli.reminders import parse_now

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    billing = subcommands.add_parser("billing", help="prior authorizations and claims data")
    actions = billing.add_subparsers(dest="billing_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check-authorizations",
        help="expire ended authorizations; alert on those about to lapse (cron, daily)",
    )
    check.add_argument("--now", metavar="ISO", help="act as of this moment (default: now)")
    check.add_argument("--json", action="store_true", help="print JSON for scripts")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    moment = parse_now(args.now)
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.billing.authorizations import check_authorizations
    from ketaclinic.apps.web import clock
    from ketaclinic.cli.output import print_json

    run = check_authorizations(moment or clock.now())
    counts = {
        "expired": run.expired,
        "date_alerts": run.date_alerts,
        "count_alerts": run.count_alerts,
    }
    if args.json:
        print_json(counts)
    else:
        print(
            f"expired {run.expired}, alerted {run.date_alerts} ending soon, "
            f"{run.count_alerts} nearly used"
        )
    return 0
