"""Register, list and retire SMART Backend Services clients; make a client's key and JWT.

``fhir_clients keygen registry --out keys/`` writes ``registry.private.pem`` and
``registry.jwks.json`` (ES384); then ``fhir_clients add registry --name "Outcomes registry"
--account director --jwks keys/registry.jwks.json --scopes "system/Patient.rs
system/Observation.rs"``; the client's script runs ``fhir_clients assertion registry --key
keys/registry.private.pem --aud <base>/fhir/auth/token`` for each token request.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.web import clock
from ketaclinic.fhir import smart, smart_client
from ketaclinic.fhir.models import BackendClient


class Command(BaseCommand):
    help = "Register (add), list or retire SMART Backend Services clients of the FHIR API."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["add", "list", "retire", "keygen", "assertion"])
        parser.add_argument("client_id", nargs="?")
        parser.add_argument("--name", default="")
        parser.add_argument("--account", help="username whose roles and sites the client uses")
        parser.add_argument("--jwks", help="a JSON file with the client's public keys")
        parser.add_argument("--scopes", default="", help='e.g. "system/*.rs"')
        parser.add_argument("--out", default=".", help="keygen: the directory for the files")
        parser.add_argument("--key", help="assertion: the client's private key (PEM)")
        parser.add_argument("--aud", help="assertion: the token URL, .../fhir/auth/token")
        parser.add_argument("--kid", default="", help="key id (default: the client id)")

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
        if action == "keygen":
            self._keygen(options)
            return
        if action == "assertion":
            self._assertion(options)
            return
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

    def _keygen(self, options) -> None:
        out = Path(options["out"])
        if not out.is_dir():
            raise CommandError(f"--out: {out} is not a directory")
        client_id = options["client_id"]
        private, public = out / f"{client_id}.private.pem", out / f"{client_id}.jwks.json"
        if private.exists():
            raise CommandError(f"--out: {private} exists; a key is never overwritten")
        key = smart_client.new_key()
        descriptor = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(smart_client.private_pem(key))
        jwks = smart_client.public_jwks(key, options["kid"] or client_id)
        public.write_text(json.dumps(jwks, indent=2) + "\n")
        self.stdout.write(f"{private} (private: keep it with the client)")
        self.stdout.write(f"{public} (public: register it with add --jwks)")

    def _assertion(self, options) -> None:
        if not options["aud"]:
            raise CommandError("--aud: give the token URL, e.g. https://host/fhir/auth/token")
        try:
            key = smart_client.load_key(Path(options["key"] or "").read_bytes())
        except (OSError, ValueError, TypeError) as problem:
            raise CommandError(f"--key: cannot read an ES384 private key ({problem})") from None
        client_id = options["client_id"]
        kid = options["kid"] or client_id
        self.stdout.write(smart_client.client_assertion(key, client_id, options["aud"], kid))
