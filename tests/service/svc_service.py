"""The running service the tests talk to: in a thread (``Service``) or as ``intake-app serve``
(``ServeProcess``), plus a real SMTP server (aiosmtpd) that keeps what it receives.

Plain classes and helpers; the fixtures that build them are in ``conftest.py``.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from svc_helpers import Api, Device

from intake_app.core.ticket import Contact
from intake_app.service.config import ServiceConfig, SmtpSettings
from intake_app.service.runtime import ServiceRuntime
from intake_app.service.server import RunningServer

ACME = "Acme"
ACME_KEY = "acme-key"


@dataclass
class Service:
    """A running service plus handles the tests use (the runtime, a technician API)."""

    server: RunningServer
    data_dir: Path

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def runtime(self) -> ServiceRuntime:
        return self.server.runtime

    def api(self, token: str | None = None) -> Api:
        return Api(self.url, token)

    def enrol(self, name: str = "Ann Example", email: str = "ann@acme.example", device: str = "PC-ANN",
              key: str = ACME_KEY) -> Device:
        return self.api().enrol(key, device, name, email)

    def technician(self, name: str = "Dana") -> Api:
        return self.api(self.runtime.identity.add_technician(name))


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def settings(self) -> SmtpSettings:
        return SmtpSettings(host=self.host, port=self.port, security="none", from_address="intake@msp.example",
                            timeout=10)

    def wait_for(self, recipient: str, count: int = 1, timeout: float = 20) -> Message:
        """The ``count``-th message to ``recipient`` (waits for it to arrive)."""
        def mine() -> list[Message]:
            return [m for m in self.messages if recipient in (m.get("To") or "")]

        with self.arrived:
            if not self.arrived.wait_for(lambda: len(mine()) >= count, timeout):
                raise AssertionError(f"no mail #{count} for {recipient} within {timeout} s")
            return mine()[count - 1]


class KeepMessages:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        with self.server.arrived:
            self.server.messages.append(message)
            self.server.arrived.notify_all()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


ServiceFactory = Callable[..., Service]


@dataclass
class ServeProcess:
    """``intake-app serve`` as a child process (the way the desktop client's demo mode runs it)."""

    process: subprocess.Popen[str]
    url: str

    def api(self, token: str | None = None) -> Api:
        return Api(self.url, token)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


def intake_app(*args: str) -> list[str]:
    return [sys.executable, "-m", "intake_app", *args]


def ready_line(process: subprocess.Popen[str]) -> str:
    """The readiness line; fails with the exit status if the service dies first."""
    assert process.stdout is not None
    found: list[str] = []

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            if line.startswith("INTAKE_SERVICE_READY "):
                found.append(line)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(60)
    if not found:
        process.kill()
        raise AssertionError(f"intake-app serve did not become ready (exit status {process.wait(10)})")
    return found[0]


def seed_acme(data_dir: Path) -> None:
    """Create company Acme and its key in a service data folder (the same code the admin CLI runs)."""
    runtime = ServiceRuntime(ServiceConfig(data_dir=data_dir))
    try:
        if runtime.companies.find_by_name(ACME) is None:
            company = runtime.companies.add(ACME, Contact("Acme helpdesk inbox", "inbox@acme.example", "", ACME))
            runtime.companies.add_key(company, ACME_KEY, "test")
    finally:
        runtime.close()
