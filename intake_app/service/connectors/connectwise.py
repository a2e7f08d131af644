"""ConnectWise Manage (PSA) connector: the guide's own helpdesk. See docs/connectors.md.

* The client ticket id is the ticket's ``externalXRef`` (looked up with
  ``conditions=externalXRef="…"`` before every create).
* The user's words are ``initialDescription``; machine details and contact
  corrections ``initialInternalAnalysis``; availability goes to configured custom
  fields plus an internal note; the device is linked as a configuration when one
  of that name exists; attachments are ``/system/documents`` titled ``<key>__<name>``.
* Statuses are the board's, with ``customerPortalDescription`` as the meaning and
  ``closedStatus`` for closed ones. Only Discussion notes are public.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from intake_app.core.statuses import StatusCategory, StatusMap
from intake_app.service.connectors.base import (
    Actor,
    Connector,
    ConnectorContext,
    ConnectorError,
    ConnectorKind,
    ContactUpdate,
    EscalationWrite,
    EventKind,
    HelpdeskContact,
    HelpdeskEvent,
    HelpdeskTicket,
    OutgoingAttachment,
    OutgoingTicket,
)
from intake_app.service.connectors.cw_actions import CwActions
from intake_app.service.connectors.cw_client import CwApi, auth_headers, cw_error_text, quote
from intake_app.service.connectors.cw_lookups import CwLookups, ticket_number
from intake_app.service.connectors.cw_mapping import (
    events_from_notes,
    parse_time,
    status_map,
    ticket_from_json,
    ticket_payload,
)
from intake_app.service.connectors.cw_settings import CwSettings, read_settings
from intake_app.service.connectors.http import HttpClient
from intake_app.service.connectors.rt_mapping import keys_in_filename, stored_filename

log = logging.getLogger(__name__)
FIRST_SYNC_DAYS = 30  # the first sync reads open tickets plus those closed in the last month


class ConnectWiseConnector(Connector):
    kind = ConnectorKind.CONNECTWISE

    def __init__(self, settings: CwSettings, http: HttpClient) -> None:
        self.settings = settings
        self.api = CwApi(http, page_size=settings.page_size)
        self.lookups = CwLookups(self.api, settings)
        self.actions = CwActions(self.api, settings, self.lookups, self.status_map, self.add_attachment)

    # -- health ------------------------------------------------------------------------

    def check(self) -> list[str]:
        problems: list[str] = []
        try:
            self.api.get("system/info")
            names = {s["name"].casefold() for s in self.lookups.statuses(self.lookups.board_id(self.settings.board))}
            problems += [f"ConnectWise: board {self.settings.board!r} has no status {name!r} "
                         f"(used for {step.replace('_', ' ')})." for step, name in self.settings.steps.items()
                         if name.casefold() not in names]
            for board in self.settings.boards:
                self.lookups.board_id(board)
            priorities = {p["name"].casefold() for p in self.lookups.priorities()}
            problems += [f"ConnectWise has no priority named {name!r}." for name in self.settings.priorities.values()
                         if name.casefold() not in priorities]
        except ConnectorError as exc:
            problems.append(str(exc))
        return problems

    def status_map(self) -> StatusMap:
        statuses: list[Mapping[str, Any]] = []
        try:
            for board in self.settings.boards:
                statuses += self.lookups.statuses(self.lookups.board_id(board))
        except ConnectorError as exc:  # the guide's map still works; say why the board's is missing
            log.warning("ConnectWise board statuses unavailable (%s); using the guide's", exc)
        return status_map(statuses, self.settings.statuses)

    def close_connections(self) -> None:
        self.api.http.close()

    # -- relay ---------------------------------------------------------------------------

    def find_by_client_id(self, client_ticket_id: str) -> str | None:
        found = self.api.get("service/tickets", {"conditions": f"externalXRef={quote(client_ticket_id)}",
                                                 "fields": "id", "orderBy": "id asc", "pageSize": 2})
        ids = [int(t["id"]) for t in found or [] if str(t.get("id", "")).isdigit()]
        return str(min(ids)) if ids else None

    def create_ticket(self, ticket: OutgoingTicket) -> str:
        board_id = self.lookups.board_id(self.settings.board)
        contact_id = int(ticket.contact.helpdesk_id) if (ticket.contact.helpdesk_id or "").isdigit() else None
        body = ticket_payload(
            ticket, board_id=board_id, company=self.lookups.company_ref(ticket, contact_id), contact_id=contact_id,
            status_id=self.lookups.status_id(board_id, self.settings.steps["on_create"]),
            priority_id=self.lookups.priority_id(int(ticket.draft.requested_priority)),
            custom_fields=self.settings.custom_fields)
        ticket_id = str(self.api.post("service/tickets", body)["id"])
        d = ticket.draft
        detail = f" ({d.contact_method_detail})" if d.contact_method_detail else ""
        self.actions.note(ticket_id, f"[Intake availability]\nAvailability: {d.availability.describe()}\n"
                                     f"Best contact method: {d.contact_method.label}{detail}", internal=True)
        if d.device_name.strip():
            self.lookups.link_device(ticket_id, d.device_name.strip(), body["company"])
        return ticket_id

    def attachment_keys(self, helpdesk_id: str) -> set[str]:
        keys: set[str] = set()
        query = {"recordType": "Ticket", "recordId": ticket_number(helpdesk_id)}
        for doc in self.api.list("system/documents", query):
            for name in (doc.get("title"), doc.get("fileName")):
                keys |= keys_in_filename(str(name or ""))
        return keys

    def add_attachment(self, helpdesk_id: str, attachment: OutgoingAttachment) -> None:
        name = stored_filename(attachment.key, attachment.filename)
        self.api.upload("Ticket", ticket_number(helpdesk_id), name, name, attachment.read_bytes(),
                        attachment.media_type)

    # -- sync ----------------------------------------------------------------------------

    def changed_since(self, since: datetime | None) -> list[HelpdeskTicket]:
        if since is None:
            recent = datetime.now(timezone.utc) - timedelta(days=FIRST_SYNC_DAYS)
            when = f"(closedFlag=false or lastUpdated>=[{_iso(recent)}])"
        else:
            when = f"lastUpdated>=[{_iso(since)}]"
        found: dict[str, HelpdeskTicket] = {}
        for board in self.settings.boards:
            conditions = f"board/id={self.lookups.board_id(board)} and {when}"
            for data in self.api.list("service/tickets", {"conditions": conditions}):
                ticket = ticket_from_json(data, self.settings.priorities)
                if since is None or ticket.updated_at >= since:
                    found[ticket.helpdesk_id] = ticket
        return sorted(found.values(), key=lambda t: t.updated_at)

    def get_ticket(self, helpdesk_id: str) -> HelpdeskTicket:
        data = self.lookups.ticket(helpdesk_id)
        ticket = ticket_from_json(data, self.settings.priorities)
        if self.status_map().category(ticket.status) is StatusCategory.SCHEDULED:
            return ticket_from_json(data, self.settings.priorities, self.lookups.appointment(helpdesk_id))
        return ticket

    def timeline(self, helpdesk_id: str) -> list[HelpdeskEvent]:
        data = self.lookups.ticket(helpdesk_id)
        created = parse_time((data.get("_info") or {}).get("dateEntered") or data.get("dateEntered"))
        events = [HelpdeskEvent(created, EventKind.CREATED)] if created else []
        return events + events_from_notes(self.api.list(f"service/tickets/{ticket_number(helpdesk_id)}/notes"))

    # -- user actions (see cw_actions) and contacts (see cw_lookups) -----------------------------

    def reply(self, helpdesk_id: str, text: str, author: Actor,
              attachments: tuple[OutgoingAttachment, ...] = ()) -> None:
        self.actions.reply(helpdesk_id, text, author, attachments)

    def close(self, helpdesk_id: str, text: str, author: Actor) -> None:
        self.actions.close(helpdesk_id, text, author)

    def reopen(self, helpdesk_id: str, text: str, author: Actor) -> None:
        self.actions.reopen(helpdesk_id, text, author)

    def update_contact_details(self, helpdesk_id: str, update: ContactUpdate, author: Actor) -> None:
        self.actions.update_contact_details(helpdesk_id, update, author)

    def write_escalation(self, helpdesk_id: str, write: EscalationWrite) -> None:
        self.actions.write_escalation(helpdesk_id, write)

    def find_contact(self, email: str, company: str) -> HelpdeskContact | None:
        return self.lookups.contact(email)


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def create(settings: Mapping[str, Any], context: ConnectorContext) -> ConnectWiseConnector:
    cfg = read_settings(settings, context)
    headers = auth_headers(cfg.company_id, cfg.public_key, cfg.private_key, cfg.client_id, cfg.api_version)
    http = HttpClient(cfg.url, name="ConnectWise", headers=headers, timeout=(10.0, cfg.timeout),
                      verify=cfg.ca_file or True, describe_error=cw_error_text)
    return ConnectWiseConnector(cfg, http)
