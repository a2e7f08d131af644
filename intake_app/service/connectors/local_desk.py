"""Technician actions on the local helpdesk, and its lifecycle job (guide: Pending Closure).

Reached through the technician endpoints and ``intake-app admin ticket ...``;
only the local connector has them (other helpdesks have their own UI).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from intake_app.core.priorities import Priority
from intake_app.core.sla import BusinessCalendar
from intake_app.core.statuses import COMPLETED, PENDING_CLOSURE
from intake_app.service.connectors.base import EventKind, HelpdeskRejected
from intake_app.service.connectors.local_store import LocalStore
from intake_app.service.db import schema as s
from intake_app.service.files import FileStore

AUTOMATIC = "Intake (automatic)"
PENDING_CLOSURE_BUSINESS_DAYS = 1


class LocalDesk:
    def __init__(self, store: LocalStore, files: FileStore) -> None:
        self.store = store
        self.files = files

    def set_status(self, helpdesk_id: str, status: str, actor: str) -> None:
        definition = self.store.status_map.resolve(status)
        if not definition.known:
            names = ", ".join(d.name for d in self.store.status_map.definitions)
            raise HelpdeskRejected(f"“{status}” is not a status of this helpdesk; use one of: {names}.")
        with self.store.db.write() as conn:
            self.store.set_status(conn, self.store.row(conn, helpdesk_id), definition.name, actor)

    def set_priority(self, helpdesk_id: str, priority: Priority, actor: str) -> None:
        with self.store.db.write() as conn:
            row = self.store.row(conn, helpdesk_id)
            if row.priority == int(priority):
                return
            self.store.set_fields(conn, row.id, priority=int(priority))
            self.store.add_event(conn, row.id, EventKind.PRIORITY, actor, "",
                                 f"P{row.priority}" if row.priority else None, priority.label)

    def assign(self, helpdesk_id: str, technician: str, actor: str) -> None:
        with self.store.db.write() as conn:
            row = self.store.row(conn, helpdesk_id)
            if row.technician == technician:
                return
            self.store.set_fields(conn, row.id, technician=technician)
            self.store.add_event(conn, row.id, EventKind.ASSIGNEE, actor, "", row.technician or None,
                                 technician or None)

    def set_appointment(self, helpdesk_id: str, start: datetime, end: datetime, actor: str) -> None:
        if end <= start:
            raise HelpdeskRejected("The appointment must end after it starts.")
        with self.store.db.write() as conn:
            row = self.store.row(conn, helpdesk_id)
            old = (f"{row.appointment_start.isoformat()} – {row.appointment_end.isoformat()}"
                   if row.appointment_start and row.appointment_end else None)
            self.store.set_fields(conn, row.id, appointment_start=start, appointment_end=end)
            self.store.add_event(conn, row.id, EventKind.APPOINTMENT, actor, "", old,
                                 f"{start.isoformat()} – {end.isoformat()}")

    def add_note(self, helpdesk_id: str, text: str, internal: bool, actor: str) -> None:
        if not text.strip():
            raise HelpdeskRejected("A note needs some text.")
        with self.store.db.write() as conn:
            row = self.store.row(conn, helpdesk_id)
            self.store.add_event(conn, row.id, EventKind.NOTE, actor, text, internal=internal)

    def expire_pending_closure(self, now: datetime, calendar_for: Callable[[str], BusinessCalendar]) -> list[str]:
        """Pending Closure with no reply for 1 business day → Completed; returns the helpdesk ids closed."""
        closed: list[str] = []
        with self.store.db.write() as conn:
            rows = conn.execute(select(s.local_tickets).where(s.local_tickets.c.status == PENDING_CLOSURE)).all()
            for row in rows:
                deadline = calendar_for(row.company).add_business_days(row.status_changed_at,
                                                                        PENDING_CLOSURE_BUSINESS_DAYS)
                if now >= deadline:  # ``now`` decides; the history keeps real time (sync watermarks use it)
                    self.store.add_event(conn, row.id, EventKind.NOTE, AUTOMATIC,
                                         "Closed automatically: no reply for 1 business day.")
                    self.store.set_status(conn, row, COMPLETED, AUTOMATIC)
                    closed.append(str(row.id))
        return closed
