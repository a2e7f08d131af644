"""Helpers for the client tests (imported by conftest.py and the tests; a unique module name)."""

from __future__ import annotations

import json
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from intake_app.core.ticket import Attachment, AttachmentKind, Contact, ContactMethod, TicketDraft


class SleepLog:
    """Stands in for ``time.sleep`` in retry tests: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class Scripted:
    """One canned answer. ``raw`` is written to the socket as-is (then the connection closes)."""

    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    raw: bytes | None = None
    stall: bool = False  # never answer (until the test ends)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.script: deque[Scripted] = deque()
        self.seen: list[Seen] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt: str, *args: object) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
                answer = server.script.popleft() if server.script else Scripted(500, b'{"error": {"code": "x"}}')
                if answer.stall:
                    server.release.wait(30)
                    self.close_connection = True
                    return
                if answer.raw is not None:
                    self.wfile.write(answer.raw)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        scheme = "http"
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def add(self, *answers: Scripted) -> None:
        self.script.extend(answers)

    def json(self, status: int, doc: object, **headers: str) -> None:
        self.add(Scripted(status, json.dumps(doc).encode(), {"Content-Type": "application/json", **headers}))


# ---- tickets ------------------------------------------------------------------------------------

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def make_draft(**changes: object) -> TicketDraft:
    """A complete, valid ticket draft."""
    draft = TicketDraft(
        summary="Printer on floor 2 jams", error_details="Error 0x80070005\tAccess is denied.\n",
        description="Printing the payroll report.", device_name="PC-ACCT-07",
        contact=Contact("Ana Souza", "ana@example.com", "+1 713 555 0100", "Acme"),
        contact_method=ContactMethod.EMAIL, contact_method_detail="ana@example.com",
    )
    return draft.with_changes(**changes)


def make_attachments() -> list[Attachment]:
    return [Attachment("screen 1.png", PNG, AttachmentKind.SCREENSHOT),
            Attachment("événements.log", "ligne 1\nligne 2 – fin\n".encode())]
