"""One chokepoint, three real senders and a memory fake; no sender logs patient data."""

from __future__ import annotations

import email
import io
import logging
import stat

import pytest
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend

from ketaclinic.apps.messaging import sending
from ketaclinic.apps.messaging.senders import (
    ChannelNotSupported,
    ConsoleSender,
    FileSender,
    MemorySender,
    OutboundMessage,
    SendError,
    SmtpSender,
)
from ketaclinic.apps.messaging.sending import (
    install_sender,
    send_message,
    sender_from_settings,
)
from ketaclinic.apps.messaging.smtp_url import parse_smtp_url


@pytest.fixture
def memory_sender():
    sender = MemorySender()
    previous = install_sender(sender)
    yield sender
    install_sender(previous)


def test_send_message_goes_through_the_installed_sender(memory_sender, settings):
    settings.KETACLINIC_MAIL_FROM = "Clinic <clinic@example.org>"
    name = send_message("pat@example.org", "Hello", "Body text")
    assert name == "memory"
    assert memory_sender.outbox == [
        OutboundMessage(
            to="pat@example.org",
            subject="Hello",
            body="Body text",
            channel="email",
            from_address="Clinic <clinic@example.org>",
        )
    ]


@pytest.mark.parametrize(
    ("to", "channel"),
    [("", "email"), ("not-an-address", "email"), ("call me", "sms"), ("x@y.z", "pigeon")],
)
def test_send_message_refuses_addresses_that_do_not_fit_the_channel(memory_sender, to, channel):
    with pytest.raises(SendError):
        send_message(to, "s", "b", channel=channel)
    assert memory_sender.outbox == []


def test_an_sms_goes_to_a_phone_number(memory_sender):
    send_message("+1 555 200 1000", "", "Your link", channel="sms")
    assert memory_sender.outbox[0].channel == "sms"


@pytest.mark.parametrize(
    ("kind", "expected"), [("console", ConsoleSender), ("file", FileSender), ("smtp", SmtpSender)]
)
def test_the_sender_is_chosen_by_ketaclinic_sender(settings, tmp_path, kind, expected):
    settings.KETACLINIC_SENDER = kind
    settings.KETACLINIC_OUTBOX_DIR = tmp_path
    settings.KETACLINIC_SMTP = parse_smtp_url("smtp://h:587?tls=true")
    assert isinstance(sender_from_settings(), expected)


def test_without_an_installed_sender_the_settings_choose_on_first_send(settings, tmp_path):
    settings.KETACLINIC_SENDER = "file"
    settings.KETACLINIC_OUTBOX_DIR = tmp_path / "outbox"
    previous = install_sender(None)
    try:
        send_message("pat@example.org", "Subject", "Body")
        assert isinstance(sending.current_sender(), FileSender)
    finally:
        install_sender(previous)
    assert len(list((tmp_path / "outbox").iterdir())) == 1


def test_the_console_sender_prints_the_message_and_logs_no_recipient(caplog):
    stream = io.StringIO()
    with caplog.at_level(logging.INFO, logger="ketaclinic.messaging"):
        ConsoleSender(stream).send(
            OutboundMessage("pat@example.org", "Subj", "Link: http://x/r/t/")
        )
    assert "To: pat@example.org" in stream.getvalue()
    assert "http://x/r/t/" in stream.getvalue()
    assert caplog.records
    assert all("pat@example.org" not in r.getMessage() for r in caplog.records)
    assert all("http://x/r/t/" not in r.getMessage() for r in caplog.records)


