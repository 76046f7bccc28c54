"""``KETACLINIC_SMTP_URL``: one strict URL for the SMTP server.

``smtp://user:password@host:587?tls=true`` (STARTTLS) or ``smtps://user:password@host:465``
(TLS from the first byte). Anything we do not understand — another scheme, an unknown query
parameter, a missing host, a port out of range, both TLS modes — is refused with a message,
so a clinic never runs believing mail is encrypted when it is not. Pure Python: settings
import this before Django is set up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["SmtpConfig", "parse_smtp_url"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_DEFAULT_PORT = {"smtp": 25, "smtps": 465}
_KNOWN_PARAMETERS = {"tls", "timeout"}


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to reach the SMTP server. The password never appears in ``repr``."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    use_tls: bool = False
    use_ssl: bool = False
    timeout_seconds: int = 20


def _flag(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{name}: expected true or false")


def parse_smtp_url(text: str) -> SmtpConfig:
    """Parse ``smtp[s]://[user[:password]@]host[:port][?tls=true&timeout=20]`` strictly."""
    parts = urlsplit(text.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORT:
        raise ValueError("expected smtp://user:password@host:587?tls=true or smtps://...")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError("an SMTP URL has no path or fragment")
    host = parts.hostname
    if not host:
        raise ValueError("the SMTP URL needs a host name")
    try:
        port = parts.port or _DEFAULT_PORT[scheme]
    except ValueError:
        raise ValueError("the port must be a number from 1 to 65535") from None
    if not 1 <= port <= 65535:
        raise ValueError("the port must be a number from 1 to 65535")
    username = unquote(parts.username or "")
    password = unquote(parts.password or "")
    if password and not username:
        raise ValueError("a password needs a user name")
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
    unknown = sorted(set(query) - _KNOWN_PARAMETERS)
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r} (known: tls, timeout)")
    for name, values in query.items():
        if len(values) != 1:
            raise ValueError(f"{name}: give it once")
    use_tls = _flag("tls", query["tls"][0]) if "tls" in query else False
    if use_tls and scheme == "smtps":
        raise ValueError("smtps:// already encrypts; tls=true is for smtp:// (STARTTLS)")
    timeout = 20
    if "timeout" in query:
        try:
            timeout = int(query["timeout"][0])
        except ValueError:
            raise ValueError("timeout: expected whole seconds from 1 to 300") from None
        if not 1 <= timeout <= 300:
            raise ValueError("timeout: expected whole seconds from 1 to 300")
    return SmtpConfig(
        host=host,
        port=port,
        username=username,
        password=password,
        use_tls=use_tls,
        use_ssl=scheme == "smtps",
        timeout_seconds=timeout,
    )
