"""What the UI shows for each ticket in the outbox: its state, why, and what happens next."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from intake_app.core.priorities import Priority
from intake_app.core.ticket import AttachmentInfo


class ItemState(StrEnum):
    QUEUED = "queued"  # stored; will be sent (again) at next_attempt_at
    SENDING = "sending"  # a process has claimed it and is uploading it now
    SENT = "sent"  # the service answered 202: it has the ticket (reference; helpdesk number later)
    NEEDS_ATTENTION = "needs-attention"  # not retried blindly: the user must fix it, or enrol again

    @property
    def label(self) -> str:
        return {"queued": "Queued", "sending": "Sending…", "sent": "Sent",
                "needs-attention": "Needs attention"}[self.value]


class ReasonCode(StrEnum):
    """Why an item is not (yet) sent; ``reason`` holds the sentence for the user."""

    OFFLINE = "offline"
    SERVER = "server"
    PROTOCOL = "protocol"
    RATE_LIMITED = "rate-limited"
    NOT_ENROLLED = "not-enrolled"
    UNAUTHORIZED = "unauthorized"  # waits for re-enrolment, then goes back to queued by itself
    REJECTED = "rejected"  # 4xx other than validation: the server's message
    VALIDATION = "validation"  # 422: ``problems`` maps field -> message
    CORRUPT = "corrupt"  # the stored request is missing or damaged on disk


@dataclass(frozen=True)
class StoredAttachment:
    """An attachment kept beside a queued ticket (so the user can review or fix it)."""

    info: AttachmentInfo
    file: str  # file name inside the item's folder

    def to_dict(self) -> dict[str, Any]:
        return {**self.info.to_dict(), "file": self.file}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoredAttachment:
        return cls(AttachmentInfo.from_dict(data), str(data["file"]))


@dataclass(frozen=True)
class OutboxItem:
    id: int
    client_ticket_id: str
    summary: str
    priority: Priority
    state: ItemState
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    updated_at: datetime
    content_type: str
    body_size: int
    body_sha256: str
    files_dir: str
    attachments: tuple[StoredAttachment, ...] = ()
    reason_code: ReasonCode | None = None
    reason: str = ""
    problems: dict[str, str] = field(default_factory=dict)
    reference: str | None = None
    helpdesk_id: str | None = None
    sent_at: datetime | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None

    @property
    def number(self) -> str:
        """What to show as the ticket's number: the helpdesk's, else the Intake reference, else "queued"."""
        return self.helpdesk_id or self.reference or "not sent yet"

    @property
    def is_pending(self) -> bool:
        return self.state in (ItemState.QUEUED, ItemState.SENDING)

    def describe(self) -> str:
        """One line for the user: state plus why and what happens next."""
        if self.state is ItemState.SENT:
            number = f"#{self.helpdesk_id} ({self.reference})" if self.helpdesk_id else str(self.reference)
            return f"Sent: {number}"
        if self.state is ItemState.NEEDS_ATTENTION:
            return f"Needs attention: {self.reason}"
        if self.state is ItemState.SENDING:
            return "Sending…"
        why = f" (last try: {self.reason})" if self.reason else ""
        if self.next_attempt_at <= datetime.now(timezone.utc):
            return f"Queued: sent as soon as the service can be reached{why}"
        return f"Queued: next try at {self.next_attempt_at.astimezone():%H:%M:%S}{why}"

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id, "client_ticket_id": self.client_ticket_id, "summary": self.summary,
            "priority": int(self.priority), "state": self.state.value, "state_label": self.state.label,
            "attempts": self.attempts, "next_attempt_at": iso(self.next_attempt_at),
            "created_at": iso(self.created_at), "updated_at": iso(self.updated_at), "sent_at": iso(self.sent_at),
            "reason_code": self.reason_code.value if self.reason_code else None, "reason": self.reason,
            "problems": self.problems, "reference": self.reference, "helpdesk_id": self.helpdesk_id,
            "body_size": self.body_size, "attachments": [a.info.to_dict() for a in self.attachments],
            "description": self.describe(),
        }

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> OutboxItem:
        return cls(
            id=row["id"], client_ticket_id=row["client_ticket_id"], summary=row["summary"],
            priority=Priority(row["priority"]), state=ItemState(row["state"]), attempts=row["attempts"],
            next_attempt_at=_dt(row["next_attempt_at"]), created_at=_dt(row["created_at"]),
            updated_at=_dt(row["updated_at"]), content_type=row["content_type"], body_size=row["body_size"],
            body_sha256=row["body_sha256"], files_dir=row["files_dir"],
            attachments=tuple(StoredAttachment.from_dict(a) for a in json.loads(row["attachments_json"])),
            reason_code=ReasonCode(row["reason_code"]) if row["reason_code"] else None,
            reason=row["reason"] or "", problems=json.loads(row["problems_json"] or "{}"),
            reference=row["reference"], helpdesk_id=row["helpdesk_id"],
            sent_at=_dt(row["sent_at"]) if row["sent_at"] is not None else None,
            claimed_by=row["claimed_by"],
            claimed_at=_dt(row["claimed_at"]) if row["claimed_at"] is not None else None,
        )


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)
