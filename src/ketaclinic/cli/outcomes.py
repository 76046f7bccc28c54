"""``ketaclinic refresh-outcomes``: rebuild the stored course outcomes (a database command)."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    refresh = subcommands.add_parser(
        "refresh-outcomes", help="recompute every course's stored outcomes as of now"
    )
    refresh.set_defaults(handler=_refresh)


def _refresh(args: argparse.Namespace) -> int:
    from ketaclinic.cli.database import _call

    return _call("refresh_outcomes")
