"""Shared helpers for the connector tests: a context, outgoing tickets, real image bytes.

Hand-written stand-ins only for what the service would hand a connector (its
key/value store, its secret lookup); everything else is real.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from PIL import Image

from intake_app.core.priorities import Priority
from intake_app.core.ticket import (
    AttachmentKind,
    Availability,
    AvailabilityWindow,
    Contact,
    ContactMethod,
    ReportedFor,
    TicketDraft,
)
from intake_app.service.connectors.base import ConnectorContext, HelpdeskContact, OutgoingAttachment, OutgoingTicket


# the API member's keys of the fake ConnectWise (tests/connectors/fake_connectwise.py)
CW_SECRETS = {"public_key": "pubKEY", "private_key": "privKEY", "client_id": "1f0c5b6e-3a7d-4c3e-9f5a-2b8d7e6c4a10"}


class DictState:
    """The service's connector key/value store, in memory."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def put(self, key: str, value: str) -> None:
        self.values[key] = value


def make_context(tmp_path: Path, secrets: dict[str, str] | None = None, *, mailer: Any = None,
                 state: DictState | None = None) -> ConnectorContext:
    data_dir = tmp_path / "connector"
    data_dir.mkdir(parents=True, exist_ok=True)
    found = dict(secrets or {})
    return ConnectorContext(data_dir=data_dir, state=state or DictState(), secret=found.get,
                            now=lambda: datetime.now(timezone.utc), mailer=mailer)


def png_bytes(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG (Pillow), different per colour so two screenshots differ."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def attachment(tmp_path: Path, filename: str, data: bytes, *, kind: AttachmentKind = AttachmentKind.SCREENSHOT,
               media_type: str = "image/png", key: str | None = None) -> OutgoingAttachment:
    key = key or uuid.uuid4().hex
    path = tmp_path / f"blob-{key}"
    path.write_bytes(data)
    return OutgoingAttachment(key=key, filename=filename, media_type=media_type, size=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), kind=kind, path=path)


ERROR_TEXT = "Error 0x80070005: Access is denied.\n\tat Printer.Spool()  – naïve ünïcode ✓ " + "x" * 300


def draft(**changes: Any) -> TicketDraft:
    tz = "Europe/Berlin"
    day = (datetime.now(timezone.utc) + timedelta(days=2)).date()
    base = TicketDraft(
        summary="Printer on floor 2 jams every page",
        error_details=ERROR_TEXT,
        description="I was printing the monthly report; I expected 12 pages and got a jam.",
        device_name="PRN-0042",
        reported_for=ReportedFor("Bob Builder", "bob@example.com", "+1 713 555 0199"),
        contact=Contact("Alice Example", "alice@example.com", "+1 713 555 0101", "Example Co"),
        contact_on_file=Contact("Alice Example", "alice@example.com", "+1 713 555 0100", "Example Co"),
        contact_method=ContactMethod.PHONE,
        contact_method_detail="+1 713 555 0101",
        availability=Availability(False, (AvailabilityWindow.from_local(day, time(9), time(11), tz),)),
        requested_priority=Priority.QUICK,
        system_info={"os": "Windows 11 23H2", "hostname": "LAP-0007", "memory_gb": 16},
        system_info_text="OS: Windows 11 23H2\nHost: LAP-0007\nMemory: 16 GB",
        app_version="1.0.0",
    )
    return base.with_changes(**changes)


def outgoing(tmp_path: Path, *, attachments: tuple[OutgoingAttachment, ...] = (),
             helpdesk_contact: HelpdeskContact | None = None, catch_all: bool = False, company: str = "Example Co",
             reference: str = "INT-000042", **draft_changes: Any) -> OutgoingTicket:
    """An OutgoingTicket as the relay builds it; ``draft_changes`` go to the user's draft."""
    d = draft(**draft_changes)
    return OutgoingTicket(
        draft=d, reference=reference, company=company,
        contact=helpdesk_contact or HelpdeskContact("Alice Example", "alice@example.com", "+1 713 555 0100",
                                                    "Example Co"),
        catch_all=catch_all, machine_details=d.system_info_text, attachments=attachments,
    )
