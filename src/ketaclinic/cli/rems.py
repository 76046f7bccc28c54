"""``ketaclinic rems``: the SPRAVATO REMS forms, for cron and for trying a channel.

- ``rems send-due``: send the queued forms through each site's channel (retries included);
  run every few minutes. ``--now`` replays a moment (ISO 8601 with offset).
- ``rems remind``: raise REMS_DUE alerts for forms not yet sent as the 7 days run out.
- ``rems receiver``: a local stand-in for a fax provider's HTTP API (tests, demo).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ketaclinic.cli.cron import add_job, answer, job_group, job_moment

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    actions = job_group(subcommands, "rems", help="send SPRAVATO REMS forms; remind; test receiver")
    add_job(actions, "send-due", _send_due, help="send the queued REMS forms that are due")
    add_job(
        actions,
        "remind",
        _remind,
        help="raise alerts for REMS forms not sent in time",
        json=False,
    )
    receiver = actions.add_parser("receiver", help="a local fax-API stand-in (development)")
    receiver.add_argument("--port", type=int, default=8765)
    receiver.add_argument("--dir", default="var/rems-received", help="where to keep the PDFs")
    receiver.add_argument("--token", default="", help="demand this bearer token")
    receiver.add_argument("--fail", type=int, default=0, help="answer the first N with 503")
    receiver.set_defaults(handler=_receiver)


def _send_due(args: argparse.Namespace) -> int:
    moment = job_moment(args)
    from ketaclinic.apps.charting.rems_sending import send_due_forms

    report = send_due_forms(moment)
    counts = {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}
    return answer(args, counts, report.summary())


def _remind(args: argparse.Namespace) -> int:
    moment = job_moment(args)
    from ketaclinic.apps.charting.rems import raise_rems_reminders

    raised = raise_rems_reminders(moment)
    print(f"{raised} REMS reminder(s) raised")
    return 0


def _receiver(args: argparse.Namespace) -> int:  # pragma: no cover - serves until stopped
    from ketaclinic.apps.charting.rems_receiver import Receiver, start_receiver

    state = Receiver(token=args.token, fail_first=args.fail, directory=Path(args.dir))
    server, url = start_receiver(state, args.port)
    print(f"REMS receiver on {url} (PDFs in {args.dir}); Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.shutdown()
    return 0
