"""Register, list and retire SMART Backend Services clients.

``fhir_clients add registry --name "Outcomes registry" --account director
--jwks registry.jwks.json --scopes "system/Patient.rs system/Observation.rs"``
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.web import clock
from ketaclinic.fhir import smart
from ketaclinic.fhir.models import BackendClient


class Command(BaseCommand):
    help = "Register (add), list or retire SMART Backend Services clients of the FHIR API."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["add", "list", "retire"])
        parser.add_argument("client_id", nargs="?")
        parser.add_argument("--name", default="")
        parser.add_argument("--account", help="username whose roles and sites the client uses")
        parser.add_argument("--jwks", help="a JSON file with the client's public keys")
        parser.add_argument("--scopes", default="", help='e.g. "system/*.rs"')

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "list":
            for client in BackendClient.objects.select_related("account"):
                state = "active" if client.active else "retired"
                self.stdout.write(
                    f"{client.client_id}\t{state}\t{client.account.username}\t{client.scopes}"
                )
            return
        if not options["client_id"]:
            raise CommandError("client_id: give the client's id")
        if action == "retire":
            if not BackendClient.objects.filter(client_id=options["client_id"]).update(
                active=False
            ):
                raise CommandError(f"client_id: no client {options['client_id']!r}")
            self.stdout.write(f"{options['client_id']} retired.")
            return
        self._add(options)

    def _add(self, options) -> None:
        account = User.objects.filter(username=options["account"] or "").first()
        if account is None:
            raise CommandError("--account: no such staff account")
        try:
            jwks = json.loads(Path(options["jwks"] or "").read_text())
        except (OSError, ValueError) as problem:
            raise CommandError(f"--jwks: cannot read a JSON key set ({problem})") from None
        if not isinstance(jwks, dict) or not jwks.get("keys"):
            raise CommandError('--jwks: give {"keys": [...]}')
        try:
            smart.granted_scopes(options["scopes"], options["scopes"])
        except smart.AuthError as problem:
            raise CommandError(f"--scopes: {problem.description}") from None
        client, created = BackendClient.objects.update_or_create(
            client_id=options["client_id"],
            defaults={
                "name": options["name"] or options["client_id"],
                "account": account,
                "jwks": jwks,
                "scopes": options["scopes"],
                "active": True,
                "created_at": clock.now(),
            },
        )
        self.stdout.write(f"{client.client_id} {'registered' if created else 'updated'}.")
