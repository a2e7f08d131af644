"""The ticket as the user builds it and as it travels: plain data, JSON-ready.

A :class:`TicketDraft` is what the report window, the CLI and the outbox hold;
``to_dict()`` is its wire form in the Intake API (``docs/API.md``). Attachment
bytes travel beside it (multipart parts), described here by :class:`AttachmentInfo`.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from intake_app.core.filetypes import detect_media_type
from intake_app.core.priorities import Priority

WIRE_VERSION = 1


def new_client_ticket_id() -> str:
    """A UUID made once per ticket: the idempotency key end to end."""
    return str(uuid.uuid4())


class ContactMethod(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"  # Teams or another chat
    REMOTE = "remote"  # a remote-control session

    @property
    def label(self) -> str:
        return {"phone": "Phone", "email": "E-mail", "chat": "Teams / chat", "remote": "Remote session"}[self.value]


@dataclass(frozen=True)
class Contact:
    """A person as the helpdesk has them on file (or as the user corrected them)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    company: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "phone": self.phone, "company": self.company}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Contact:
        data = data or {}
        return cls(**{k: str(data.get(k) or "") for k in ("name", "email", "phone", "company")})

    def differences(self, on_file: Contact) -> dict[str, tuple[str, str]]:
        """Fields the user changed: name -> (on file, corrected)."""
        return {
            key: (getattr(on_file, key), getattr(self, key))
            for key in ("name", "email", "phone", "company")
            if getattr(self, key).strip() != getattr(on_file, key).strip()
        }


@dataclass(frozen=True)
class ReportedFor:
    """The affected person when the user reports on someone else's behalf."""

    name: str
    email: str = ""
    phone: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "phone": self.phone}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ReportedFor | None:
        if not data or not str(data.get("name") or "").strip():
            return None
        return cls(str(data["name"]), str(data.get("email") or ""), str(data.get("phone") or ""))


@dataclass(frozen=True)
class AvailabilityWindow:
    """A time the user can be reached, as aware datetimes (their zone kept for display)."""

    start: datetime
    end: datetime

    @classmethod
    def from_local(cls, day: date, from_time: time, to_time: time, tz: str | ZoneInfo) -> AvailabilityWindow:
        """Build from what the user picks: a date and two clock times in their zone.

        A "to" earlier than "from" means the window runs past midnight into the next day
        (22:00–02:00). Equal times give a zero-length window, which validation rejects.
        Wall-clock times are resolved with ``fold=0`` (the first of a repeated DST hour).
        """
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        start = datetime.combine(day, from_time, tzinfo=zone)
        end_day = day + timedelta(days=1) if to_time < from_time else day
        end = datetime.combine(end_day, to_time, tzinfo=zone)
        return cls(start, end)

    @property
    def duration(self) -> timedelta:
        return self.end.astimezone(timezone.utc) - self.start.astimezone(timezone.utc)

    def to_dict(self) -> dict[str, str]:
        zone = getattr(self.start.tzinfo, "key", None) or ""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "tz": zone}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AvailabilityWindow:
        start = _parse_aware(data["start"], "availability start")
        end = _parse_aware(data["end"], "availability end")
        zone_name = data.get("tz")
        if zone_name:
            zone = ZoneInfo(zone_name)
            start, end = start.astimezone(zone), end.astimezone(zone)
        return cls(start, end)

    def describe(self) -> str:
        """e.g. ``Tue 3 Dec 2026, 09:00–11:00 (Europe/Berlin)``."""
        zone = getattr(self.start.tzinfo, "key", None) or self.start.strftime("%z")
        end_fmt = "%H:%M" if self.end.date() == self.start.date() else "%a %d %b %H:%M"
        return f"{self.start:%a %d %b %Y, %H:%M}–{self.end.strftime(end_fmt)} ({zone})"


