"""``ketaclinic accounts reset-mfa USER`` and ``ketaclinic accounts unlock USER``.

For the server's operator when no medical director can help: the only director lost both
phone and recovery codes, or a user name is locked out after wrong passwords. Both are
recorded in the audit trail (by ``system``). An unknown user name exits with status 2 and one
line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    accounts = subcommands.add_parser("accounts", help="staff accounts: two-factor, lock-outs")
    actions = accounts.add_subparsers(dest="accounts_command", required=True, metavar="ACTION")
    reset = actions.add_parser(
        "reset-mfa", help="forget a user's authenticator and recovery codes (they enrol again)"
    )
    reset.add_argument("username")
    reset.add_argument("--json", action="store_true", help="print JSON for scripts")
    reset.set_defaults(handler=_reset_mfa)
    unlock = actions.add_parser(
        "unlock", help="clear a user name's failed log-ins and two-factor codes"
    )
    unlock.add_argument("username")
    unlock.add_argument("--json", action="store_true", help="print JSON for scripts")
    unlock.set_defaults(handler=_unlock)


def _user(username: str):
    from ketaclinic.apps.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        print(f"ketaclinic: error: username: no account {username!r}", file=sys.stderr)
    return user


def _reset_mfa(args: argparse.Namespace) -> int:
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from django.db import transaction

    from ketaclinic.apps.accounts.mfa import reset_mfa
    from ketaclinic.apps.audit.choices import Action
    from ketaclinic.apps.audit.recorder import record_event

    user = _user(args.username)
    if user is None:
        return 2
    with transaction.atomic():
        reset_mfa(user)
        record_event(
            None,
            Action.UPDATE,
            object_type="user",
            object_id=user.pk,
            detail={"via": "command_line", "change": "mfa_reset"},
        )
    _report(args, {"username": user.username, "mfa_reset": True}, "two-factor log-in reset")
    return 0


def _unlock(args: argparse.Namespace) -> int:
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.accounts import throttling
    from ketaclinic.apps.audit.choices import Action
    from ketaclinic.apps.audit.recorder import record_event

    user = _user(args.username)
    if user is None:
        return 2
    throttling.clear(throttling.LOGIN_ACCOUNT, user.username)
    throttling.clear(throttling.MFA_ACCOUNT, str(user.pk))
    throttling.clear(throttling.WITNESS_ACCOUNT, user.username)
    record_event(
        None,
        Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        detail={"via": "command_line", "change": "unlocked"},
    )
    _report(args, {"username": user.username, "unlocked": True}, "unlocked")
    return 0


def _report(args: argparse.Namespace, data: dict, words: str) -> None:
    if args.json:
        print(json.dumps(data))
    else:
        print(f"{data['username']}: {words}.")
