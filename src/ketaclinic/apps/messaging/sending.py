"""``send_message``: the one chokepoint for everything the clinic sends (STYLE habit 10).

The sender is chosen once from settings (``KETACLINIC_SENDER``: console, file or smtp); tests
call ``install_sender(MemorySender())`` and read its outbox, exactly as the product code
would have sent it.
"""

from __future__ import annotations

import re

from django.conf import settings

from ketaclinic.apps.messaging.choices import Channel, SenderKind
from ketaclinic.apps.messaging.senders import (
    ChannelRouter,
    ConsoleSender,
    FileSender,
    OutboundMessage,
    Sender,
    SendError,
    SmtpSender,
    WebhookSender,
)

__all__ = ["current_sender", "install_sender", "send_message", "sender_from_settings"]

_sender: Sender | None = None
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,25}$")


def _base_sender() -> Sender:
    kind = settings.KETACLINIC_SENDER
    if kind == SenderKind.FILE:
        return FileSender(settings.KETACLINIC_OUTBOX_DIR)
    if kind == SenderKind.SMTP:
        assert settings.KETACLINIC_SMTP is not None  # settings refuse smtp without its URL
        return SmtpSender(settings.KETACLINIC_SMTP, settings.KETACLINIC_MAIL_FROM)
    return ConsoleSender()


def sender_from_settings() -> Sender:
    """The sender ``KETACLINIC_SENDER`` names, configured from settings; with
    ``KETACLINIC_SMS_WEBHOOK_URL`` set, text messages go to that webhook instead."""
    base = _base_sender()
    webhook_url = getattr(settings, "KETACLINIC_SMS_WEBHOOK_URL", "")
    if not webhook_url:
        return base
    webhook = WebhookSender(webhook_url, token=settings.KETACLINIC_SMS_WEBHOOK_TOKEN)
    return ChannelRouter({Channel.EMAIL: base, Channel.SMS: webhook})


def current_sender() -> Sender:
    global _sender
    if _sender is None:
        _sender = sender_from_settings()
    return _sender


def install_sender(sender: Sender | None) -> Sender | None:
    """Swap the process sender; returns the previous one so a test can put it back.

    ``None`` means "from settings again" on the next send.
    """
    global _sender
    previous, _sender = _sender, sender
    return previous


def send_message(
    to: str,
    subject: str,
    body: str,
    *,
    channel: str = Channel.EMAIL,
    sender: Sender | None = None,
) -> str:
    """Send one message; returns the sender's name. Raises ``SendError`` when it cannot.

    The address is checked for its channel here, so every sender sees well-formed input.
    ``sender`` is a site's own channel (its SMS provider), used instead of the process's.
    """
    if channel not in Channel.values:
        raise SendError(f"unknown channel {channel!r}")
    to = (to or "").strip()
    pattern = _EMAIL if channel == Channel.EMAIL else _PHONE
    if not pattern.match(to):
        raise SendError(f"no valid {Channel(channel).label.lower()} address")
    if sender is None:
        sender = current_sender()
    if isinstance(sender, ChannelRouter):
        sender = sender.sender_for(channel)
    sender.send(
        OutboundMessage(
            to=to,
            subject=subject,
            body=body,
            channel=channel,
            from_address=settings.KETACLINIC_MAIL_FROM,
        )
    )
    return sender.name