@dataclass(frozen=True)
class Availability:
    """When the technician may contact the user: windows, or any time in business hours."""

    any_time_business_hours: bool = True
    windows: tuple[AvailabilityWindow, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"any_time_business_hours": self.any_time_business_hours, "windows": [w.to_dict() for w in self.windows]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Availability:
        if not data:
            return cls()
        windows = tuple(AvailabilityWindow.from_dict(w) for w in data.get("windows") or ())
        return cls(bool(data.get("any_time_business_hours", not windows)), windows)

    def describe(self) -> str:
        parts = ["Any time during business hours"] if self.any_time_business_hours else []
        parts.extend(w.describe() for w in self.windows)
        return "; ".join(parts) or "Not given"


class AttachmentKind(StrEnum):
    SCREENSHOT = "screenshot"
    FILE = "file"


@dataclass(frozen=True)
class AttachmentInfo:
    """An attachment's description; its bytes travel as a multipart part with the same ``key``."""

    key: str
    filename: str
    media_type: str
    size: int
    sha256: str
    kind: AttachmentKind = AttachmentKind.FILE

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "filename": self.filename, "media_type": self.media_type,
            "size": self.size, "sha256": self.sha256, "kind": self.kind.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttachmentInfo:
        return cls(
            key=str(data["key"]), filename=str(data["filename"]), media_type=str(data["media_type"]),
            size=int(data["size"]), sha256=str(data["sha256"]), kind=AttachmentKind(data.get("kind", "file")),
        )


@dataclass(frozen=True)
class Attachment:
    """Bytes plus what they are; the type is detected from the content."""

    filename: str
    data: bytes
    kind: AttachmentKind = AttachmentKind.FILE
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def media_type(self) -> str:
        return detect_media_type(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def info(self) -> AttachmentInfo:
        return AttachmentInfo(
            key=self.key, filename=self.filename, media_type=self.media_type,
            size=len(self.data), sha256=hashlib.sha256(self.data).hexdigest(), kind=self.kind,
        )


@dataclass(frozen=True)
class TicketDraft:
    """Everything the user tells us plus what the app gathers, before it is sent."""

    summary: str = ""
    error_details: str = ""
    description: str = ""
    device_name: str = ""
    reported_for: ReportedFor | None = None
    contact: Contact = Contact()
    contact_on_file: Contact | None = None
    contact_method: ContactMethod = ContactMethod.EMAIL
    contact_method_detail: str = ""
    availability: Availability = Availability()
    requested_priority: Priority = Priority.NORMAL
    escalation_requested: bool = False
    attachments: tuple[AttachmentInfo, ...] = ()
    system_info: dict[str, Any] | None = None
    system_info_text: str = ""
    client_ticket_id: str = field(default_factory=new_client_ticket_id)
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    app_version: str = ""

    @property
    def contact_corrections(self) -> dict[str, tuple[str, str]]:
        """What the user corrected against the helpdesk's record (flagged for the helpdesk)."""
        if self.contact_on_file is None:
            return {}
        return self.contact.differences(self.contact_on_file)

    def with_changes(self, **changes: Any) -> TicketDraft:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "wire_version": WIRE_VERSION,
            "client_ticket_id": self.client_ticket_id,
            "summary": self.summary.strip(),
            "error_details": self.error_details,
            "description": self.description,
            "device_name": self.device_name.strip(),
            "reported_for": self.reported_for.to_dict() if self.reported_for else None,
            "contact": self.contact.to_dict(),
            "contact_on_file": self.contact_on_file.to_dict() if self.contact_on_file else None,
            "contact_corrected": bool(self.contact_corrections),
            "contact_method": self.contact_method.value,
            "contact_method_detail": self.contact_method_detail.strip(),
            "availability": self.availability.to_dict(),
            "requested_priority": int(self.requested_priority),
            "escalation_requested": self.escalation_requested,
            "attachments": [a.to_dict() for a in self.attachments],
            "system_info": self.system_info,
            "system_info_text": self.system_info_text,
            "created_at": self.created_at.astimezone(timezone.utc).isoformat(),
            "app_version": self.app_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketDraft:
        """Parse the wire form; raises KeyError/ValueError on a malformed document."""
        return cls(
            summary=str(data.get("summary") or ""),
            error_details=str(data.get("error_details") or ""),
            description=str(data.get("description") or ""),
            device_name=str(data.get("device_name") or ""),
            reported_for=ReportedFor.from_dict(data.get("reported_for")),
            contact=Contact.from_dict(data.get("contact")),
            contact_on_file=Contact.from_dict(data["contact_on_file"]) if data.get("contact_on_file") else None,
            contact_method=ContactMethod(data.get("contact_method") or ContactMethod.EMAIL.value),
            contact_method_detail=str(data.get("contact_method_detail") or ""),
            availability=Availability.from_dict(data.get("availability")),
            requested_priority=Priority.parse(data.get("requested_priority", 3)),
            escalation_requested=bool(data.get("escalation_requested", False)),
            attachments=tuple(AttachmentInfo.from_dict(a) for a in data.get("attachments") or ()),
            system_info=data.get("system_info"),
            system_info_text=str(data.get("system_info_text") or ""),
            client_ticket_id=str(data.get("client_ticket_id") or new_client_ticket_id()),
            created_at=_parse_aware(data["created_at"], "created_at") if data.get("created_at") else datetime.now(timezone.utc),
            app_version=str(data.get("app_version") or ""),
        )


def _parse_aware(value: str, what: str) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(f"{what} must include a time zone offset: {value!r}")
    return parsed
