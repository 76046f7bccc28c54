"""``ketaclinic enquiries new-key`` and ``ketaclinic enquiries rotate-key``.

Enquiries are stored encrypted with the keys in ``KETACLINIC_FIELD_KEYS`` (the first
encrypts, every one decrypts). To rotate: ``new-key``, put the new key first in the variable
(keeping the old one after it), restart, ``rotate-key``, then remove the old key. ``new-key``
needs no database; ``rotate-key`` stops with exit status 2 and one line on stderr when a stored
value opens with none of the keys.
"""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["register"]


def register(subcommands: argparse._SubParsersAction) -> None:
    enquiries = subcommands.add_parser(
        "enquiries", help="keys of the waitlist's encryption at rest"
    )
    actions = enquiries.add_subparsers(dest="enquiries_command", required=True, metavar="ACTION")
    new_key = actions.add_parser("new-key", help="print a new random Fernet key")
    new_key.set_defaults(handler=_new_key)
    rotate = actions.add_parser(
        "rotate-key", help="re-encrypt every enquiry with the first key of KETACLINIC_FIELD_KEYS"
    )
    rotate.add_argument("--json", action="store_true", help="print JSON for scripts")
    rotate.set_defaults(handler=_rotate)


def _new_key(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode("ascii"))
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from ketaclinic.cli.database import _setup_django

    _setup_django()
    from ketaclinic.apps.enquiries.encrypted_fields import UndecryptableValue
    from ketaclinic.apps.enquiries.key_rotation import rotate_enquiry_keys

    try:
        rewritten = rotate_enquiry_keys()
    except UndecryptableValue as error:
        print(f"ketaclinic: error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"reencrypted": rewritten}))
    else:
        print(f"Re-encrypted {rewritten} enquiries with the first key.")
    return 0
