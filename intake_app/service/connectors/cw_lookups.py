"""ConnectWise look-ups the connector needs around a ticket: boards, statuses, priorities,
companies, contacts, devices and appointments.

Boards, their statuses and the priorities change rarely: they are cached for ten
minutes (thread-safe) so creating or syncing a ticket does not re-read them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from intake_app.service.connectors.base import Appointment, HelpdeskContact, HelpdeskRejected, OutgoingTicket
from intake_app.service.connectors.cw_client import CwApi, quote
from intake_app.service.connectors.cw_mapping import parse_time
from intake_app.service.connectors.cw_settings import CwSettings
from intake_app.service.connectors.http import HttpNotFound

CACHE_SECONDS = 600.0
T = TypeVar("T")


def ticket_number(ticket_id: str) -> str:
    """Ticket ids are numbers; anything else never reaches a URL."""
    text = str(ticket_id).strip()
    if not text.isdigit():
        raise HttpNotFound(f"{text!r} is not a ConnectWise ticket number.")
    return text


class CwLookups:
    def __init__(self, api: CwApi, settings: CwSettings) -> None:
        self.api = api
        self.settings = settings
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Any]] = {}

    def _cached(self, key: str, load: Callable[[], T]) -> T:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
                return hit[1]  # type: ignore[no-any-return]
        value = load()
        with self._lock:
            self._cache[key] = (time.monotonic(), value)
        return value

    # -- boards, statuses, priorities ------------------------------------------------------

    def board_id(self, name: str) -> int:
        def load() -> int:
            boards = list(self.api.list("service/boards", {"conditions": f"name={quote(name)}"}))
            if not boards:
                raise HelpdeskRejected(f"ConnectWise has no service board named {name!r} (or the API member "
                                       "cannot see it).")
            return int(boards[0]["id"])
        return self._cached(f"board:{name.casefold()}", load)

    def statuses(self, board_id: int) -> list[dict[str, Any]]:
        return self._cached(f"statuses:{board_id}", lambda: list(self.api.list(f"service/boards/{board_id}/statuses")))

    def status_id(self, board_id: int, name: str) -> int:
        for status in self.statuses(board_id):
            if str(status.get("name", "")).casefold() == name.casefold() and not status.get("inactive"):
                return int(status["id"])
        raise HelpdeskRejected(f"ConnectWise board {board_id} has no active status named {name!r}.")

    def priorities(self) -> list[dict[str, Any]]:
        return self._cached("priorities", lambda: list(self.api.list("service/priorities")))

    def priority_id(self, priority: int) -> int | None:
        wanted = self.settings.priorities.get(priority, "").casefold()
        return next((int(p["id"]) for p in self.priorities() if str(p.get("name", "")).casefold() == wanted), None)

    # -- tickets and what hangs off them -----------------------------------------------------

    def ticket(self, helpdesk_id: str) -> dict[str, Any]:
        try:
            data = self.api.get(f"service/tickets/{ticket_number(helpdesk_id)}")
        except HttpNotFound:
            raise HttpNotFound(f"ConnectWise has no ticket {helpdesk_id} (or the API member cannot see it).") from None
        return data if isinstance(data, dict) else {}

    def company_ref(self, ticket: OutgoingTicket, contact_id: int | None) -> dict[str, Any]:
        """The contact's own company; else the configured identifier for the Intake company; else the catch-all."""
        if contact_id is not None:
            contact = self.api.get(f"company/contacts/{contact_id}", {"fields": "id,company"}) or {}
            if (contact.get("company") or {}).get("id"):
                return {"id": int(contact["company"]["id"])}
        return {"identifier": self.settings.companies.get(ticket.company) or self.settings.catch_all_company}

    def link_device(self, ticket_id: str, device: str, company: Mapping[str, Any]) -> None:
        """Attach the configuration named like the device, when the company has one."""
        conditions = f"name={quote(device)}" + (f" and company/id={int(company['id'])}" if company.get("id") else "")
        found = self.api.get("company/configurations", {"conditions": conditions, "fields": "id,name", "pageSize": 1})
        if found:
            self.api.post(f"service/tickets/{ticket_id}/configurations", {"id": int(found[0]["id"])})

    def appointment(self, helpdesk_id: str) -> Appointment | None:
        """The latest service schedule entry of the ticket, if any."""
        entries = self.api.get("schedule/entries", {
            "conditions": f"objectId={ticket_number(helpdesk_id)} and type/identifier=\"S\"",
            "orderBy": "dateStart desc", "pageSize": 1})
        for entry in entries or []:
            start, end = parse_time(entry.get("dateStart")), parse_time(entry.get("dateEnd"))
            if start is not None:
                return Appointment(start, end or start + timedelta(minutes=self.settings.appointment_minutes))
        return None

    def contact(self, email: str) -> HelpdeskContact | None:
        """The active contact with this e-mail (documented ``childConditions`` form), case-insensitively."""
        child = f"communicationItems/value={quote(email.strip())} AND communicationItems/communicationType=\"Email\""
        wanted = email.strip().casefold()
        for item in self.api.list("company/contacts", {"childConditions": child, "conditions": "inactiveFlag=false"}):
            items = item.get("communicationItems") or []
            if not any(str(c.get("value", "")).casefold() == wanted for c in items):
                continue
            phone = next((str(c.get("value")) for c in items if c.get("communicationType") == "Phone"), "")
            types = {str(t.get("name", "")).casefold() for t in item.get("types") or []}
            return HelpdeskContact(
                name=f"{item.get('firstName', '')} {item.get('lastName', '')}".strip(), email=email.strip(),
                phone=phone, company=str((item.get("company") or {}).get("name") or ""),
                is_primary_contact=self.settings.primary_contact_type.casefold() in types,
                helpdesk_id=str(item.get("id")))
        return None
