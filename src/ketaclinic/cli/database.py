"""Subcommands that need the database: they configure Django only when they run.

``KETACLINIC_DATABASE_URL`` selects the database for all of them (SQLite by default).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["register"]


def _setup_django() -> None:
    """Configure Django from the environment; a bad setting stops here with one clear line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        print(f"ketaclinic: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from error


def _call(*args: str) -> int:
    _setup_django()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(*args)
    except CommandError as error:
        print(f"ketaclinic: error: {error}", file=sys.stderr)
        return 2
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must not be negative")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (1-65535)")
    return value


def register(subcommands: argparse._SubParsersAction) -> None:
    migrate = subcommands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(handler=_migrate)

    demo = subcommands.add_parser("demo", help="seed a synthetic demo clinic (once)")
    demo.add_argument("--patients", type=_positive_int, default=200, help="default 200")
    demo.add_argument("--seed", type=_positive_int, default=20261122, help="random seed")
    demo.add_argument("--force", action="store_true", help="add a demo clinic even if seeded")
    demo.add_argument("--timings", action="store_true", help="seconds per step, to stderr")
    demo.add_argument(
        "--progress", action="store_true", help="progress bar on stderr (always on a terminal)"
    )
    demo.set_defaults(handler=_demo)

    serve = subcommands.add_parser("serve", help="serve the web application (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="gunicorn processes (default: 1 on SQLite, 2 on PostgreSQL; docs/scaling.md)",
    )
    serve.set_defaults(handler=_serve)

    check = subcommands.add_parser("check", help="run Django's system checks")
    check.add_argument("--deploy", action="store_true", help="include production checks")
    check.set_defaults(handler=_check)


def _migrate(args: argparse.Namespace) -> int:
    return (
        _call("migrate", "--no-input", "-v", "1")
        or _call("createcachetable")
        or _gather_planner_statistics(postgresql=False)
    )


def _gather_planner_statistics(*, postgresql: bool) -> int:
    """SQLite keeps no planner statistics unless asked (``web/planner_statistics``)."""
    from ketaclinic.apps.web.planner_statistics import gather_planner_statistics

    gather_planner_statistics(postgresql=postgresql)
    return 0


def _demo(args: argparse.Namespace) -> int:
    arguments = ["seed_demo", "--patients", str(args.patients), "--seed", str(args.seed)]
    if args.force:
        arguments.append("--force")
    if args.timings:
        arguments.append("--timings")
    if args.progress:
        arguments.append("--progress")
    # After a bulk load the planner's statistics are stale on both databases.
    return _call(*arguments) or _gather_planner_statistics(postgresql=True)


def _check(args: argparse.Namespace) -> int:
    return _call("check", "--fail-level", "WARNING", *(["--deploy"] if args.deploy else []))


def _serve(args: argparse.Namespace) -> int:
    _setup_django()
    from django.db import connection

    from ketaclinic.config.serving import serve

    return serve(
        host=args.host, port=args.port, workers=args.workers or default_workers(connection)
    )


def default_workers(connection: Any) -> int:
    """One process on SQLite, whose single write lock several processes only queue for
    (measured: 1 process served the audited API read faster than 2 or 4); two on PostgreSQL,
    one per core of the reference machine."""
    return 1 if connection.vendor == "sqlite" else 2