def test_the_file_sender_writes_a_private_eml_file_per_message(tmp_path, caplog):
    outbox = tmp_path / "outbox"
    sender = FileSender(outbox)
    with caplog.at_level(logging.INFO, logger="ketaclinic.messaging"):
        sender.send(OutboundMessage("pat@example.org", "Subject", "Body", "email", "c@x.org"))
        sender.send(OutboundMessage("+15552001000", "", "SMS body", "sms"))
    files = sorted(outbox.iterdir())
    assert len(files) == 2
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    parsed = [email.message_from_bytes(f.read_bytes()) for f in files]
    channels = {m["X-Ketaclinic-Channel"]: m for m in parsed}
    assert channels["email"]["To"] == "pat@example.org"
    assert channels["email"]["Subject"] == "Subject"
    assert channels["sms"].get_payload().strip() == "SMS body"
    assert all("pat@example.org" not in r.getMessage() for r in caplog.records)


def test_the_file_sender_reports_an_outbox_it_cannot_write(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SendError, match="outbox"):
        FileSender(blocker / "outbox").send(OutboundMessage("a@b.org", "s", "b"))


def test_the_smtp_sender_hands_django_a_backend_built_from_the_url(mailoutbox):
    built = {}

    def factory(**options):
        built.update(options)
        return MemoryBackend()

    config = parse_smtp_url("smtp://user:pw@mail.example.org:587?tls=true&timeout=7")
    SmtpSender(config, "Clinic <c@example.org>", factory).send(
        OutboundMessage("pat@example.org", "Subject", "Body")
    )
    assert built == {
        "host": "mail.example.org",
        "port": 587,
        "username": "user",
        "password": "pw",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 7,
        "fail_silently": False,
    }
    assert [(m.to, m.subject, m.from_email) for m in mailoutbox] == [
        (["pat@example.org"], "Subject", "Clinic <c@example.org>")
    ]


def test_the_smtp_sender_sends_no_sms_and_reports_server_errors():
    config = parse_smtp_url("smtp://h")
    with pytest.raises(ChannelNotSupported):
        SmtpSender(config, "c@x.org", MemoryBackend).send(
            OutboundMessage("+15552001000", "", "b", "sms")
        )

    class Refusing(MemoryBackend):
        def send_messages(self, messages):
            raise ConnectionRefusedError("no server")

    with pytest.raises(SendError, match="ConnectionRefusedError"):
        SmtpSender(config, "c@x.org", Refusing).send(OutboundMessage("a@b.org", "s", "b"))


def test_the_smtp_sender_uses_djangos_smtp_backend_by_default():
    from django.core.mail.backends.smtp import EmailBackend

    sender = SmtpSender(parse_smtp_url("smtps://u:p@h"), "c@x.org")
    connection = sender._connection()
    assert isinstance(connection, EmailBackend)
    assert (connection.host, connection.port, connection.use_ssl) == ("h", 465, True)


def test_a_failing_memory_sender_raises_what_it_was_given():
    with pytest.raises(SendError, match="down"):
        MemorySender(fail_with=SendError("down")).send(OutboundMessage("a@b.org", "s", "b"))


def test_the_webhook_sender_refuses_an_address_that_is_not_http():
    import pytest

    from ketaclinic.apps.messaging.senders import WebhookSender

    with pytest.raises(ValueError, match="http:// or https://"):
        WebhookSender("file:///etc/passwd")


def test_with_a_webhook_set_texts_go_to_it_and_email_to_the_usual_sender(settings):
    from ketaclinic.apps.messaging.choices import Channel
    from ketaclinic.apps.messaging.senders import ChannelRouter, ConsoleSender, WebhookSender
    from ketaclinic.apps.messaging.sending import sender_from_settings

    settings.KETACLINIC_SENDER = "console"
    settings.KETACLINIC_SMS_WEBHOOK_URL = "https://pager.example/hook"
    settings.KETACLINIC_SMS_WEBHOOK_TOKEN = ""
    sender = sender_from_settings()
    assert isinstance(sender, ChannelRouter)
    assert isinstance(sender.sender_for(Channel.SMS), WebhookSender)
    assert isinstance(sender.sender_for(Channel.EMAIL), ConsoleSender)
    settings.KETACLINIC_SMS_WEBHOOK_URL = ""
    assert isinstance(sender_from_settings(), ConsoleSender)
