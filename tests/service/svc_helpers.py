"""A small client for the Intake API (requests over real HTTP), and ticket builders for the tests.

Hand-written on purpose: the service tests must not depend on the desktop client's code.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import requests

from intake_app.core.priorities import Priority
from intake_app.core.ticket import Attachment, AttachmentKind, Contact, ContactMethod, TicketDraft

T = TypeVar("T")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
LOG = "2026-01-05 09:00:01 ERROR spooler: paper jam in tray 2\n\tat line 42 — ünïcode\n".encode()


class Api:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.base = f"{url}/api/v1"
        self.token = token
        self.session = requests.Session()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.session.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def enrol(self, key: str, device: str, name: str, email: str) -> Device:
        response = self.post("/enroll", json={"enrolment_key": key, "device_name": device, "user_name": name,
                                              "user_email": email})
        assert response.status_code == 201, response.text
        body = response.json()
        return Device(Api(self.base.removesuffix("/api/v1"), body["token"]), body["device_id"], name, email)

    def submit(self, draft: TicketDraft, attachments: list[Attachment] = ()) -> requests.Response:  # type: ignore[assignment]
        if not attachments:
            return self.post("/tickets", json=draft.to_dict())
        return self.post("/tickets", files=multipart(draft, attachments))


@dataclass
class Device:
    api: Api
    device_id: str
    name: str
    email: str

    def submit(self, draft: TicketDraft | None = None, attachments: list[Attachment] = ()) -> dict[str, Any]:  # type: ignore[assignment]
        response = self.api.submit(draft or make_draft(self.name, self.email), list(attachments))
        assert response.status_code == 202, response.text
        return response.json()  # type: ignore[no-any-return]

    def ticket(self, ref: str) -> requests.Response:
        return self.api.get(f"/tickets/{ref}")


def multipart(draft: TicketDraft, attachments: list[Attachment]) -> list[tuple[str, Any]]:
    parts: list[tuple[str, Any]] = [("ticket", (None, json.dumps(draft.to_dict()), "application/json"))]
    parts += [(f"attachment:{a.key}", (a.filename, a.data, a.media_type)) for a in attachments]
    return parts


def two_attachments() -> list[Attachment]:
    return [Attachment("screen 1.png", PNG, AttachmentKind.SCREENSHOT, key="shot-1"),
            Attachment("../../etc/passwd spooler.log", LOG, AttachmentKind.FILE, key="log-1")]


def make_draft(name: str = "Ann Example", email: str = "ann@acme.example", *, priority: int = 3,
               attachments: list[Attachment] = (), **changes: Any) -> TicketDraft:  # type: ignore[assignment]
    draft = TicketDraft(
        summary="Printer on floor 2 jams", description="Printing the payroll report.",
        error_details="Error 0x0000011b\tspooler", device_name="PC-ANN",
        contact=Contact(name, email, "+1 713 555 0100", "Acme"), contact_method=ContactMethod.PHONE,
        contact_method_detail="+1 713 555 0100", requested_priority=Priority(priority),
        attachments=tuple(a.info() for a in attachments), system_info_text="OS: Debian 12\nRAM: 16 GiB",
        created_at=datetime.now(timezone.utc) - timedelta(seconds=5))
    return draft.with_changes(**changes) if changes else draft


def wait_for(check: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll ``check`` until it returns something truthy (a wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def forwarded(device: Device, ref: str) -> dict[str, Any]:
    """Wait until ``ref`` has its helpdesk number, and return its detail."""
    def check() -> dict[str, Any] | None:
        body = device.ticket(ref).json()
        return body if body.get("helpdesk_id") and body.get("relay_state") == "forwarded" else None

    return wait_for(check, f"{ref} to reach the helpdesk")


def verify(service: Any, smtp: Any, device_api: Api, email: str, nth: int = 1) -> dict[str, Any]:
    """Verify ``email`` for a device the way a user does: ask for a code, read the mail, confirm."""
    assert device_api.post("/verify/start", json={"email": email}).status_code == 202
    code = smtp.wait_for(email, nth)["Subject"].rsplit(" ", 1)[-1]
    response = device_api.post("/verify/confirm", json={"email": email, "code": code})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
