"""End to end through the real Intake service, one helpdesk connector at a time.

``intake-app serve --config service.toml`` runs as a child process on loopback,
set up with ``intake-app admin`` (a company, its enrolment key); the user side is
plain HTTP per docs/API.md (enrol, submit with two screenshots, read the ticket).
The technician acts in the helpdesk itself; the test then waits for the user's view.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import requests

from client.live_service import ServiceProcess, cli, subprocess_env
from connector_kit import png_bytes
from intake_app.core.priorities import Priority
from intake_app.core.ticket import Attachment, AttachmentKind, Contact, ContactMethod, TicketDraft

COMPANY = "Example Co"
KEY = "example-enrolment-key"


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


def write_service_toml(path: Path, data_dir: Path, connector: Mapping[str, Any]) -> Path:
    lines = ["[service]", f"data_dir = {toml_value(str(data_dir))}", "sync_interval = 0.5", "", "[connector]"]
    tables = {k: v for k, v in connector.items() if isinstance(v, Mapping)}
    lines += [f"{k} = {toml_value(v)}" for k, v in connector.items() if k not in tables]
    for name, table in tables.items():
        lines += ["", f"[connector.{name}]"] + [f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class IntakeUser:
    """A device enrolled with the service, speaking the Intake API."""

    def __init__(self, url: str, name: str, email: str) -> None:
        self.base = f"{url}/api/v1"
        self.name, self.email = name, email
        self.session = requests.Session()
        body = self._ok(self.session.post(f"{self.base}/enroll", json={
            "enrolment_key": KEY, "device_name": "LAP-0007", "user_name": name, "user_email": email}, timeout=30), 201)
        self.session.headers["Authorization"] = f"Bearer {body['token']}"

    @staticmethod
    def _ok(response: requests.Response, status: int) -> Any:
        assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
        return response.json()

    def submit_with_two_screenshots(self) -> tuple[str, list[Attachment]]:
        shots = [Attachment("screen 1.png", png_bytes(colour=(200, 0, 0)), AttachmentKind.SCREENSHOT, key="shot-1"),
                 Attachment("screen 2.png", png_bytes(colour=(0, 200, 0)), AttachmentKind.SCREENSHOT, key="shot-2")]
        draft = TicketDraft(
            summary="Printer on floor 2 jams every page", description="Printing the monthly report.",
            error_details="Error 0x0000011b\tspooler", device_name="PRN-0042",
            contact=Contact(self.name, self.email, "+1 713 555 0101", COMPANY), contact_method=ContactMethod.PHONE,
            contact_method_detail="+1 713 555 0101", requested_priority=Priority.QUICK,
            attachments=tuple(a.info() for a in shots), system_info={"os": "Debian 12", "memory_gb": 16},
            system_info_text="OS: Debian 12\nMemory: 16 GB")
        parts: list[tuple[str, Any]] = [("ticket", (None, json.dumps(draft.to_dict()), "application/json"))]
        parts += [(f"attachment:{a.key}", (a.filename, a.data, a.media_type)) for a in shots]
        body = self._ok(self.session.post(f"{self.base}/tickets", files=parts, timeout=60), 202)
        return str(body["reference"]), shots

    def ticket(self, ref: str) -> dict[str, Any]:
        return self._ok(self.session.get(f"{self.base}/tickets/{ref}", timeout=30), 200)  # type: ignore[no-any-return]

    def wait(self, ref: str, check: Callable[[dict[str, Any]], bool], what: str,
             timeout: float = 90.0) -> dict[str, Any]:
        """Poll the user's view until ``check`` holds (a bounded wait, not a timing assertion)."""
        deadline = time.monotonic() + timeout
        detail: dict[str, Any] = {}
        while time.monotonic() < deadline:
            detail = self.ticket(ref)
            if check(detail):
                return detail
            time.sleep(0.25)
        raise AssertionError(f"{what}: not seen within {timeout} s; last view: {json.dumps(detail)[:1500]}")

    def close(self) -> None:
        self.session.close()


class IntakeService:
    """The service configured with one connector, plus its company and enrolment key."""

    def __init__(self, tmp_path: Path, connector: Mapping[str, Any], secrets_env: Mapping[str, str]) -> None:
        self.data_dir = tmp_path / "service"
        self.config = write_service_toml(tmp_path / "service.toml", self.data_dir, connector)
        self.env = subprocess_env(tmp_path / "base", tmp_path / "keyring.json", **secrets_env)
        self.admin("company", "add", COMPANY, "--catch-all-name", "Catch All", "--catch-all-email",
                   "catchall@msp.example")
        self.admin("key", "add", COMPANY, "--key", KEY)
        self.process = ServiceProcess(self.data_dir, self.env, service_config=self.config)

    def admin(self, *args: str) -> str:
        done = cli(self.env, "admin", "--config", str(self.config), *args)
        assert done.returncode == 0, f"admin {args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self) -> str:
        self.process.start()
        return self.process.url

    def stop(self) -> None:
        self.process.stop()

    def log(self) -> str:
        return self.process.log()
