"""Settings from the environment, parsed strictly.

A clinic's deployment is configured with ``KETACLINIC_*`` variables. Every value is checked at
start-up: a typo stops the process with a message naming the variable, rather than running a
clinic with a silently ignored setting.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "SETTINGS_SPECS",
    "Environment",
    "SettingSpec",
    "development_field_key",
    "parse_field_keys",
]

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("expected one of true/false, yes/no, on/off, 1/0")


def parse_int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise ValueError("expected a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"expected a number from {low} to {high}")
        return value

    return parse


def parse_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_timezone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected an IANA time zone such as Europe/Zurich") from None
    return text.strip()


def parse_choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return value

    return parse


def parse_database_url(text: str) -> str:
    value = text.strip()
    if not value.startswith(("sqlite:", "postgres://", "postgresql://")):
        raise ValueError("expected sqlite:///path or postgresql://user@host:port/name")
    return value


def parse_public_url(text: str) -> str:
    value = text.strip().rstrip("/")
    if not value.startswith(("https://", "http://")) or "?" in value or "#" in value:
        raise ValueError("expected the clinic's address, e.g. https://clinic.example.org")
    return value


def parse_field_keys(text: str) -> list[str]:
    """Fernet keys, comma-separated: the first encrypts, every one decrypts (rotation).

    A Fernet key is 32 random bytes in url-safe base64 (44 characters). The message never
    repeats a key, so a typo does not print a secret to the terminal or the logs.
    """
    keys = parse_list(text)
    if not keys:
        raise ValueError("expected one or more Fernet keys, comma-separated")
    for number, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                f"key {number} of {len(keys)} is not a Fernet key (44 characters of url-safe "
                "base64; `ketaclinic enquiries new-key` makes one)"
            )
    if len(set(keys)) != len(keys):
        raise ValueError("a key is listed twice")
    return keys


def development_field_key(secret_key: str) -> str:
    """A Fernet key derived from the development SECRET_KEY, the same on every start.

    Development only: anyone with the secret key can decrypt, and a new secret key (deleting
    ``var/secret_key``) makes the stored enquiries unreadable. Production sets its own keys.
    """
    digest = hashlib.sha256(b"ketaclinic.field-keys.v1\0" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class SettingSpec:
    """One documented environment variable: the README's configuration table is built from these."""

    name: str
    default: str
    description: str


SETTINGS_SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("KETACLINIC_ENV", "development", "development or production"),
    SettingSpec(
        "KETACLINIC_DATABASE_URL",
        "sqlite:///var/ketaclinic.sqlite3",
        "database; SQLite by default, postgresql://... in production",
    ),
    SettingSpec(
        "KETACLINIC_DATABASE_POOL_SIZE",
        "(unset: persistent connections)",
        "PostgreSQL only: a psycopg connection pool of at most this many per process (1-100)",
    ),
    SettingSpec(
        "KETACLINIC_SECRET_KEY", "(generated in var/ for development)", "required in production"
    ),
    SettingSpec("KETACLINIC_ALLOWED_HOSTS", "localhost,127.0.0.1", "comma-separated host names"),
    SettingSpec("KETACLINIC_DEBUG", "false", "Django debug pages (never in production)"),
    SettingSpec("KETACLINIC_SESSION_IDLE_MINUTES", "15", "log out after this many idle minutes"),
    SettingSpec(
        "KETACLINIC_WEIGHT_STALE_DAYS", "30", "flag a dosing weight older than this (1-365 days)"
    ),
    SettingSpec("KETACLINIC_TIME_ZONE", "UTC", "server time zone; each site has its own"),
    SettingSpec("KETACLINIC_LOG_LEVEL", "info", "debug, info, warning or error"),
    SettingSpec(
        "KETACLINIC_TRUSTED_PROXIES", "0", "reverse proxies in front (for client addresses)"
    ),
    SettingSpec("KETACLINIC_DATA_DIR", "var", "where SQLite, the dev secret key and uploads live"),
    SettingSpec("KETACLINIC_CRISIS_TEXT", "(988, US)", "crisis resources shown to patients"),
    SettingSpec("KETACLINIC_CRISIS_PHONE", "988", "crisis line number, a tel: link in that text"),
    SettingSpec(
        "KETACLINIC_SENDER", "console (file in production)", "outbound: console, file or smtp"
    ),
    SettingSpec(
        "KETACLINIC_SMTP_URL", "", "smtp://user:password@host:587?tls=true (or smtps://...:465)"
    ),
    SettingSpec("KETACLINIC_MAIL_FROM", "Ketaclinic <ketaclinic@localhost>", "sender address"),
    SettingSpec("KETACLINIC_SMS_WEBHOOK_URL", "", "SMS/paging gateway: JSON POST per text message"),
    SettingSpec("KETACLINIC_SMS_WEBHOOK_TOKEN", "", "Bearer token for that webhook"),
    SettingSpec(
        "KETACLINIC_PUBLIC_URL", "http://localhost:8000", "the address patients' links start with"
    ),
    SettingSpec(
        "KETACLINIC_FIELD_KEYS",
        "(derived from the secret key in development)",
        "Fernet keys for enquiries at rest, comma-separated (first encrypts); production",
    ),
    SettingSpec(
        "KETACLINIC_AUDIT_KEY",
        "(derived from the secret key in development)",
        "the audit chain's HMAC key, kept outside the database; production",
    ),
    SettingSpec(
        "KETACLINIC_AUDIT_RETIRED_KEYS",
        "",
        "audit keys retired by a rotation, comma-separated: they verify, never chain",
    ),
    SettingSpec(
        "KETACLINIC_AUDIT_CHAIN_GRACE_SECONDS",
        "10",
        "audit verify fails when an event waits longer than this to be chained",
    ),
)


class Environment:
    """Typed, strict reads of ``KETACLINIC_*`` variables; errors name the variable."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = os.environ if values is None else values

    def raw(self, name: str) -> str | None:
        value = self._values.get(name)
        return value if value not in (None, "") else None

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        text = self.raw(name)
        if text is None:
            return default
        try:
            return parse(text)
        except ValueError as error:
            raise ImproperlyConfigured(f"{name}={text!r}: {error}") from None

    def secret(self, name: str, parse: Callable[[str], T], default: T) -> T:
        """As ``get``, but an error names the variable without repeating its (secret) value."""
        text = self.raw(name)
        if text is None:
            return default
        try:
            return parse(text)
        except ValueError as error:
            raise ImproperlyConfigured(f"{name}: {error}") from None

    def data_dir(self) -> Path:
        return Path(self.get("KETACLINIC_DATA_DIR", str, "var")).resolve()
