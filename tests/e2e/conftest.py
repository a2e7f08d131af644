"""End-to-end fixtures: a real ``intake-app serve`` on loopback, real SMTP (aiosmtpd), the CLI as subprocesses.

Each test gets its own base dir (``isolated_basedir``) shared by its CLI
subprocesses, a file keyring they share, and its own service data folder.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.live_service import ServiceProcess, subprocess_env

COMPANY = "Acme Dental"
ENROLMENT_KEY = "acme-enrolment-key-2026"


@pytest.fixture
def cli_env(isolated_basedir: Path, tmp_path: Path) -> dict[str, str]:
    return subprocess_env(isolated_basedir, tmp_path / "keyring.json")


class Mailbox:
    """Messages received by the loopback SMTP server."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 - aiosmtpd's name
        content = envelope.content  # type: ignore[attr-defined]
        self.messages.append(content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content))
        return "250 OK"

    def wait_for_code(self, timeout: float = 30.0) -> str:
        """The 6-digit code in the newest message (waits for it to arrive)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.messages):
                match = re.search(r"\b(\d{6})\b", message)
                if match:
                    return match.group(1)
            time.sleep(0.1)
        raise AssertionError(f"no code arrived; messages: {self.messages}")


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def service(tmp_path: Path, cli_env: dict[str, str], smtp: tuple[Mailbox, int]) -> Iterator[ServiceProcess]:
    """A service with the local connector, one company and its enrolment key, sending mail to ``smtp``."""
    config = tmp_path / "service.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {smtp[1]}\nsecurity = "none"\n'
                      'from = "Intake <intake@msp.example>"\n', encoding="utf-8")
    proc = ServiceProcess(tmp_path / "service", cli_env, service_config=config, enrolment_key=ENROLMENT_KEY)
    proc.admin("company", "add", COMPANY, "--catch-all-name", "Acme front desk",
               "--catch-all-email", "frontdesk@acme.example")
    proc.admin("key", "add", COMPANY, "--key", ENROLMENT_KEY)
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def admin_file(tmp_path: Path, service: ServiceProcess) -> Path:
    """The deployed admin file (intake.toml) pointing at ``service``."""
    path = tmp_path / "intake.toml"
    path.write_text(f'[service]\nurl = "{service.url}"\nenrolment_key = "{ENROLMENT_KEY}"\n', encoding="utf-8")
    return path
