"""What a caller may see of tickets, and in which shape (``TicketSummary`` / detail of docs/API.md).

Visibility: a device sees the tickets it filed; once its user verified their
e-mail, also every ticket of the company whose contact is that address; a
verified primary contact may ask for the whole company (``scope=all``);
technicians see everything. Anything else is "not found" (never 403), so a
reference reveals nothing. Answers come from the cache, never the helpdesk.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true

from intake_app.core.policy import Policy
from intake_app.core.priorities import Priority
from intake_app.core.statuses import StatusCategory, StatusDefinition, StatusMap
from intake_app.service.companies import Companies
from intake_app.service.contacts import ContactDirectory
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.errors import Forbidden, NotFound
from intake_app.service.identity import Principal
from intake_app.service.tickets.refs import find_row, format_reference

RECEIVED = StatusDefinition("Received", StatusCategory.NEW,
                            "Intake has your ticket and is handing it to the helpdesk.")
NOT_DELIVERED = StatusDefinition("Not delivered", StatusCategory.NEW,
                                 "The helpdesk did not accept this ticket; please call the support phone.")
SENT_BY_EMAIL = StatusDefinition("Sent by e-mail", StatusCategory.NEW,
                                 "Sent to the helpdesk by e-mail; updates arrive by e-mail.")


class TicketViews:
    def __init__(self, db: Database, companies: Companies, directory: ContactDirectory,
                 connector_status_map: Callable[[], StatusMap], send_only: bool,
                 clock: Callable[[], datetime]) -> None:
        self.db = db
        self.companies = companies
        self.directory = directory
        self.connector_status_map = connector_status_map
        self.send_only = send_only
        self.clock = clock

    # -- finding ---------------------------------------------------------------------

    def visible_row(self, who: Principal, ref: str) -> Any:
        with self.db.read() as conn:
            row = find_row(conn, ref)
        if row is None or not self._may_see(who, row):
            raise NotFound("No such ticket.")
        return row

    def _may_see(self, who: Principal, row: Any) -> bool:
        if who.is_technician:
            return True
        if row.company_id != who.company_id:
            return False
        return row.device_id == who.device_id or (who.verified and row.contact_email == who.verified_email)

    def _condition(self, who: Principal, scope: str) -> ColumnElement[bool]:
        if who.is_technician:
            return true()
        if scope == "all":
            company = self.companies.get(who.company_id or 0)
            if not who.verified or not self.directory.resolve(company, who.verified_email or "").is_primary:
                raise Forbidden("Only your company's verified primary IT contact can list all its tickets.")
            return s.tickets.c.company_id == who.company_id
        mine = s.tickets.c.device_id == who.device_id
        if who.verified:
            mine = or_(mine, and_(s.tickets.c.company_id == who.company_id,
                                  s.tickets.c.contact_email == who.verified_email))
        return mine

    # -- shapes ----------------------------------------------------------------------

    def list(self, who: Principal, scope: str = "mine", updated_since: datetime | None = None) -> list[dict[str, Any]]:
        query = select(s.tickets).where(self._condition(who, scope))
        if updated_since is not None:
            query = query.where(s.tickets.c.updated_at > updated_since)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(s.tickets.c.id.desc())).all()
            escalations = self._escalations(conn, [r.id for r in rows])
        context = _Context(self)
        return [self._summary(row, context, escalations.get(row.id)) for row in rows]

    def summary(self, row: Any) -> dict[str, Any]:
        with self.db.read() as conn:
            escalation = self._escalations(conn, [row.id]).get(row.id)
        return self._summary(row, _Context(self), escalation)

    def detail(self, who: Principal, ref: str) -> dict[str, Any]:
        row = self.visible_row(who, ref)
        with self.db.read() as conn:
            attachments = conn.execute(select(s.ticket_attachments).where(s.ticket_attachments.c.ticket_id == row.id)
                                       .order_by(s.ticket_attachments.c.id)).all()
            escalation = self._escalations(conn, [row.id]).get(row.id)
        out = self._summary(row, _Context(self), escalation)
        draft = json.loads(row.draft_json) if row.draft_json else {}
        contact = json.loads(row.hd_contact_json) if row.hd_contact_json else None
        out.update({
            "description": draft.get("description", "") if draft else (row.hd_description or ""),
            "error_details": draft.get("error_details", ""),
            "device_name": draft.get("device_name", ""),
            "contact": draft.get("contact") or contact,
            "contact_method": draft.get("contact_method"),
            "contact_method_detail": draft.get("contact_method_detail", ""),
            "availability": draft.get("availability"),
            "reported_for": draft.get("reported_for"),
            "attachments": [{"key": a.key, "filename": a.filename, "media_type": a.media_type, "size": a.size}
                            for a in attachments],
            "timeline": self._timeline(row, draft),
            "updates_by_email": self.send_only,
        })
        return out

    def status_of(self, row: Any, status_map: StatusMap | None = None) -> StatusDefinition:
        if row.hd_status:
            return (status_map or self._status_map(row.company_id)).resolve(row.hd_status)
        return {"failed": NOT_DELIVERED, "email": SENT_BY_EMAIL}.get(row.relay_state, RECEIVED)

    def is_open(self, row: Any) -> bool:
        return self.status_of(row).category.is_open

    def _status_map(self, company_id: int | None) -> StatusMap:
        if company_id is not None:
            return self.companies.policy(company_id).statuses
        return self.connector_status_map()

    def _summary(self, row: Any, context: _Context, escalation: dict[str, Any] | None) -> dict[str, Any]:
        policy = context.policy(row.company_id)
        status = self.status_of(row, context.status_map(row.company_id))
        priority = row.hd_priority or row.requested_priority
        respond_by = policy.respond_by(Priority(priority), row.created_at) if policy and priority else None
        appointment = json.loads(row.hd_appointment_json) if row.hd_appointment_json else None
        return {
            "reference": format_reference(row.id),
            "client_ticket_id": row.client_ticket_id,
            "helpdesk_id": row.helpdesk_id,
            "summary": row.hd_summary or row.summary,
            "status": status.to_dict(),
            "requested_priority": row.requested_priority,
            "assigned_priority": row.hd_priority,
            "technician": row.hd_technician or None,
            "appointment": appointment,
            "respond_by": respond_by.isoformat() if respond_by else None,
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
            "relay_state": row.relay_state,
            "escalation": escalation,
            "needs_user": status.category.needs_user,
        }

    def _timeline(self, row: Any, draft: dict[str, Any]) -> list[dict[str, Any]]:
        timeline = json.loads(row.timeline_json or "[]")
        if not timeline:
            author = (draft.get("contact") or {}).get("name", "")
            timeline = [{"at": row.created_at.isoformat(), "kind": "created", "author": author,
                         "text": f"Received by Intake as {format_reference(row.id)}.", "old": None, "new": None}]
        return timeline

    @staticmethod
    def _escalations(conn: Any, ticket_ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ticket_ids:
            return {}
        latest = (select(func.max(s.escalations.c.id)).where(s.escalations.c.ticket_id.in_(ticket_ids))
                  .group_by(s.escalations.c.ticket_id))
        rows = conn.execute(select(s.escalations).where(s.escalations.c.id.in_(latest)))
        return {r.ticket_id: {"id": r.id, "state": r.state, "fee": r.fee} for r in rows}


class _Context:
    """Per-request memo of policies and status maps (one lookup per company, not per ticket)."""

    def __init__(self, views: TicketViews) -> None:
        self.views = views
        self._policies: dict[int | None, Policy | None] = {}
        self._maps: dict[int | None, StatusMap] = {}

    def policy(self, company_id: int | None) -> Policy | None:
        if company_id not in self._policies:
            self._policies[company_id] = self.views.companies.policy(company_id) if company_id else None
        return self._policies[company_id]

    def status_map(self, company_id: int | None) -> StatusMap:
        if company_id not in self._maps:
            policy = self.policy(company_id)
            self._maps[company_id] = policy.statuses if policy else self.views.connector_status_map()
        return self._maps[company_id]
