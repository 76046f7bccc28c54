"""``ketaclinic audit verify|chain|checkpoint|rotate-key|new-key|app-role-sql``: the chain.

``chain`` gives waiting events their position and MAC (run from cron; requests do it too).
``checkpoint`` verifies, then writes the signed head for write-once storage. ``verify`` checks
the chain, every checkpoint given, and that nothing waits unchained past the grace period.
``rotate-key`` seals the chain under the current key (a checkpoint) and prints a new key with
the settings that retire the old one: events chained from then on name the new key, and the
old one, in ``KETACLINIC_AUDIT_RETIRED_KEYS``, only verifies.
Exit status: 0 intact, 1 broken, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import base64
import secrets
import sys
from pathlib import Path

__all__ = ["register"]

#: ``--since-checkpoint`` given without a FILE: start at the newest verified checkpoint stored.
STORED = ""


def _grace(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"{value} must be from 0 to 86400 seconds")
    return value


def register(subcommands: argparse._SubParsersAction) -> None:
    audit = subcommands.add_parser("audit", help="the tamper-evident audit trail")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")

    verify = actions.add_parser("verify", help="check the keyed chain (and checkpoints)")
    verify.add_argument(
        "--checkpoint", action="append", default=[], metavar="FILE", help="repeatable"
    )
    verify.add_argument(
        "--since-checkpoint",
        nargs="?",
        const=STORED,
        metavar="FILE",
        help="verify only what follows this checkpoint file, or without FILE the newest "
        "verified checkpoint recorded in the database (in full if there is none); events "
        "before it are re-checked only by the full run",
    )
    verify.add_argument("--grace-seconds", type=_grace, help="allowed wait for chaining")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(handler=_verify)

    chain = actions.add_parser("chain", help="chain waiting events (cron)")
    chain.add_argument("--json", action="store_true")
    chain.set_defaults(handler=_chain)

    checkpoint = actions.add_parser("checkpoint", help="verify, then write the signed head")
    checkpoint.add_argument("--out", metavar="FILE", help="write here (default: stdout)")
    checkpoint.add_argument(
        "--since-checkpoint", metavar="FILE", help="verify from this checkpoint, not in full"
    )
    checkpoint.set_defaults(handler=_checkpoint)

    rotate = actions.add_parser(
        "rotate-key", help="seal the chain with a checkpoint, then print a new key to use"
    )
    rotate.add_argument("--out", required=True, metavar="FILE", help="the sealing checkpoint")
    rotate.add_argument(
        "--since-checkpoint", metavar="FILE", help="verify from this checkpoint, not in full"
    )
    rotate.set_defaults(handler=_rotate_key)

    new_key = actions.add_parser("new-key", help="print a new random KETACLINIC_AUDIT_KEY")
    new_key.set_defaults(handler=_new_key)

    role = actions.add_parser(
        "app-role-sql", help="print the grants for the application's PostgreSQL role"
    )
    role.add_argument("role", help="the application role (not the schema owner)")
    role.set_defaults(handler=_app_role_sql)


def _setup() -> None:
    from ketaclinic.cli.database import _setup_django

    _setup_django()


def _checkpoints(paths: list[str]):
    from ketaclinic.apps.audit.checkpoints import read_checkpoint

    return [read_checkpoint(path) for path in paths]


def _print_report(report, as_json: bool) -> int:
    from ketaclinic.cli.output import print_json

    if as_json:
        print_json(report.as_dict())
    else:
        print(report.summary())
    return 0 if report.ok else 1


def _verify(args: argparse.Namespace) -> int:
    _setup()
    from ketaclinic.apps.audit.keyedchain import CheckpointError
    from ketaclinic.apps.audit.verification import (
        verify_audit_chain,
        verify_audit_chain_since_checkpoint,
    )

    try:
        checkpoints = _checkpoints(args.checkpoint)
        since = _checkpoints([args.since_checkpoint])[0] if args.since_checkpoint else None
    except CheckpointError as error:
        print(f"ketaclinic: error: {error}", file=sys.stderr)
        return 2
    if args.since_checkpoint == STORED:
        report = verify_audit_chain_since_checkpoint(checkpoints, args.grace_seconds)
    else:
        report = verify_audit_chain(
            checkpoints, since=since, grace_seconds=args.grace_seconds, record=True
        )
    if not args.json:
        for note in report.notes:
            print(f"note: {note}")
    return _print_report(report, args.json)


def _chain(args: argparse.Namespace) -> int:
    _setup()
    from ketaclinic.apps.audit.chaining import chain_pending
    from ketaclinic.cli.output import print_json

    result = chain_pending(durable=True)
    if args.json:
        print_json({"chained": result.chained, "busy": result.busy})
    elif result.busy:
        print(f"Chained {result.chained} event(s); another chainer is at work.")
    else:
        print(f"Chained {result.chained} event(s).")
    return 0


def _checkpoint(args: argparse.Namespace) -> int:
    _setup()
    from ketaclinic.apps.audit.checkpoints import checkpoint_json

    signed = _signed_since(args, "checkpoint")
    if isinstance(signed, int):
        return signed
    text = checkpoint_json(signed)
    if not args.out:
        sys.stdout.write(text)
        return 0
    if not _write_new(args.out, text):
        return 2
    print(f"Checkpoint at position {signed['position']} written to {args.out}")
    return 0


def _signed_since(args: argparse.Namespace, what: str) -> dict | int:
    """A checkpoint signed now, since ``--since-checkpoint`` if given; else the exit status
    after one line on stderr: 2 for a bad checkpoint file, 1 when there is no ``what``."""
    from ketaclinic.apps.audit.checkpoints import make_checkpoint
    from ketaclinic.apps.audit.keyedchain import CheckpointError

    try:
        since = _checkpoints([args.since_checkpoint])[0] if args.since_checkpoint else None
    except CheckpointError as error:
        print(f"ketaclinic: error: {error}", file=sys.stderr)
        return 2
    report, signed = make_checkpoint(since)
    if signed is None:
        print(f"ketaclinic: no {what}: {report.summary()}", file=sys.stderr)
        return 1
    return signed


def _write_new(path: str, text: str) -> bool:
    try:
        with Path(path).open("x", encoding="utf-8") as handle:  # never overwrite one
            handle.write(text)
    except OSError as error:
        print(f"ketaclinic: error: --out: {path}: {error.strerror}", file=sys.stderr)
        return False
    return True


def _rotate_key(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings

    from ketaclinic.apps.audit.checkpoints import checkpoint_json
    from ketaclinic.apps.audit.keyedchain import key_id

    if Path(args.out).exists():
        print(f"ketaclinic: error: --out: {args.out}: already exists", file=sys.stderr)
        return 2
    signed = _signed_since(args, "rotation")
    if isinstance(signed, int):
        return signed
    if not _write_new(args.out, checkpoint_json(signed)):
        return 2
    new = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    retired = "<the current KETACLINIC_AUDIT_KEY>"
    if settings.KETACLINIC_AUDIT_RETIRED_KEYS:
        retired += ",<the keys already in KETACLINIC_AUDIT_RETIRED_KEYS>"
    print(
        f"Chain sealed at position {signed['position']} under audit key {signed['key_id']} "
        f"(checkpoint {args.out}).\n"
        "On every server, set these two and restart (events then name the new key):\n"
        f"  KETACLINIC_AUDIT_KEY={new}\n"
        f"  KETACLINIC_AUDIT_RETIRED_KEYS={retired}\n"
        f"New key id: {key_id(base64.urlsafe_b64decode(new))}"
    )
    return 0


def _new_key(args: argparse.Namespace) -> int:
    print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"))
    return 0


def _app_role_sql(args: argparse.Namespace) -> int:
    from ketaclinic.apps.audit.database_roles import app_role_grants

    try:
        statements = app_role_grants(args.role)
    except ValueError as error:
        print(f"ketaclinic: error: role: {error}", file=sys.stderr)
        return 2
    print("\n".join(f"{statement};" for statement in statements))
    return 0
