"""Paid escalation of an open P3 ticket, its approval and its audit (SPEC §3, ``core.escalation``).

The rules live in ``core.escalation``; this module stores requests and every
audit entry, enforces who may decide (the *verified* primary contact in the app,
or a technician recording a phone approval), and leaves each audit entry marked
"not yet written" until the relay worker has written it to the helpdesk (note,
priority 2 on approval, billing marker). So a decision is never lost when the
helpdesk is down.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from intake_app.core.escalation import (
    AuditEntry,
    DecisionChannel,
    EscalationError,
    EscalationRequest,
    EscalationState,
)
from intake_app.core.priorities import Priority
from intake_app.service.companies import Companies
from intake_app.service.contacts import ContactDirectory
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.errors import Conflict, Forbidden, Invalid, NotFound
from intake_app.service.identity import Principal
from intake_app.service.tickets.refs import format_reference
from intake_app.service.tickets.views import TicketViews


def insert_request(conn: Connection, ticket_id: int, company_id: int | None, request: EscalationRequest) -> int:
    """Store a new request and its first audit entry; returns the escalation id."""
    first = request.audit[0]
    esc_id = int(conn.execute(insert(s.escalations).values(
        ticket_id=ticket_id, company_id=company_id, state=request.state.value, fee=request.fee,
        requested_by=request.requested_by, created_at=first.at, updated_at=first.at)).inserted_primary_key[0])
    _insert_audit(conn, esc_id, 1, first)
    return esc_id


def _insert_audit(conn: Connection, esc_id: int, seq: int, entry: AuditEntry) -> None:
    conn.execute(insert(s.escalation_audit).values(
        escalation_id=esc_id, seq=seq, at=entry.at, actor=entry.actor, action=entry.action,
        reason=entry.reason, channel=entry.channel))


def load(conn: Connection, esc_id: int) -> tuple[Any, EscalationRequest] | None:
    row = conn.execute(select(s.escalations).where(s.escalations.c.id == esc_id)).first()
    if row is None:
        return None
    audit = conn.execute(select(s.escalation_audit).where(s.escalation_audit.c.escalation_id == esc_id)
                         .order_by(s.escalation_audit.c.seq)).all()
    request = EscalationRequest(format_reference(row.ticket_id), row.requested_by, row.fee,
                                EscalationState(row.state),
                                tuple(AuditEntry(a.at, a.actor, a.action, a.reason, a.channel) for a in audit))
    return row, request


def to_dict(esc_id: int, request: EscalationRequest) -> dict[str, Any]:
    return {"id": esc_id, "ticket": request.ticket_ref, "state": request.state.value, "fee": request.fee,
            "requested_by": request.requested_by, "audit": [a.to_dict() for a in request.audit]}


class Escalations:
    def __init__(self, db: Database, companies: Companies, directory: ContactDirectory, views: TicketViews,
                 clock: Callable[[], datetime], wake_relay: Callable[[], None]) -> None:
        self.db = db
        self.companies = companies
        self.directory = directory
        self.views = views
        self.clock = clock
        self.wake_relay = wake_relay

    def request(self, who: Principal, ref: str, reason: str) -> dict[str, Any]:
        row = self.views.visible_row(who, ref)
        if row.company_id is None:
            raise Conflict("This ticket belongs to no company known to Intake; it cannot be escalated here.")
        policy = self.companies.policy(row.company_id)
        if not policy.escalation_enabled:
            raise Conflict("Paid escalation is not offered; call the support phone instead.")
        priority = Priority(row.hd_priority or row.requested_priority or 3)
        try:
            request = EscalationRequest.open(format_reference(row.id), priority, self.views.is_open(row),
                                             who.display, policy.escalation_fee, reason.strip(), now=self.clock())
        except EscalationError as exc:
            raise Conflict(str(exc)) from None
        with self.db.write() as conn:
            active = conn.execute(select(s.escalations.c.state).where(
                s.escalations.c.ticket_id == row.id,
                s.escalations.c.state.in_([EscalationState.PENDING.value, EscalationState.APPROVED.value]))).first()
            if active is not None:
                raise Conflict(f"This ticket already has an escalation that is {active.state}.")
            esc_id = insert_request(conn, row.id, row.company_id, request)
            conn.execute(update(s.tickets).where(s.tickets.c.id == row.id).values(updated_at=self.clock()))
        self.wake_relay()
        return to_dict(esc_id, request)

    def list(self, who: Principal, state: str | None = None) -> list[dict[str, Any]]:
        if who.is_technician:
            company_id = None
        else:
            self._require_primary(who)
            company_id = who.company_id
        query = select(s.escalations.c.id)
        if company_id is not None:
            query = query.where(s.escalations.c.company_id == company_id)
        if state:
            query = query.where(s.escalations.c.state == state)
        with self.db.read() as conn:
            ids = [r.id for r in conn.execute(query.order_by(s.escalations.c.id))]
            return [to_dict(i, loaded[1]) for i in ids if (loaded := load(conn, i)) is not None]

    def decide(self, who: Principal, esc_id: int, approve: bool, reason: str) -> dict[str, Any]:
        """A decision in the app: only the company's verified primary contact."""
        with self.db.read() as conn:
            loaded = load(conn, esc_id)
        if loaded is None or (loaded[0].company_id != who.company_id):
            raise NotFound("No such escalation.")
        self._require_primary(who)
        return self._decide(esc_id, approve, who.display, True, reason, DecisionChannel.APP)

    def record_phone(self, tech: Principal, ref: str, approve: bool, reason: str) -> dict[str, Any]:
        """A technician records the primary contact's decision made by phone."""
        row = self.views.visible_row(tech, ref)
        with self.db.read() as conn:
            pending = conn.execute(select(s.escalations.c.id).where(
                s.escalations.c.ticket_id == row.id, s.escalations.c.state == EscalationState.PENDING.value)).first()
        if pending is None:
            raise Conflict("This ticket has no pending escalation to decide.")
        return self._decide(pending.id, approve, tech.display, False, reason, DecisionChannel.PHONE)

    def _decide(self, esc_id: int, approve: bool, actor: str, is_primary: bool, reason: str,
                channel: DecisionChannel) -> dict[str, Any]:
        now = self.clock()
        with self.db.write() as conn:
            loaded = load(conn, esc_id)
            if loaded is None:
                raise NotFound("No such escalation.")
            row, request = loaded
            try:
                decided = request.decide(approve, actor, is_primary, reason.strip(), channel, now=now)
            except EscalationError as exc:
                if channel is DecisionChannel.PHONE and request.state is EscalationState.PENDING:
                    raise Invalid({"reason": str(exc)}) from None
                raise Conflict(str(exc)) from None
            _insert_audit(conn, esc_id, len(decided.audit), decided.audit[-1])
            conn.execute(update(s.escalations).where(s.escalations.c.id == esc_id)
                         .values(state=decided.state.value, updated_at=now))
            conn.execute(update(s.tickets).where(s.tickets.c.id == row.ticket_id).values(updated_at=now))
        self.wake_relay()
        return to_dict(esc_id, decided)

    def _require_primary(self, who: Principal) -> None:
        if who.company_id is None or not who.verified:
            raise Forbidden("Only your company's primary IT contact can do this, after verifying their e-mail.")
        company = self.companies.get(who.company_id)
        assert who.verified_email is not None
        if not self.directory.resolve(company, who.verified_email).is_primary:
            raise Forbidden("Only your company's primary IT contact can approve or deny an escalation.")
