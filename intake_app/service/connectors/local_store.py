"""The local helpdesk's store: tickets, their history and attachments, in the service database.

Low-level and shared by the local connector (what the relay and users do) and
the local desk (what technicians do). Every change appends an event and moves
``updated_at``, which is what ``changed_since`` reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from intake_app.core.statuses import StatusMap
from intake_app.service.connectors.base import (
    Appointment,
    EventKind,
    HelpdeskContact,
    HelpdeskEvent,
    HelpdeskNotFound,
    HelpdeskTicket,
)
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database


class LocalStore:
    def __init__(self, db: Database, clock: Callable[[], datetime], status_map: StatusMap) -> None:
        self.db = db
        self.clock = clock
        self.status_map = status_map

    # -- reading ------------------------------------------------------------------

    def row(self, conn: Connection, helpdesk_id: str) -> Any:
        try:
            ticket_id = int(helpdesk_id)
        except ValueError:
            raise HelpdeskNotFound(f"No local ticket {helpdesk_id!r}.") from None
        row = conn.execute(select(s.local_tickets).where(s.local_tickets.c.id == ticket_id)).first()
        if row is None:
            raise HelpdeskNotFound(f"No local ticket {helpdesk_id}.")
        return row

    def ticket(self, helpdesk_id: str) -> HelpdeskTicket:
        with self.db.read() as conn:
            return to_ticket(self.row(conn, helpdesk_id))

    def changed_since(self, since: datetime | None) -> list[HelpdeskTicket]:
        query = select(s.local_tickets)
        if since is not None:
            query = query.where(s.local_tickets.c.updated_at >= since)
        with self.db.read() as conn:
            return [to_ticket(r) for r in conn.execute(query.order_by(s.local_tickets.c.updated_at))]

    def events(self, helpdesk_id: str, *, internal: bool = False) -> list[HelpdeskEvent]:
        with self.db.read() as conn:
            row = self.row(conn, helpdesk_id)
            query = select(s.local_events).where(s.local_events.c.ticket_id == row.id)
            if not internal:
                query = query.where(s.local_events.c.internal.is_(False))
            return [HelpdeskEvent(e.at, EventKind(e.kind), e.author, e.text, e.old, e.new)
                    for e in conn.execute(query.order_by(s.local_events.c.at, s.local_events.c.id))]

    # -- writing ------------------------------------------------------------------

    def add_event(self, conn: Connection, ticket_id: int, kind: EventKind, author: str, text: str = "",
                  old: str | None = None, new: str | None = None, internal: bool = False,
                  dedupe_key: str | None = None, now: datetime | None = None) -> None:
        now = now or self.clock()
        conn.execute(insert(s.local_events).values(
            ticket_id=ticket_id, at=now, kind=kind.value, author=author, text=text, old=old, new=new,
            internal=internal, dedupe_key=dedupe_key))
        conn.execute(update(s.local_tickets).where(s.local_tickets.c.id == ticket_id).values(updated_at=now))

    def set_status(self, conn: Connection, row: Any, status: str, author: str, now: datetime | None = None) -> None:
        now = now or self.clock()
        status = self.status_map.canonical(status)
        if status == row.status:
            return
        conn.execute(update(s.local_tickets).where(s.local_tickets.c.id == row.id)
                     .values(status=status, status_changed_at=now, updated_at=now))
        self.add_event(conn, row.id, EventKind.STATUS, author, "", row.status, status, now=now)

    def set_fields(self, conn: Connection, ticket_id: int, **values: Any) -> None:
        conn.execute(update(s.local_tickets).where(s.local_tickets.c.id == ticket_id)
                     .values(updated_at=self.clock(), **values))


def to_ticket(row: Any) -> HelpdeskTicket:
    contact = json.loads(row.contact_json or "{}")
    appointment = (Appointment(row.appointment_start, row.appointment_end)
                   if row.appointment_start and row.appointment_end else None)
    return HelpdeskTicket(
        helpdesk_id=str(row.id), summary=row.summary, status=row.status, created_at=row.created_at,
        updated_at=row.updated_at, priority=row.priority, company=row.company,
        contact=HelpdeskContact(contact.get("name", ""), contact.get("email", ""), contact.get("phone", ""),
                                contact.get("company", row.company)) if contact else None,
        technician=row.technician, appointment=appointment, client_ticket_id=row.client_ticket_id,
        description=row.description)
