"""``ketaclinic accounts reset-mfa USER``, ``unlock USER`` and ``token create|list|revoke``.

For the server's operator when no medical director can help: the only director lost both
phone and recovery codes, or a user name is locked out after wrong passwords. Both are
recorded in the audit trail (by ``system``). An unknown user name exits with status 2 and one
line on stderr.

``token create`` makes an API token for a user (a person, or a service account for a
script), scoped to permissions and sites they hold, and prints it once; ``token list`` shows
tokens by prefix (never the secret); ``token revoke`` ends one. Each is audited.
"""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    accounts = subcommands.add_parser(
        "accounts", help="staff accounts: two-factor, lock-outs, API tokens"
    )
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
    _register_tokens(actions)


def _register_tokens(actions: argparse._SubParsersAction) -> None:
    from ketaclinic.apps.accounts.token_limits import DEFAULT_DAYS, MAX_DAYS

    token = actions.add_parser("token", help="API tokens for scripts: create, list, revoke")
    steps = token.add_subparsers(dest="token_command", required=True, metavar="STEP")
    create = steps.add_parser("create", help="make a token (printed once)")
    create.add_argument("username")
    create.add_argument("--name", required=True, help="what the token is for")
    create.add_argument(
        "--permission",
        action="append",
        default=[],
        metavar="APP.CODENAME",
        help="a permission the user holds (repeat for more)",
    )
    create.add_argument(
        "--site", action="append", default=[], metavar="SLUG", help="a site (repeat for more)"
    )
    create.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"lifetime, 1 to {MAX_DAYS} days"
    )
    create.add_argument("--json", action="store_true", help="print JSON for scripts")
    create.set_defaults(handler=_token_create)
    listing = steps.add_parser("list", help="tokens with their owner, scope and state")
    listing.add_argument("--user", help="only this user's tokens")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(handler=_token_list)
    revoke = steps.add_parser("revoke", help="revoke a token by its prefix")
    revoke.add_argument("prefix", help="the 8 characters after kc_")
    revoke.add_argument("--json", action="store_true", help="print JSON for scripts")
    revoke.set_defaults(handler=_token_revoke)


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


def _token_json(token, now) -> dict:
    return {
        "id": token.pk,
        "prefix": token.prefix,
        "owner": token.owner.username,
        "name": token.name,
        "permissions": token.permissions,
        "sites": sorted(site.slug for site in token.sites.all()),
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "state": token.state(now),
    }


def _token_create(args: argparse.Namespace) -> int:
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.accounts.api_tokens import issue_token
    from ketaclinic.apps.accounts.models import Site
    from ketaclinic.apps.web import clock
    from ketaclinic.clinical.exceptions import InvalidValue

    user = _user(args.username)
    if user is None:
        return 2
    sites = dict(Site.objects.filter(slug__in=args.site).values_list("slug", "pk"))
    unknown = sorted(set(args.site) - set(sites))
    if unknown:
        raise InvalidValue("site", f"no site {unknown[0]!r}")
    token, text = issue_token(
        user,
        name=args.name,
        permissions=args.permission,
        site_ids=sites.values(),
        days=args.days,
    )
    if args.json:
        print(json.dumps({**_token_json(token, clock.now()), "token": text}))
    else:
        print(text)
        print(f"Shown once. Expires {token.expires_at:%Y-%m-%d %H:%M} UTC.", file=sys.stderr)
    return 0


def _token_list(args: argparse.Namespace) -> int:
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.accounts.api_tokens import ApiToken
    from ketaclinic.apps.web import clock
    from ketaclinic.cli.output import print_table

    tokens = ApiToken.objects.select_related("owner").prefetch_related("sites")
    if args.user:
        if _user(args.user) is None:
            return 2
        tokens = tokens.filter(owner__username=args.user)
    now = clock.now()
    rows = [_token_json(token, now) for token in tokens.order_by("owner__username", "id")]
    if args.json:
        print(json.dumps(rows))
    else:
        print_table(
            ["prefix", "owner", "name", "state", "expires", "last used"],
            [
                [
                    row["prefix"],
                    row["owner"],
                    row["name"],
                    row["state"],
                    row["expires_at"][:10],
                    (row["last_used_at"] or "never")[:16],
                ]
                for row in rows
            ],
        )
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.accounts.api_tokens import ApiToken, revoke_token

    token = ApiToken.objects.select_related("owner").filter(prefix=args.prefix).first()
    if token is None:
        print(f"ketaclinic: error: prefix: no token {args.prefix!r}", file=sys.stderr)
        return 2
    changed = revoke_token(token)
    if args.json:
        print(json.dumps({"prefix": token.prefix, "revoked": True, "already": not changed}))
    else:
        print(f"{token.prefix}: {'revoked' if changed else 'was revoked already'}.")
    return 0
