"""Intake references (``INT-000042``) and finding a ticket row by reference or helpdesk id."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, or_, select

from intake_app.service.db import schema as s

_REF = re.compile(r"^INT-?(\d{1,12})$", re.IGNORECASE)


def format_reference(ticket_id: int) -> str:
    return f"INT-{ticket_id:06d}"


def parse_reference(ref: str) -> int | None:
    match = _REF.match(ref.strip())
    return int(match.group(1)) if match else None


def find_row(conn: Connection, ref: str) -> Any:
    """The ``tickets`` row for an Intake reference or a helpdesk id, or None."""
    ticket_id = parse_reference(ref)
    condition = s.tickets.c.helpdesk_id == ref.strip()
    if ticket_id is not None:
        condition = or_(s.tickets.c.id == ticket_id, condition)
    return conn.execute(select(s.tickets).where(condition).order_by(s.tickets.c.id).limit(1)).first()
