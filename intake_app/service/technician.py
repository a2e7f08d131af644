"""Technician actions on the local helpdesk, shared by ``/tech/...`` and ``intake-app admin ticket ...``.

Tickets are named by Intake reference or helpdesk id; after each action the
ticket's cache is refreshed at once, so users see the change without waiting
for the next sync.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from intake_app.core.priorities import Priority
from intake_app.core.sla import BusinessCalendar
from intake_app.service.companies import Companies
from intake_app.service.connectors.base import Connector, HelpdeskRejected
from intake_app.service.connectors.local_desk import LocalDesk
from intake_app.service.errors import Conflict, Invalid
from intake_app.service.identity import Principal
from intake_app.service.tickets.refs import format_reference
from intake_app.service.tickets.views import TicketViews
from intake_app.service.workers.sync import Sync


class TechnicianDesk:
    def __init__(self, connector: Connector, views: TicketViews, sync: Sync, companies: Companies,
                 clock: Callable[[], datetime]) -> None:
        self.connector = connector
        self.views = views
        self.sync = sync
        self.companies = companies
        self.clock = clock

    def set_status(self, tech: Principal, ref: str, status: str) -> dict[str, Any]:
        return self._act(tech, ref, "status", lambda desk, hid: desk.set_status(hid, status, tech.name))

    def set_priority(self, tech: Principal, ref: str, priority: object) -> dict[str, Any]:
        try:
            parsed = Priority.parse(priority)
        except ValueError as exc:
            raise Invalid({"priority": str(exc)}) from None
        return self._act(tech, ref, "priority", lambda desk, hid: desk.set_priority(hid, parsed, tech.name))

    def assign(self, tech: Principal, ref: str, technician: str) -> dict[str, Any]:
        name = technician.strip()
        return self._act(tech, ref, "technician", lambda desk, hid: desk.assign(hid, name, tech.name))

    def set_appointment(self, tech: Principal, ref: str, start: datetime, end: datetime) -> dict[str, Any]:
        return self._act(tech, ref, "end", lambda desk, hid: desk.set_appointment(hid, start, end, tech.name))

    def add_note(self, tech: Principal, ref: str, text: str, internal: bool = False) -> dict[str, Any]:
        return self._act(tech, ref, "text", lambda desk, hid: desk.add_note(hid, text, internal, tech.name))

    def run_jobs(self, now: datetime | None = None) -> list[str]:
        """Lifecycle jobs (Pending Closure → Completed); returns the Intake references changed."""
        closed = self._desk().expire_pending_closure(now or self.clock(), self.calendar_for)
        references = []
        for helpdesk_id in closed:
            self.sync.refresh(helpdesk_id)
            row = self.views.visible_row(Principal("technician", "jobs"), helpdesk_id)
            references.append(format_reference(row.id))
        return references

    def calendar_for(self, company_name: str) -> BusinessCalendar:
        company = self.companies.find_by_name(company_name) if company_name else None
        return self.companies.policy(company.id).calendar if company else BusinessCalendar()

    def _act(self, tech: Principal, ref: str, field: str, action: Callable[[Any, str], None]) -> dict[str, Any]:
        desk = self._desk()
        row = self.views.visible_row(tech, ref)
        if row.helpdesk_id is None:
            raise Conflict("This ticket is still in the outbox; it has no helpdesk ticket yet.")
        try:
            action(desk, str(row.helpdesk_id))
        except HelpdeskRejected as exc:
            raise Invalid({field: str(exc)}) from None
        self.sync.refresh(str(row.helpdesk_id))
        return self.views.summary(self.views.visible_row(tech, format_reference(row.id)))

    def _desk(self) -> LocalDesk:
        """The local helpdesk's desk; other helpdesks have their own tools for technicians."""
        desk = getattr(self.connector, "desk", None)
        if not isinstance(desk, LocalDesk):
            raise Conflict(f"Technician actions exist only with the local connector; this service uses "
                           f"{self.connector.kind.value}: use the helpdesk's own tools.")
        return desk
