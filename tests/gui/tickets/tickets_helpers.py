"""Helpers for the My tickets tests: the technician's side over HTTP, filing tickets, waiting for passes."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from intake_app.client.api import ApiClient
from intake_app.core.priorities import Priority
from intake_app.core.ticket import Attachment, Contact, ContactMethod, TicketDraft

HTTP_TIMEOUT = (5.0, 60.0)
_ACCESS = re.compile(r'"(GET|POST|PATCH) (/api/v1/[^ ?"]*)(?:\?[^ "]*)? HTTP/[\d.]+" (\d{3})')


@dataclass
class Tech:
    """A technician acting on the local helpdesk through the service's ``/tech`` endpoints."""

    url: str
    token: str
    session: requests.Session = field(default_factory=requests.Session)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.session.post(f"{self.url}/api/v1/tech{path}", json=body, timeout=HTTP_TIMEOUT,
                                     headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code in (200, 201), f"{path}: {response.status_code} {response.text}"
        return response.json()

    def status(self, ref: str, status: str) -> dict[str, Any]:
        return self._post(f"/tickets/{ref}/status", {"status": status})

    def priority(self, ref: str, priority: int) -> dict[str, Any]:
        return self._post(f"/tickets/{ref}/priority", {"priority": priority})

    def assign(self, ref: str, technician: str) -> dict[str, Any]:
        return self._post(f"/tickets/{ref}/assignee", {"technician": technician})

    def appointment(self, ref: str, start: datetime, end: datetime) -> dict[str, Any]:
        return self._post(f"/tickets/{ref}/appointment", {"start": start.isoformat(), "end": end.isoformat()})

    def note(self, ref: str, text: str, internal: bool = False) -> dict[str, Any]:
        return self._post(f"/tickets/{ref}/notes", {"text": text, "internal": internal})

    def detail(self, ref: str) -> dict[str, Any]:
        response = self.session.get(f"{self.url}/api/v1/tech/tickets/{ref}", timeout=HTTP_TIMEOUT,
                                    headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 200, response.text
        return response.json()


def access_log(log_path: Path) -> list[tuple[str, str, int]]:
    """(method, path, status) of every request the service logged (uvicorn's access log)."""
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    return [(m.group(1), m.group(2), int(m.group(3))) for m in _ACCESS.finditer(text)]


def draft(summary: str, *, priority: Priority = Priority.NORMAL, name: str = "Sam User",
          email: str = "sam@example.com") -> TicketDraft:
    return TicketDraft(summary=summary, description="It stopped working this morning.", device_name="PC-042",
                       contact=Contact(name, email, "+1 713 555 0100", "Demo company"),
                       contact_method=ContactMethod.EMAIL, contact_method_detail=email,
                       requested_priority=priority)


def file_ticket(api: ApiClient, summary: str, *, priority: Priority = Priority.NORMAL,
                attachments: tuple[Attachment, ...] = (), timeout: float = 60.0) -> str:
    """Submit a ticket and wait (bounded) until the relay has created it in the local helpdesk."""
    reference = api.submit_draft(draft(summary, priority=priority), attachments).reference
    deadline = time.monotonic() + timeout
    while not api.ticket(reference).get("helpdesk_id"):
        assert time.monotonic() < deadline, f"{reference} never reached the helpdesk"
        time.sleep(0.2)
    return reference


def soon(hours: int = 26) -> tuple[datetime, datetime]:
    start = (datetime.now(UTC) + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=1)


def refresh(qtbot: Any, refresher: Any, timeout: int = 60_000) -> None:
    """One complete refresh pass that starts now (what the timer does at the next interval).

    A pass already running (the window starts one when shown) is let finish first: it may
    have read the service before the change the test just made.
    """
    qtbot.waitUntil(lambda: not refresher.busy, timeout=timeout)
    with qtbot.waitSignal(refresher.refreshed, timeout=timeout):
        refresher.refresh_now()
    qtbot.waitUntil(lambda: not refresher.busy, timeout=timeout)


def refresh_until(qtbot: Any, refresher: Any, done: Any, what: str, passes: int = 20) -> None:
    """Refresh until ``done()``: the service's sync worker may briefly serve the version before a change."""
    for _ in range(passes):
        refresh(qtbot, refresher)
        if done():
            return
        qtbot.wait(250)
    raise AssertionError(f"{what} not seen after {passes} refreshes")
