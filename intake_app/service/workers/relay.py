"""The relay: forwards accepted tickets from the service's outbox to the helpdesk (SPEC §5).

For each due ticket: look its client ticket id up in the helpdesk, create it
only when absent, record the helpdesk id, add each attachment the helpdesk does
not have yet (by key), then mark it forwarded and refresh its cache. Each step
can be repeated after a crash without creating anything twice. When the
helpdesk is down, the ticket waits with exponential backoff (and so does the
whole relay, rather than hammering a helpdesk that is down). A permanent refusal
marks the ticket ``failed`` with the helpdesk's message.

The same worker writes escalation audit entries to the helpdesk once the
ticket exists there.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from intake_app.core.ticket import AttachmentKind, TicketDraft
from intake_app.service.companies import Companies
from intake_app.service.connectors.base import (
    Connector,
    HelpdeskContact,
    HelpdeskRejected,
    HelpdeskUnavailable,
    OutgoingAttachment,
    OutgoingTicket,
)
from intake_app.service.contacts import ContactDirectory
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.errors import Conflict
from intake_app.service.files import FileStore
from intake_app.service.testhooks import FaultPlan
from intake_app.service.tickets.refs import format_reference
from intake_app.service.workers.escalation_writes import EscalationWriter
from intake_app.service.workers.sync import Sync

log = logging.getLogger(__name__)

IDLE_SECONDS = 5.0


class Relay:
    def __init__(self, db: Database, connector: Connector, files: FileStore, companies: Companies,
                 directory: ContactDirectory, sync: Sync, clock: Callable[[], datetime],
                 retry_base: float = 2.0, retry_max: float = 600.0, faults: FaultPlan | None = None) -> None:
        self.db = db
        self.connector = connector
        self.files = files
        self.companies = companies
        self.directory = directory
        self.sync = sync
        self.clock = clock
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.faults = faults or FaultPlan()
        self.escalations = EscalationWriter(db, connector, clock)
        self._paused_until: datetime | None = None

    def step(self) -> float:
        """One pass (the worker loop's job); returns seconds until the next pass is useful."""
        self.run_once()
        if self._paused_until is not None:
            return max(0.05, min(IDLE_SECONDS, (self._paused_until - self.clock()).total_seconds()))
        return IDLE_SECONDS

    def run_once(self) -> int:
        """Forward every due ticket, then pending escalation writes; returns how many tickets were handled."""
        now = self.clock()
        if self._paused_until is not None and now < self._paused_until:
            return 0
        self._paused_until = None
        handled = 0
        with self.db.read() as conn:
            due = conn.execute(select(s.tickets.c.id).where(
                s.tickets.c.relay_state == "accepted", s.tickets.c.next_attempt_at <= now)
                .order_by(s.tickets.c.id)).scalars().all()
        for ticket_id in due:
            if not self._forward_one(ticket_id):
                return handled  # the helpdesk is down: the rest wait for the pause to end
            handled += 1
        try:
            for helpdesk_id in self.escalations.write_pending():
                self.sync.refresh(helpdesk_id)
        except HelpdeskUnavailable as exc:
            log.warning("escalation write-back postponed: %s", exc)
        return handled

    def _forward_one(self, ticket_id: int) -> bool:
        with self.db.read() as conn:
            row = conn.execute(select(s.tickets).where(s.tickets.c.id == ticket_id)).first()
            attachments = conn.execute(select(s.ticket_attachments).where(
                s.ticket_attachments.c.ticket_id == ticket_id).order_by(s.ticket_attachments.c.id)).all()
        if row is None or row.relay_state != "accepted":
            return True
        reference = format_reference(row.id)
        try:
            self._forward(row, attachments)
        except HelpdeskUnavailable as exc:
            self._postpone(row, str(exc), exc.retry_after)
            return False
        except HelpdeskRejected as exc:
            log.warning("the helpdesk refused %s: %s", reference, exc)
            self._set(row.id, relay_state="failed", last_error=str(exc))
        except Exception as exc:  # a bug or a broken connector: keep the ticket, retry later
            log.exception("forwarding %s failed unexpectedly", reference)
            self._postpone(row, f"{type(exc).__name__}: {exc}", None)
            return False
        return True

    def _forward(self, row: Any, attachments: list[Any]) -> None:
        reference = format_reference(row.id)
        draft = TicketDraft.from_dict(json.loads(row.draft_json))
        outgoing_attachments = tuple(self._outgoing_attachment(a) for a in attachments)
        helpdesk_id = row.helpdesk_id
        if helpdesk_id is None:
            helpdesk_id = self.connector.find_by_client_id(draft.client_ticket_id)
            if helpdesk_id is None:
                helpdesk_id = self.connector.create_ticket(self._outgoing(row, draft, outgoing_attachments))
                self.faults.reached("after_create")
                log.info("%s created in the helpdesk as %s", reference, helpdesk_id)
            else:
                log.info("%s was already in the helpdesk as %s", reference, helpdesk_id)
            self._record_helpdesk_id(row.id, helpdesk_id)
        present = self.connector.attachment_keys(helpdesk_id)
        refused: list[str] = []
        for attachment in outgoing_attachments:
            if attachment.key in present:
                continue
            try:
                self.connector.add_attachment(helpdesk_id, attachment)
            except HelpdeskRejected as exc:  # the ticket exists: keep the file here, say why it is not there
                log.warning("the helpdesk refused attachment %s of %s: %s", attachment.key, reference, exc)
                refused.append(f"{attachment.filename}: {exc}")
                continue
            present.add(attachment.key)
            self.faults.reached("after_attachment")
        with self.db.write() as conn:
            conn.execute(update(s.ticket_attachments).where(s.ticket_attachments.c.ticket_id == row.id,
                                                            s.ticket_attachments.c.key.in_(present),
                                                            s.ticket_attachments.c.forwarded_at.is_(None))
                         .values(forwarded_at=self.clock()))
        try:  # cache first, so "forwarded" is never seen without the helpdesk's status
            self.sync.refresh(helpdesk_id)
        except HelpdeskUnavailable as exc:  # forwarded all the same; the next sync fills the cache
            log.warning("refreshing %s after forwarding failed: %s", reference, exc)
        state = "email" if self.connector.send_only else "forwarded"
        self._set(row.id, relay_state=state, last_error="; ".join(refused), forwarded_at=self.clock())

    def retry(self, ticket_id: int) -> None:
        """Put a failed ticket back in the outbox (after the admin fixed what the helpdesk refused)."""
        now = self.clock()
        with self.db.write() as conn:
            done = conn.execute(
                update(s.tickets).where(s.tickets.c.id == ticket_id, s.tickets.c.relay_state == "failed")
                .values(relay_state="accepted", attempts=0, next_attempt_at=now, updated_at=now)).rowcount
        if not done:
            raise Conflict("Only a ticket the helpdesk refused (relay state failed) can be sent again.")

    def _outgoing(self, row: Any, draft: TicketDraft, attachments: tuple[OutgoingAttachment, ...]) -> OutgoingTicket:
        company = self.companies.get(row.company_id)
        resolved = self.directory.resolve(company, draft.contact.email)
        contact = resolved.contact
        if resolved.catch_all and not contact.email:  # no catch-all configured: file under the user's own details
            contact = HelpdeskContact(draft.contact.name, draft.contact.email, draft.contact.phone, company.name)
        details = draft.system_info_text or (json.dumps(draft.system_info, indent=2) if draft.system_info else "")
        return OutgoingTicket(draft=draft, reference=format_reference(row.id), company=company.name,
                              contact=contact, catch_all=resolved.catch_all, machine_details=details,
                              attachments=attachments, escalation_requested=draft.escalation_requested)

    def _outgoing_attachment(self, row: Any) -> OutgoingAttachment:
        return OutgoingAttachment(row.key, row.filename, row.media_type, row.size, row.sha256,
                                  AttachmentKind(row.kind), self.files.path(row.stored_name))

    def _record_helpdesk_id(self, ticket_id: int, helpdesk_id: str) -> None:
        """Store the helpdesk id; if the sync cached the same ticket as a separate row meanwhile, merge it."""
        now = self.clock()
        with self.db.write() as conn:
            twin = conn.execute(select(s.tickets.c.id, s.tickets.c.origin).where(
                s.tickets.c.helpdesk_id == helpdesk_id, s.tickets.c.id != ticket_id)).first()
            if twin is not None and twin.origin != "helpdesk":
                # another Intake ticket (maybe another company's) owns it: helpdesks look client ids up
                # across companies, so a reused id must never link to, or take over, someone else's ticket
                raise HelpdeskRejected("The helpdesk already has a ticket with this client ticket id that belongs "
                                       "to another Intake ticket; submit this one again as a new ticket.")
            if twin is not None:
                conn.execute(update(s.escalations).where(s.escalations.c.ticket_id == twin.id)
                             .values(ticket_id=ticket_id))
                conn.execute(s.tickets.delete().where(s.tickets.c.id == twin.id, s.tickets.c.origin == "helpdesk"))
            conn.execute(update(s.tickets).where(s.tickets.c.id == ticket_id)
                         .values(helpdesk_id=helpdesk_id, updated_at=now))

    def _postpone(self, row: Any, error: str, retry_after: float | None) -> None:
        attempts = row.attempts + 1
        delay = min(self.retry_max, self.retry_base * (2 ** min(attempts - 1, 30)))
        if retry_after is not None:
            delay = min(self.retry_max, max(delay, retry_after))
        next_at = self.clock() + timedelta(seconds=delay)
        log.warning("%s waits in the outbox (attempt %d, next in %.0f s): %s",
                    format_reference(row.id), attempts, delay, error)
        self._set(row.id, attempts=attempts, next_attempt_at=next_at, last_error=error, touch=False)
        self._paused_until = next_at

    def _set(self, ticket_id: int, touch: bool = True, **values: Any) -> None:
        if touch:
            values["updated_at"] = self.clock()
        with self.db.write() as conn:
            conn.execute(update(s.tickets).where(s.tickets.c.id == ticket_id).values(**values))
