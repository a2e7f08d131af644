"""The local connector: the service's own small helpdesk (demos and small teams, SPEC §5).

Tickets, history and attachments live in the service database (``local_*``
tables) and in ``<data>/connector/files`` under generated names. It follows the
guide: new tickets are "New (Portal)", a reply on an open ticket makes it
"Client Responded", on a closed one "Re-opened", "fixed, close it" makes it
"Completed". Technicians act through :class:`~.local_desk.LocalDesk`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from intake_app.core.statuses import (
    COMPLETED,
    DEFAULT_STATUS_MAP,
    REOPENED,
    STATUS_AFTER_REPLY_CLOSED,
    STATUS_AFTER_REPLY_OPEN,
    StatusMap,
)
from intake_app.service.connectors.base import (
    Actor,
    Connector,
    ConnectorContext,
    ConnectorKind,
    ContactUpdate,
    EscalationWrite,
    EventKind,
    HelpdeskContact,
    HelpdeskEvent,
    HelpdeskRejected,
    HelpdeskTicket,
    OutgoingAttachment,
    OutgoingTicket,
)
from intake_app.service.connectors.local_desk import LocalDesk
from intake_app.service.connectors.local_store import LocalStore
from intake_app.service.contacts import LocalContacts
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.files import FileStore


def create(settings: Mapping[str, Any], context: ConnectorContext) -> LocalConnector:
    if not isinstance(context.database, Database):
        raise TypeError("the local connector needs the service database in its context")
    return LocalConnector(context)


class LocalConnector(Connector):
    kind = ConnectorKind.LOCAL

    def __init__(self, context: ConnectorContext) -> None:
        self.db: Database = context.database
        self.clock = context.now
        self.files = FileStore(context.data_dir / "files", "h")
        self.store = LocalStore(self.db, self.clock, DEFAULT_STATUS_MAP)
        self.desk = LocalDesk(self.store, self.files)
        self.contacts = LocalContacts(self.db, self.clock)

    def check(self) -> list[str]:
        return []

    def recover(self) -> int:
        """Files written by ``add_attachment`` whose row never committed (a crash in between)."""
        with self.db.read() as conn:
            referenced = conn.execute(select(s.local_attachments.c.stored_name)).scalars().all()
        return self.files.sweep(referenced)

    def status_map(self) -> StatusMap:
        return DEFAULT_STATUS_MAP

    # -- relay ----------------------------------------------------------------------

    def find_by_client_id(self, client_ticket_id: str) -> str | None:
        with self.db.read() as conn:
            row = conn.execute(select(s.local_tickets.c.id).where(
                s.local_tickets.c.client_ticket_id == client_ticket_id)).first()
        return str(row.id) if row is not None else None

    def create_ticket(self, ticket: OutgoingTicket) -> str:
        draft, now = ticket.draft, self.clock()
        contact = draft.contact if ticket.catch_all else ticket.contact.to_contact()
        with self.db.write() as conn:
            ticket_id = int(conn.execute(insert(s.local_tickets).values(
                client_ticket_id=ticket.client_ticket_id, reference=ticket.reference, company=ticket.company,
                summary=draft.summary.strip()[:100], description=_description(ticket),
                status=self.store.status_map.canonical(ticket.initial_status), priority=None,
                requested_priority=int(draft.requested_priority), contact_json=json.dumps(contact.to_dict()),
                contact_method=draft.contact_method.value, contact_method_detail=draft.contact_method_detail,
                availability_json=json.dumps(draft.availability.to_dict()), created_at=now, updated_at=now,
                status_changed_at=now)).inserted_primary_key[0])
            author = draft.contact.name or draft.contact.email
            self.store.add_event(conn, ticket_id, EventKind.CREATED, author,
                                 f"Filed from Intake as {ticket.reference}.", now=now)
            if ticket.machine_details:
                self.store.add_event(conn, ticket_id, EventKind.NOTE, "Intake", ticket.machine_details,
                                     internal=True, now=now)
            if draft.contact_corrections:
                changes = "; ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in draft.contact_corrections.items())
                self.store.add_event(conn, ticket_id, EventKind.CONTACT_UPDATE, author,
                                     f"Contact details corrected by the user: {changes}", now=now)
            if ticket.catch_all:
                self.store.add_event(conn, ticket_id, EventKind.NOTE, "Intake",
                                     f"Unknown contact {draft.contact.email}; filed under the catch-all contact "
                                     f"{ticket.contact.name} <{ticket.contact.email}>.", internal=True, now=now)
        return str(ticket_id)

    def attachment_keys(self, helpdesk_id: str) -> set[str]:
        with self.db.read() as conn:
            row = self.store.row(conn, helpdesk_id)
            return {r.key for r in conn.execute(select(s.local_attachments.c.key).where(
                s.local_attachments.c.ticket_id == row.id))}

    def add_attachment(self, helpdesk_id: str, attachment: OutgoingAttachment) -> None:
        stored = self.files.put_bytes(attachment.read_bytes())
        try:
            with self.db.write() as conn:
                row = self.store.row(conn, helpdesk_id)
                exists = conn.execute(select(s.local_attachments.c.id).where(
                    s.local_attachments.c.ticket_id == row.id, s.local_attachments.c.key == attachment.key)).first()
                if exists is not None:
                    self.files.delete(stored)
                    return
                conn.execute(insert(s.local_attachments).values(
                    ticket_id=row.id, key=attachment.key, filename=attachment.filename,
                    media_type=attachment.media_type, size=attachment.size, sha256=attachment.sha256,
                    stored_name=stored, created_at=self.clock()))
        except BaseException:
            self.files.delete(stored)
            raise

    # -- sync -----------------------------------------------------------------------

    def changed_since(self, since: datetime | None) -> list[HelpdeskTicket]:
        return self.store.changed_since(since)

    def get_ticket(self, helpdesk_id: str) -> HelpdeskTicket:
        return self.store.ticket(helpdesk_id)

    def timeline(self, helpdesk_id: str) -> list[HelpdeskEvent]:
        return self.store.events(helpdesk_id)

    # -- user actions ---------------------------------------------------------------

    def reply(self, helpdesk_id: str, text: str, author: Actor,
              attachments: tuple[OutgoingAttachment, ...] = ()) -> None:
        for attachment in attachments:
            self.add_attachment(helpdesk_id, attachment)
        with self.db.write() as conn:
            row = self.store.row(conn, helpdesk_id)
            closed = not self.store.status_map.category(row.status).is_open
            self.store.add_event(conn, row.id, EventKind.REPLY, author.name or author.email, text)
            self.store.set_status(conn, row, STATUS_AFTER_REPLY_CLOSED if closed else STATUS_AFTER_REPLY_OPEN,
                                  author.name or author.email)

    def close(self, helpdesk_id: str, text: str, author: Actor) -> None:
        with self.db.write() as conn:
            row = self.store.row(conn, helpdesk_id)
            if text.strip():
                self.store.add_event(conn, row.id, EventKind.REPLY, author.name or author.email, text)
            self.store.set_status(conn, row, COMPLETED, author.name or author.email)

    def reopen(self, helpdesk_id: str, text: str, author: Actor) -> None:
        with self.db.write() as conn:
            row = self.store.row(conn, helpdesk_id)
            if self.store.status_map.category(row.status).is_open:
                raise HelpdeskRejected("This ticket is still open; reply on it instead.")
            self.store.add_event(conn, row.id, EventKind.REPLY, author.name or author.email, text)
            self.store.set_status(conn, row, REOPENED, author.name or author.email)

    def update_contact_details(self, helpdesk_id: str, update: ContactUpdate, author: Actor) -> None:
        values: dict[str, Any] = {}
        if update.availability is not None:
            values["availability_json"] = json.dumps(update.availability.to_dict())
        if update.contact_method is not None:
            values["contact_method"] = update.contact_method.value
        if update.contact_method_detail is not None:
            values["contact_method_detail"] = update.contact_method_detail
        with self.db.write() as conn:
            row = self.store.row(conn, helpdesk_id)
            if values:
                self.store.set_fields(conn, row.id, **values)
            self.store.add_event(conn, row.id, EventKind.CONTACT_UPDATE, author.name or author.email,
                                 update.describe())

    def write_escalation(self, helpdesk_id: str, write: EscalationWrite) -> None:
        dedupe = f"escalation:{write.key}"
        with self.db.write() as conn:
            row = self.store.row(conn, helpdesk_id)
            if conn.execute(select(s.local_events.c.id).where(s.local_events.c.dedupe_key == dedupe)).first():
                return  # a retried write
            self.store.add_event(conn, row.id, EventKind.ESCALATION, write.actor, write.note, dedupe_key=dedupe)
            if write.set_priority is not None and write.set_priority != row.priority:
                self.store.set_fields(conn, row.id, priority=write.set_priority)
                self.store.add_event(conn, row.id, EventKind.PRIORITY, write.actor, "",
                                     _p(row.priority), _p(write.set_priority))
            if write.billing_marker:
                marker = "\n".join(filter(None, [row.billing_marker, write.billing_marker]))
                self.store.set_fields(conn, row.id, billing_marker=marker)

    # -- contacts -------------------------------------------------------------------

    def find_contact(self, email: str, company: str) -> HelpdeskContact | None:
        return self.contacts.find(company, email)


def _p(priority: int | None) -> str | None:
    return f"P{priority}" if priority else None


def _description(ticket: OutgoingTicket) -> str:
    draft = ticket.draft
    parts = [draft.description.strip()]
    if draft.error_details.strip():
        parts.append(f"Error details:\n{draft.error_details}")
    parts.append(f"Device: {draft.device_name}")
    if draft.reported_for is not None:
        parts.append(f"Reported for: {draft.reported_for.name} {draft.reported_for.email}".strip())
    parts.append(f"Best contact: {draft.contact_method.label} {draft.contact_method_detail}".strip())
    parts.append(f"Availability: {draft.availability.describe()}")
    return "\n\n".join(p for p in parts if p)
