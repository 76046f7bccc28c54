"""The senders: console and file for development, SMTP for a clinic, memory for tests.

A sender takes one ``OutboundMessage`` and delivers it or raises ``SendError``. None of them
logs a recipient, subject or body: messages to patients carry links and clinic names, and
application logs must never hold patient data (only the audit trail does).
"""

from __future__ import annotations

import email.message
import logging
import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from ketaclinic.apps.messaging.choices import Channel
from ketaclinic.apps.messaging.smtp_url import SmtpConfig

__all__ = [
    "ChannelNotSupported",
    "ConsoleSender",
    "FileSender",
    "MemorySender",
    "OutboundMessage",
    "SendError",
    "Sender",
    "SmtpSender",
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
