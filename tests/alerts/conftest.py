"""A real SMTP server (aiosmtpd) and a real HTTP endpoint for the paging webhook, both on
127.0.0.1, installed behind the messaging chokepoint: messages cross real sockets."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class SmtpInbox:
    host: str
    port: int
    messages: list = field(default_factory=list)


class _Collect:
    def __init__(self, inbox: SmtpInbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        self.inbox.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.original_content))
        )
        return "250 OK"


@pytest.fixture
def smtp_inbox():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port: aiosmtpd checks it by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox(host="127.0.0.1", port=port)
    controller = Controller(_Collect(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox
    controller.stop()


@dataclass
class Webhook:
    url: str
    received: list = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def webhook():
    hook = Webhook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with hook.lock:
                failing = hook.fail_next > 0
                if failing:
                    hook.fail_next -= 1
                else:
                    hook.received.append((dict(self.headers), json.loads(body)))
            self.send_response(503 if failing else 202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/page"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def paging_senders(smtp_inbox, webhook):
    """E-mail to the local SMTP server, text messages to the local webhook."""
    from ketaclinic.apps.messaging.choices import Channel
    from ketaclinic.apps.messaging.senders import ChannelRouter, SmtpSender, WebhookSender
    from ketaclinic.apps.messaging.sending import install_sender
    from ketaclinic.apps.messaging.smtp_url import SmtpConfig

    router = ChannelRouter(
        {
            Channel.EMAIL: SmtpSender(
                SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port, timeout_seconds=5),
                "Ketaclinic <alerts@clinic.example>",
            ),
            Channel.SMS: WebhookSender(webhook.url, token="s3cret", timeout_seconds=5),
        }
    )
    previous = install_sender(router)
    yield smtp_inbox, webhook
    install_sender(previous)
