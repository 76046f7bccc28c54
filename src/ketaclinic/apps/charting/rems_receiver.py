"""A local stand-in for a fax provider's API: for tests, the demo and trying a channel.

``ketaclinic rems receiver --port 8765 --dir var/rems-received`` answers each JSON POST with
``{"id": ...}`` and keeps the decoded PDF; ``--fail N`` answers the first N requests with
HTTP 503 (to watch the backoff), ``--token`` demands that bearer token (401 otherwise).
Tests start it on a free port in a thread (``start_receiver``). Standard library only.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["Receiver", "start_receiver"]


@dataclass
class Receiver:
    """What the receiver got, and how it is told to behave."""

    token: str = ""
    fail_first: int = 0
    always_fail: bool = False
    directory: Path | None = None
    received: list[dict] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pdfs(self) -> list[bytes]:
        out = []
        for payload in self.received:
            encoded = payload.get("file_base64") or payload["attachments"][0]["content_base64"]
            out.append(base64.b64decode(encoded))
        return out


def _handler(state: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:
            return

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            with state.lock:
                state.requests += 1
                number = state.requests
            if state.token and self.headers.get("Authorization") != f"Bearer {state.token}":
                self._answer(401, {"error": "unauthorized"})
                return
            if state.always_fail or number <= state.fail_first:
                self._answer(503, {"error": "busy, try later"})
                return
            try:
                payload = json.loads(raw)
            except ValueError:
                self._answer(400, {"error": "not JSON"})
                return
            reference = f"FAX-{number:05d}"
            with state.lock:
                state.received.append(payload)
            if state.directory is not None:
                state.directory.mkdir(parents=True, exist_ok=True)
                pdf = state.pdfs()[-1]
                (state.directory / f"{reference}.pdf").write_bytes(pdf)
            self._answer(201, {"id": reference, "status": "queued"})

    return Handler


def start_receiver(state: Receiver, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Serve on 127.0.0.1 in a daemon thread; returns the server and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
