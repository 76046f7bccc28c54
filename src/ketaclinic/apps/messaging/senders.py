"""The senders: console and file for development, SMTP for a clinic, an HTTP webhook for
SMS or paging gateways, a router that picks one per channel, memory for tests.

A sender takes one ``OutboundMessage`` and delivers it or raises ``SendError``. None of them
logs a recipient, subject or body: messages to patients carry links and clinic names, and
application logs must never hold patient data (only the audit trail does).
"""

from __future__ import annotations

import base64
import email.message
import json
import logging
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from ketaclinic.apps.messaging.choices import Channel
from ketaclinic.apps.messaging.smtp_url import SmtpConfig

__all__ = [
    "ChannelNotSupported",
    "ChannelRouter",
    "ConsoleSender",
    "FileSender",
    "MemorySender",
    "OutboundMessage",
    "SendError",
    "Sender",
    "SmsApiSender",
    "SmtpSender",
    "WebhookSender",
]

logger = logging.getLogger("ketaclinic.messaging")


class SendError(Exception):
    """The message could not be handed over; the caller tells the person and keeps going."""


class ChannelNotSupported(SendError):
    """This sender cannot use the channel (an SMTP server sends e-mail, not SMS)."""


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one person: an e-mail address or a phone number, by ``channel``."""

    to: str
    subject: str
    body: str
    channel: str = Channel.EMAIL
    from_address: str = ""


class Sender(Protocol):
    """Anything with ``send(message)``; ``name`` says which kind, for logs and the audit."""

    name: str

    def send(self, message: OutboundMessage) -> None: ...


def _as_email(message: OutboundMessage) -> email.message.EmailMessage:
    mail = email.message.EmailMessage()
    mail["To"] = message.to
    mail["From"] = message.from_address or "ketaclinic@localhost"
    mail["Subject"] = message.subject
    mail["X-Ketaclinic-Channel"] = str(message.channel)
    mail.set_content(message.body)
    return mail


class ConsoleSender:
    """Print each message to standard output: development only, never in production."""

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: OutboundMessage) -> None:
        stream = self.stream or sys.stdout
        stream.write(_as_email(message).as_string())
        stream.write("\n" + "-" * 72 + "\n")
        stream.flush()
        logger.info("message handed to the console sender (channel %s)", message.channel)


class FileSender:
    """Write each message as an ``.eml`` file (SMS too, marked by a header) in ``directory``.

    For clinics without a mail server yet, and for inspecting what would be sent. Files are
    readable by the service user only: they contain links that open a patient's form.
    """

    name = "file"

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def send(self, message: OutboundMessage) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = self.directory / f"{uuid.uuid4().hex}.{message.channel}.eml"
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(_as_email(message).as_bytes())
        except OSError as error:
            raise SendError(f"could not write to the outbox: {error.strerror}") from None
        logger.info("message written to the outbox (channel %s)", message.channel)


class SmtpSender:
    """E-mail through the clinic's SMTP server, with Django's SMTP backend.

    ``connection_factory`` builds the Django e-mail backend from the config; tests pass
    Django's in-memory backend instead of opening a socket.
    """

    name = "smtp"

    def __init__(
        self,
        config: SmtpConfig,
        from_address: str,
        connection_factory: Callable[..., Any] | None = None,
    ) -> None:
        self.config = config
        self.from_address = from_address
        self.connection_factory = connection_factory

    def _connection(self) -> Any:
        factory = self.connection_factory
        if factory is None:
            from django.core.mail.backends.smtp import EmailBackend

            factory = EmailBackend
        return factory(
            host=self.config.host,
            port=self.config.port,
            username=self.config.username,
            password=self.config.password,
            use_tls=self.config.use_tls,
            use_ssl=self.config.use_ssl,
            timeout=self.config.timeout_seconds,
            fail_silently=False,
        )

    def send(self, message: OutboundMessage) -> None:
        from django.core.mail import EmailMessage

        if message.channel != Channel.EMAIL:
            raise ChannelNotSupported("the SMTP sender sends e-mail only; no SMS gateway is set")
        mail = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=message.from_address or self.from_address,
            to=[message.to],
            connection=self._connection(),
        )
        try:
            mail.send(fail_silently=False)
        except OSError as error:  # smtplib.SMTPException, ssl and socket errors are all OSError
            raise SendError(
                f"the SMTP server refused the message ({type(error).__name__})"
            ) from None
        logger.info("message handed to the SMTP server (channel %s)", message.channel)


class WebhookSender:
    """Text messages and pages through an HTTP gateway: one JSON POST per message.

    The body is ``{"to", "channel", "subject", "body"}``; any 2xx answer means the gateway
    took it. Most SMS and paging services (or a small relay in front of them) accept this
    shape; ``token`` goes in an ``Authorization: Bearer`` header when set.
    """

    name = "webhook"

    def __init__(self, url: str, *, token: str = "", timeout_seconds: float = 10) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("the paging webhook needs an http:// or https:// address")
        self.url = url
        self.token = token
        self.timeout_seconds = timeout_seconds

    def send(self, message: OutboundMessage) -> None:
        payload = {
            "to": message.to,
            "channel": str(message.channel),
            "subject": message.subject,
            "body": message.body,
        }
        request = urllib.request.Request(  # noqa: S310 (http(s) only, checked in __init__)
            self.url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "ketaclinic"},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(  # noqa: S310  # nosec B310 - http(s) only, checked in __init__
                request, timeout=self.timeout_seconds
            ) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise SendError(f"the paging webhook answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SendError(
                f"could not reach the paging webhook ({type(reason).__name__})"
            ) from None
        logger.info("message handed to the paging webhook (channel %s)", message.channel)


class SmsApiSender:
    """Text messages through an SMS provider's REST API: one form-encoded POST per message
    (``To``, ``From``, ``Body``) with HTTP Basic authentication (account id and token), the
    shape of the common providers' "create message" endpoints. Any 2xx means accepted.
    """

    name = "sms_api"

    def __init__(
        self,
        url: str,
        *,
        account_id: str,
        token: str,
        from_number: str,
        timeout_seconds: float = 10,
    ) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("the SMS provider needs an http:// or https:// address")
        self.url = url
        self.account_id = account_id
        self.token = token
        self.from_number = from_number
        self.timeout_seconds = timeout_seconds

    def send(self, message: OutboundMessage) -> None:
        if message.channel != Channel.SMS:
            raise ChannelNotSupported("the SMS provider sends text messages only")
        data = urllib.parse.urlencode(
            {"To": message.to, "From": self.from_number, "Body": message.body}
        ).encode()
        credentials = base64.b64encode(f"{self.account_id}:{self.token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (http(s) only, checked in __init__)
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": f"Basic {credentials}",
                "User-Agent": "ketaclinic",
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310  # nosec B310 - http(s) only, checked in __init__
                request, timeout=self.timeout_seconds
            ) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise SendError(f"the SMS provider answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SendError(f"could not reach the SMS provider ({type(reason).__name__})") from None
        logger.info("message handed to the SMS provider (channel %s)", message.channel)


class ChannelRouter:
    """One sender per channel: e-mail through SMTP, SMS through a webhook, for example.

    A channel with no sender raises ``ChannelNotSupported``, so the caller records why.
    """

    def __init__(self, by_channel: Mapping[str, Sender]) -> None:
        self.by_channel = dict(by_channel)
        self.name = "+".join(sender.name for sender in self.by_channel.values())

    def sender_for(self, channel: str) -> Sender:
        try:
            return self.by_channel[channel]
        except KeyError:
            raise ChannelNotSupported(f"no sender is set for {channel}") from None

    def send(self, message: OutboundMessage) -> None:
        self.sender_for(message.channel).send(message)


class MemorySender:
    """Keep messages in ``outbox`` (a list): the fake installed at the chokepoint in tests.

    ``fail_with`` makes every send raise, to test what a page does when sending fails.
    """

    name = "memory"

    def __init__(self, fail_with: SendError | None = None) -> None:
        self.outbox: list[OutboundMessage] = []
        self.fail_with = fail_with

    def send(self, message: OutboundMessage) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.outbox.append(message)
