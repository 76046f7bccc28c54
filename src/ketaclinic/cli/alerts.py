"""``ketaclinic alerts escalate``: for cron, every minute.

Pages urgent alerts that were never paged, retries failed sends and pages the next person
on call for alerts still open past the site's escalation time. Idempotent: a second run at
the same moment does nothing. ``--now`` (ISO 8601 with an offset) replays a moment; a bad
``--now`` is exit status 2 with one line on stderr.
"""

from __future__ import annotations

import argparse

from ketaclinic.cli.cron import add_job, answer, job_group, job_moment

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    actions = job_group(subcommands, "alerts", help="page and escalate urgent alerts")
    help = "retry failed pages and page the next person on call (cron)"
    add_job(actions, "escalate", _escalate, help=help)


def _escalate(args: argparse.Namespace) -> int:
    moment = job_moment(args)
    from ketaclinic.apps.alerts.paging import escalate_due

    run = escalate_due(moment)
    text = f"paged {run.first_pages} new, retried {run.retries}, escalated {run.escalations}"
    return answer(args, run, text)
