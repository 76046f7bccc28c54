"""``ketaclinic billing check-authorizations``: for cron, once a day.

Marks approved prior authorizations past their end as expired and raises one alert for each
authorization about to end (within its site's warning days) and one when its authorised
sessions are nearly used. Idempotent: a second run raises nothing new. ``--now`` (ISO 8601
with an offset) replays a moment; a bad ``--now`` is exit status 2 with one line on stderr.
"""

from __future__ import annotations

import argparse

from ketaclinic.cli.cron import add_job, answer, job_group, job_moment

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    actions = job_group(subcommands, "billing", help="prior authorizations and claims data")
    help = "expire ended authorizations; alert on those about to lapse (cron, daily)"
    add_job(actions, "check-authorizations", _check, help=help)


def _check(args: argparse.Namespace) -> int:
    moment = job_moment(args)
    from ketaclinic.apps.billing.authorizations import check_authorizations

    run = check_authorizations(moment)
    text = f"expired {run.expired}, alerted {run.date_alerts} ending soon, {run.count_alerts} "
    return answer(args, run, text + "nearly used")
