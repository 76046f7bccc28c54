"""``ketaclinic jobs work|clean``: the background worker and the clean-up of old results.

``work`` makes every waiting job (a large ledger PDF) and stops when none is left: run it from
cron every minute, or under a process supervisor with ``--forever``. Workers may run on
several machines at once: each job is taken under a lease, so no two make the same one.
``clean`` deletes jobs whose result expired (a day after it was made); run it nightly.
"""

from __future__ import annotations

import argparse
import time

__all__ = ["register"]


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a whole number") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"{value} must be from 1 to 10000")
    return value


def register(subcommands: argparse._SubParsersAction) -> None:
    jobs = subcommands.add_parser("jobs", help="background jobs (large PDF reports)")
    actions = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    work = actions.add_parser("work", help="make the waiting jobs, then stop")
    work.add_argument("--max-jobs", type=_count, help="stop after this many jobs")
    work.add_argument(
        "--forever", action="store_true", help="keep waiting for jobs (for a supervisor)"
    )
    work.add_argument("--json", action="store_true")
    work.set_defaults(handler=_work)
    clean = actions.add_parser("clean", help="delete jobs whose result expired")
    clean.add_argument("--json", action="store_true")
    clean.set_defaults(handler=_clean)


def _setup() -> None:
    from ketaclinic.cli.database import _setup_django

    _setup_django()


def _work(args: argparse.Namespace) -> int:
    _setup()
    from ketaclinic.apps.jobs.work import work
    from ketaclinic.cli.output import print_json

    done = failed = 0
    while True:
        result = work(max_jobs=args.max_jobs)
        done, failed = done + result.done, failed + result.failed
        if not args.forever:
            break
        time.sleep(2)
    if args.json:
        print_json({"done": done, "failed": failed})
    else:
        print(f"{done} job(s) done, {failed} failed or put back to try again.")
    return 0


def _clean(args: argparse.Namespace) -> int:
    _setup()
    from ketaclinic.apps.jobs.work import clean_expired
    from ketaclinic.cli.output import print_json

    deleted = clean_expired()
    if args.json:
        print_json({"deleted": deleted})
    else:
        print(f"Deleted {deleted} expired job(s).")
    return 0
