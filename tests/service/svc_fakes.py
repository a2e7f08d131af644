"""A hand-written proxy around the real local connector: a helpdesk that can be down, refuse, or be
counted. Everything else is the real connector (no mocks of our own code)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime
from typing import Any

from intake_app.core.statuses import StatusMap
from intake_app.service.connectors.base import (
    Actor,
    Connector,
    ContactUpdate,
    EscalationWrite,
    HelpdeskContact,
    HelpdeskEvent,
    HelpdeskRejected,
    HelpdeskTicket,
    HelpdeskUnavailable,
    OutgoingAttachment,
    OutgoingTicket,
)


class UnreliableHelpdesk(Connector):
    def __init__(self, inner: Connector) -> None:
        self.inner = inner
        self.kind = inner.kind  # type: ignore[misc]
        self.down = False
        self.refuse: str | None = None  # refuse to create tickets with this message
        self.refuse_attachments: str | None = None
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:  # the local connector's desk, files, ...
        return getattr(self.inner, name)

    def _call(self, name: str) -> None:
        with self._lock:
            self.calls[name] += 1
        if self.down:
            raise HelpdeskUnavailable("connection refused (test helpdesk is down)", retry_after=0.1)
        if self.refuse and name == "create_ticket":
            raise HelpdeskRejected(self.refuse)
        if self.refuse_attachments and name == "add_attachment":
            raise HelpdeskRejected(self.refuse_attachments)

    def check(self) -> list[str]:
        return ["the helpdesk is down"] if self.down else []

    def status_map(self) -> StatusMap:
        return self.inner.status_map()

    def find_by_client_id(self, client_ticket_id: str) -> str | None:
        self._call("find_by_client_id")
        return self.inner.find_by_client_id(client_ticket_id)

    def create_ticket(self, ticket: OutgoingTicket) -> str:
        self._call("create_ticket")
        return self.inner.create_ticket(ticket)

    def attachment_keys(self, helpdesk_id: str) -> set[str]:
        self._call("attachment_keys")
        return self.inner.attachment_keys(helpdesk_id)

    def add_attachment(self, helpdesk_id: str, attachment: OutgoingAttachment) -> None:
        self._call("add_attachment")
        self.inner.add_attachment(helpdesk_id, attachment)

    def changed_since(self, since: datetime | None) -> list[HelpdeskTicket]:
        self._call("changed_since")
        return self.inner.changed_since(since)

    def get_ticket(self, helpdesk_id: str) -> HelpdeskTicket:
        self._call("get_ticket")
        return self.inner.get_ticket(helpdesk_id)

    def timeline(self, helpdesk_id: str) -> list[HelpdeskEvent]:
        self._call("timeline")
        return self.inner.timeline(helpdesk_id)

    def reply(self, helpdesk_id: str, text: str, author: Actor,
              attachments: tuple[OutgoingAttachment, ...] = ()) -> None:
        self._call("reply")
        self.inner.reply(helpdesk_id, text, author, attachments)

    def close(self, helpdesk_id: str, text: str, author: Actor) -> None:
        self._call("close")
        self.inner.close(helpdesk_id, text, author)

    def reopen(self, helpdesk_id: str, text: str, author: Actor) -> None:
        self._call("reopen")
        self.inner.reopen(helpdesk_id, text, author)

    def update_contact_details(self, helpdesk_id: str, update: ContactUpdate, author: Actor) -> None:
        self._call("update_contact_details")
        self.inner.update_contact_details(helpdesk_id, update, author)

    def write_escalation(self, helpdesk_id: str, write: EscalationWrite) -> None:
        self._call("write_escalation")
        self.inner.write_escalation(helpdesk_id, write)

    def find_contact(self, email: str, company: str) -> HelpdeskContact | None:
        self._call("find_contact")
        return self.inner.find_contact(email, company)
