"""Writing escalation audit entries to the helpdesk (note, priority 2 on approval, billing marker).

Entries are written in order, once their ticket exists in the helpdesk; each has
a stable key (``esc-<id>-<seq>``) so a write repeated after a crash can be
recognised by the connector.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from intake_app.service.connectors.base import Connector, EscalationWrite, HelpdeskRejected
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.tickets.refs import format_reference

log = logging.getLogger(__name__)

ESCALATED_PRIORITY = 2


def escalation_write(entry: Any, fee: str, reference: str) -> EscalationWrite:
    """The helpdesk record for one audit entry."""
    how = "by phone, recorded by" if entry.channel == "phone" else "in Intake by"
    reason = f" Reason: {entry.reason}" if entry.reason else ""
    if entry.action == "requested":
        note = (f"Paid escalation requested by {entry.actor} ({fee} flat fee), waiting for the "
                f"primary IT contact's approval.{reason}")
    elif entry.action == "approved":
        note = (f"Paid escalation APPROVED {how} {entry.actor}: {fee} flat fee; priority raised to "
                f"P{ESCALATED_PRIORITY}.{reason}")
    else:
        note = f"Paid escalation {entry.action} {how} {entry.actor}.{reason}"
    approved = entry.action == "approved"
    return EscalationWrite(
        key=f"esc-{entry.escalation_id}-{entry.seq}", action=entry.action, actor=entry.actor, channel=entry.channel,
        reason=entry.reason, fee=fee, note=f"[Intake {reference}] {note}",
        set_priority=ESCALATED_PRIORITY if approved else None,
        billing_marker=f"Paid escalation approved: {fee} flat fee (Intake {reference})" if approved else None)


class EscalationWriter:
    def __init__(self, db: Database, connector: Connector, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.connector = connector
        self.clock = clock

    def write_pending(self) -> set[str]:
        """Write every audit entry not yet in the helpdesk; returns the helpdesk ids touched.

        HelpdeskUnavailable stops the pass (the rest are written next time).
        """
        query = (select(s.escalation_audit, s.escalations.c.fee, s.escalations.c.ticket_id,
                        s.tickets.c.helpdesk_id)
                 .join(s.escalations, s.escalations.c.id == s.escalation_audit.c.escalation_id)
                 .join(s.tickets, s.tickets.c.id == s.escalations.c.ticket_id)
                 .where(s.escalation_audit.c.written_at.is_(None), s.tickets.c.helpdesk_id.is_not(None),
                        s.tickets.c.relay_state.in_(["forwarded", "email"]))
                 .order_by(s.escalation_audit.c.escalation_id, s.escalation_audit.c.seq))
        with self.db.read() as conn:
            entries = conn.execute(query).all()
        touched: set[str] = set()
        for entry in entries:
            write = escalation_write(entry, entry.fee, format_reference(entry.ticket_id))
            error = ""
            try:
                self.connector.write_escalation(entry.helpdesk_id, write)
            except HelpdeskRejected as exc:
                log.warning("the helpdesk refused escalation entry %s: %s", write.key, exc)
                error = str(exc)
            with self.db.write() as conn:
                conn.execute(update(s.escalation_audit).where(s.escalation_audit.c.id == entry.id)
                             .values(written_at=self.clock(), write_error=error))
            touched.add(entry.helpdesk_id)
        return touched
