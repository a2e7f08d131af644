"""Writing what the helpdesk said into the service's cache (the ``tickets`` rows).

Used by the sync loop, by the relay after forwarding, and after user or
technician actions. ``updated_at`` moves only when something a user can see
changed, so ``updated_since`` polling returns only real changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from intake_app.service.connectors.base import HelpdeskEvent, HelpdeskTicket
from intake_app.service.db import schema as s

VISIBLE = ("hd_status", "hd_priority", "hd_technician", "hd_appointment_json", "hd_contact_json", "hd_summary",
           "hd_description", "timeline_json", "helpdesk_id")


def cache_values(ticket: HelpdeskTicket, events: list[HelpdeskEvent]) -> dict[str, Any]:
    contact = ticket.contact
    return {
        "helpdesk_id": ticket.helpdesk_id,
        "hd_status": ticket.status,
        "hd_priority": ticket.priority if ticket.priority in (1, 2, 3, 4) else None,
        "hd_technician": ticket.technician or "",
        "hd_appointment_json": json.dumps(ticket.appointment.to_dict()) if ticket.appointment else None,
        "hd_contact_json": json.dumps({"name": contact.name, "email": contact.email, "phone": contact.phone,
                                       "company": contact.company}) if contact else None,
        "hd_summary": ticket.summary[:200] or None,
        "hd_description": ticket.description,
        "hd_updated_at": ticket.updated_at,
        "timeline_json": json.dumps([e.to_dict() for e in events]),
    }


def apply(conn: Connection, ticket: HelpdeskTicket, events: list[HelpdeskEvent], now: datetime,
          company_id_for: Callable[[str], int | None]) -> int:
    """Upsert the cache for ``ticket``; returns the ``tickets`` row id."""
    values = cache_values(ticket, events)
    row = conn.execute(select(s.tickets).where(s.tickets.c.helpdesk_id == ticket.helpdesk_id)).first()
    if row is None and ticket.client_ticket_id:
        row = conn.execute(select(s.tickets).where(s.tickets.c.client_ticket_id == ticket.client_ticket_id,
                                                   s.tickets.c.helpdesk_id.is_(None))).first()
    if row is None:
        contact_email = (ticket.contact.email if ticket.contact else "").strip().lower()
        return int(conn.execute(insert(s.tickets).values(
            company_id=company_id_for(ticket.company), device_id=None, client_ticket_id=ticket.client_ticket_id,
            origin="helpdesk", summary=ticket.summary[:200], contact_email=contact_email,
            relay_state="forwarded", forwarded_at=now, synced_at=now, created_at=ticket.created_at,
            updated_at=now, **values)).inserted_primary_key[0])
    if row.hd_updated_at is not None and ticket.updated_at < row.hd_updated_at:
        return int(row.id)  # an older snapshot (a slow sync pass) than what an action just wrote
    if row.origin == "helpdesk":  # no user-given contact: the helpdesk's decides who sees it
        values["contact_email"] = (ticket.contact.email if ticket.contact else "").strip().lower()
    changed = any(getattr(row, key) != values[key] for key in VISIBLE)
    extra: dict[str, Any] = {"synced_at": now}
    if changed:
        extra["updated_at"] = now
    conn.execute(update(s.tickets).where(s.tickets.c.id == row.id).values(**values, **extra))
    return int(row.id)


def company_lookup(conn: Connection) -> Callable[[str], int | None]:
    """Company name (case-insensitive) -> id, memoised for one sync pass."""
    memo: dict[str, int | None] = {}

    def lookup(name: str) -> int | None:
        key = name.strip().lower()
        if key not in memo:
            row = conn.execute(select(s.companies.c.id).where(func.lower(s.companies.c.name) == key)).first()
            memo[key] = row.id if row is not None else None
        return memo[key]

    return lookup
