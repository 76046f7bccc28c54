"""``ketaclinic reminders plan`` and ``ketaclinic reminders send``: for cron, every few minutes.

Both are idempotent: planning twice adds nothing, sending twice sends nothing twice.
``--now`` (an ISO 8601 time with its offset) replays a moment, for tests and for catching up;
``send --dry-run`` says what would happen without sending or writing. A bad ``--now`` is
exit status 2 with one line on stderr; nothing is read from the database before that check.
"""

from __future__ import annotations

import argparse

from ketaclinic.cli.cron import add_job, answer, job_group, job_moment

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    actions = job_group(
        subcommands, "reminders", help="plan and send appointment and questionnaire reminders"
    )

    add_job(actions, "plan", _plan, help="plan reminders from the schedule and open links")
    send = add_job(actions, "send", _send, help="send the reminders that are due")
    send.add_argument("--dry-run", action="store_true", help="decide, but send and store nothing")


def _plan(args: argparse.Namespace) -> int:
    moment = job_moment(args)
    from ketaclinic.apps.reminders.planning import plan_reminders

    report = plan_reminders(moment)
    return answer(args, report.as_dict(), report.summary())


def _send(args: argparse.Namespace) -> int:
    moment = job_moment(args)
    from ketaclinic.apps.reminders.delivery import send_due_reminders

    report = send_due_reminders(moment, dry_run=args.dry_run)
    return answer(args, report.as_dict(), report.summary())
