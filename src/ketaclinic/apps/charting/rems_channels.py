"""How a site's REMS forms leave: one adapter per channel kind, chosen per site.

Each adapter takes the PDF and returns the provider's reference, or raises
``ChannelFailed`` (with the HTTP status, if any). The HTTP adapters speak JSON over POST with
the site's secret as a bearer token:

- ``FaxApiChannel``: a fax provider's send-fax API (``{"to", "file_name", "file_base64"}``,
  the shape of the common providers' JSON endpoints, or a small relay in front of one);
- ``EmailToFaxChannel``: an e-mail-to-fax service's HTTP mail API: the fax number becomes
  ``<digits>@<domain>`` and the PDF an attachment;
- ``OutboxChannel``: writes the PDF to a folder (development, the demo): nothing leaves.

``channel_for(setting)`` is the one chokepoint: tests point a site at a local HTTP server.
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ketaclinic.apps.charting.choices import RemsChannelKind

__all__ = [
    "ChannelFailed",
    "EmailToFaxChannel",
    "FaxApiChannel",
    "OutboxChannel",
    "RemsChannel",
    "RemsDocument",
    "channel_for",
]

TIMEOUT_SECONDS = 15


class ChannelFailed(Exception):
    """The form did not leave; ``http_status`` is the provider's answer, if there was one."""

    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status


@dataclass(frozen=True)
class RemsDocument:
    file_name: str
    pdf: bytes
    reference: str


class RemsChannel(Protocol):
    @property
    def kind(self) -> str: ...

    def send(self, document: RemsDocument) -> str: ...


def _post_json(url: str, payload: dict, secret: str) -> tuple[int, dict]:
    if not url.startswith(("https://", "http://")):
        raise ChannelFailed("the channel has no http:// or https:// address")
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "ketaclinic"},
    )
    if secret:
        request.add_header("Authorization", f"Bearer {secret}")
    try:
        with urllib.request.urlopen(  # noqa: S310  # nosec B310 - http(s) only, checked above
            request, timeout=TIMEOUT_SECONDS
        ) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raise ChannelFailed(f"the provider answered HTTP {error.code}", error.code) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ChannelFailed(f"could not reach the provider ({type(reason).__name__})") from None
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    return status, answer if isinstance(answer, dict) else {}


def _reference(answer: dict, fallback: str) -> str:
    return str(answer.get("id") or answer.get("reference") or fallback)[:120]


class FaxApiChannel:
    kind = RemsChannelKind.FAX_API

    def __init__(self, url: str, secret: str, fax_number: str) -> None:
        self.url, self.secret, self.fax_number = url, secret, fax_number

    def send(self, document: RemsDocument) -> str:
        _, answer = _post_json(
            self.url,
            {
                "to": self.fax_number,
                "file_name": document.file_name,
                "file_base64": base64.b64encode(document.pdf).decode("ascii"),
                "client_reference": document.reference,
            },
            self.secret,
        )
        return _reference(answer, document.reference)


class EmailToFaxChannel:
    kind = RemsChannelKind.EMAIL_TO_FAX

    def __init__(self, url: str, secret: str, fax_number: str, domain: str) -> None:
        if not domain:
            raise ChannelFailed("the e-mail-to-fax channel has no fax domain")
        digits = re.sub(r"\D", "", fax_number)
        self.url, self.secret, self.address = url, secret, f"{digits}@{domain}"

    def send(self, document: RemsDocument) -> str:
        _, answer = _post_json(
            self.url,
            {
                "to": self.address,
                "subject": f"SPRAVATO REMS Patient Monitoring Form {document.reference}",
                "attachments": [
                    {
                        "file_name": document.file_name,
                        "content_type": "application/pdf",
                        "content_base64": base64.b64encode(document.pdf).decode("ascii"),
                    }
                ],
            },
            self.secret,
        )
        return _reference(answer, document.reference)


class OutboxChannel:
    kind = RemsChannelKind.OUTBOX

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def send(self, document: RemsDocument) -> str:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = self.directory / f"{uuid.uuid4().hex}-{document.file_name}"
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(document.pdf)
        except OSError as error:
            raise ChannelFailed(f"could not write to the outbox: {error.strerror}") from None
        return f"outbox:{path.name}"


def channel_for(setting, outbox_dir: Path | str) -> RemsChannel:
    """The adapter a site's REMS setting names; ``ChannelFailed`` when none is configured."""
    if setting is None or setting.channel == RemsChannelKind.NONE:
        raise ChannelFailed("no REMS channel is configured for this site")
    if setting.channel == RemsChannelKind.OUTBOX:
        return OutboxChannel(outbox_dir)
    if not setting.endpoint_url:
        raise ChannelFailed("the REMS channel has no provider address")
    if setting.channel == RemsChannelKind.EMAIL_TO_FAX:
        return EmailToFaxChannel(
            setting.endpoint_url, setting.secret(), setting.fax_number, setting.email_domain
        )
    return FaxApiChannel(setting.endpoint_url, setting.secret(), setting.fax_number)
