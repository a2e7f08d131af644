"""Request Tracker 5 connector (REST2, token auth): see docs/connectors.md and docs/rt-lifecycle.md.

* The client ticket id lives in the ``ClientTicketId`` custom field; a TicketSQL
  look-up (``CF.{ClientTicketId} = '…'``) runs before every create.
* The user's words are the public first message; machine details and contact
  corrections go to an internal comment with a JSON attachment; each attachment
  is its own comment whose file is stored as ``<key>__<name>``.
* Replies are correspondence; the status is then set explicitly and read back,
  because RT's auto-open scrip may already have moved it, and REST2 reports a
  refused status change inside a 200 answer.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from intake_app.core.statuses import StatusMap
from intake_app.service.connectors.base import (
    Actor,
    Connector,
    ConnectorContext,
    ConnectorError,
    ConnectorKind,
    ContactUpdate,
    EscalationWrite,
    HelpdeskContact,
    HelpdeskEvent,
    HelpdeskRejected,
    HelpdeskTicket,
    OutgoingAttachment,
    OutgoingTicket,
)
from intake_app.service.connectors.http import HttpClient
from intake_app.service.connectors.rt_actions import RtActions, attachment_json
from intake_app.service.connectors.rt_client import Rest2, rt_error_text, ticket_sql_string
from intake_app.service.connectors.rt_mapping import (
    ATTACHMENT_MARK,
    DETAILS_MARK,
    cf_values,
    create_payload,
    details_text,
    keys_in_filename,
    parse_time,
    ref_id,
    rt_status_name,
    status_map,
    stored_filename,
    ticket_from_json,
)
from intake_app.service.connectors.rt_people import RtPeople
from intake_app.service.connectors.rt_settings import RtSettings, read_settings
from intake_app.service.connectors.rt_timeline import build_events

log = logging.getLogger(__name__)

# RT parses TicketSQL dates in the account's time zone, whatever the string says; ask for a wider
# window than needed (the largest UTC offsets) and filter exactly on the ISO times RT returns.
TZ_MARGIN = timedelta(hours=15)
CHUNK = 50  # tickets per "id = … OR id = …" query
SEARCH_FIELDS = "Subject,Status,Created,LastUpdated,Priority,Owner,Requestor,Starts,Due,CustomFields"


class RtConnector(Connector):
    kind = ConnectorKind.RT

    def __init__(self, settings: RtSettings, http: HttpClient) -> None:
        self.settings = settings
        self.rest = Rest2(http)
        self.people = RtPeople(self.rest, settings.primary_contact_group)
        self._statuses = status_map(dict(settings.statuses))
        self.actions = RtActions(self.rest, settings, self._statuses)

    # -- health ------------------------------------------------------------------------

    def check(self) -> list[str]:
        problems: list[str] = []
        try:
            queue = self.rest.queue(self.settings.queue)
            applied = {str(cf.get("name")) for cf in queue.get("TicketCustomFields") or []}
            for name in self.settings.fields.names():
                if name not in applied:
                    problems.append(f"Request Tracker: the custom field {name!r} is not applied to queue "
                                    f"{self.settings.queue!r} (scripts/rt.sh shows how to create it).")
            if str(queue.get("Lifecycle") or "default") == "default":
                problems.append(f"Request Tracker: queue {self.settings.queue!r} uses RT's default lifecycle; "
                                "docs/rt-lifecycle.md has the one that mirrors the service guide.")
            list(self.rest.search_tickets("id = 0", "id"))
        except ConnectorError as exc:
            problems.append(str(exc))
        return problems

    def status_map(self) -> StatusMap:
        return self._statuses

    def close_connections(self) -> None:
        self.rest.http.close()

    # -- relay ---------------------------------------------------------------------------

    def find_by_client_id(self, client_ticket_id: str) -> str | None:
        cf = self.settings.fields.client_ticket_id
        query = f"CF.{{{cf}}} = {ticket_sql_string(client_ticket_id)}"
        ids = sorted(int(item["id"]) for item in self.rest.search_tickets(query, "id") if str(item.get("id")).isdigit())
        if len(ids) > 1:
            log.warning("Request Tracker has %d tickets for one client ticket id; using #%d", len(ids), ids[0])
        return str(ids[0]) if ids else None

    def create_ticket(self, ticket: OutgoingTicket) -> str:
        payload = create_payload(ticket, self.settings.queue, rt_status_name(ticket.initial_status),
                                 self.settings.fields)
        if not payload["Requestor"]:
            raise HelpdeskRejected("The ticket has no requestor e-mail (neither the contact on file nor the "
                                   "user's own); Request Tracker needs one.")
        ticket_id = self.rest.create_ticket(payload)
        self._check_stored(ticket_id, payload["CustomFields"])
        attachments = []
        if ticket.draft.system_info:
            data = json.dumps(ticket.draft.system_info, indent=2, ensure_ascii=False, default=str).encode()
            attachments.append(attachment_json("machine-details.json", "application/json", data))
        self.rest.message(ticket_id, "comment", {
            "Subject": f"{DETAILS_MARK} {ticket.reference}", "Content": details_text(ticket),
            "ContentType": "text/plain", "Attachments": attachments})
        return ticket_id

    def attachment_keys(self, helpdesk_id: str) -> set[str]:
        keys: set[str] = set()
        for item in self.rest.attachments(helpdesk_id, "Filename"):
            keys |= keys_in_filename(str(item.get("Filename") or ""))
        return keys

    def add_attachment(self, helpdesk_id: str, attachment: OutgoingAttachment) -> None:
        name = stored_filename(attachment.key, attachment.filename)
        self.rest.message(helpdesk_id, "comment", {
            "Subject": f"{ATTACHMENT_MARK} {attachment.filename}",
            "Content": f"{attachment.kind.value.capitalize()} from Intake: {attachment.filename} "
                       f"({attachment.size} bytes, sha256 {attachment.sha256}).",
            "ContentType": "text/plain",
            "Attachments": [attachment_json(name, attachment.media_type, attachment.read_bytes())],
        })

    # -- sync ----------------------------------------------------------------------------

    def changed_since(self, since: datetime | None) -> list[HelpdeskTicket]:
        # the queue's tickets (those a technician opened for the user too) and Intake's, wherever moved
        scope = (f"(Queue = {ticket_sql_string(self.settings.queue)} OR "
                 f"CF.{{{self.settings.fields.client_ticket_id}}} IS NOT NULL)")
        if since is None:
            items = list(self.rest.search_tickets(scope, SEARCH_FIELDS, order_by="LastUpdated"))
        else:  # a cheap pass over the wide window (ids and times only), then the changed ones in full
            floor = (since - TZ_MARGIN).astimezone(timezone.utc)
            window = self.rest.search_tickets(f"{scope} AND LastUpdated >= '{floor:%Y-%m-%d %H:%M:%S}'",
                                              "LastUpdated", order_by="LastUpdated")
            ids = [str(i["id"]) for i in window if (parse_time(i.get("LastUpdated")) or since) >= since]
            items = []
            for start in range(0, len(ids), CHUNK):
                chunk = " OR ".join(f"id = {int(i)}" for i in ids[start:start + CHUNK])
                items += self.rest.search_tickets(f"({chunk})", SEARCH_FIELDS)
        return sorted((self._ticket(item) for item in items), key=lambda t: t.updated_at)

    def get_ticket(self, helpdesk_id: str) -> HelpdeskTicket:
        return self._ticket(self.rest.ticket(helpdesk_id))

    def timeline(self, helpdesk_id: str) -> list[HelpdeskEvent]:
        requestors = self.people.requestor_ids(self.rest.ticket(helpdesk_id).get("Requestor") or [])
        return build_events(self.rest.history(helpdesk_id), statuses=self._statuses, scale=self.settings.scale,
                            requestors=requestors, user_name=self.people.display_name, text_of=self.people.text)

    # -- user actions (see rt_actions) ---------------------------------------------------

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

    # -- contacts ------------------------------------------------------------------------

    def find_contact(self, email: str, company: str) -> HelpdeskContact | None:
        return self.people.find_contact(email)

    # -- helpers -------------------------------------------------------------------------

    def _ticket(self, data: Mapping[str, Any]) -> HelpdeskTicket:
        return ticket_from_json(dict(data), fields=self.settings.fields, scale=self.settings.scale,
                                contact=self.people.requestor(data.get("Requestor") or []),
                                technician=self.people.display_name(ref_id(data.get("Owner"))) or "",
                                default_minutes=self.settings.appointment_minutes)

    def _check_stored(self, ticket_id: str, expected: Mapping[str, str]) -> None:
        """RT drops an unknown select value or a non-unique id without failing the create: say so."""
        stored = cf_values(self.rest.ticket(ticket_id))
        missing = [name for name, value in expected.items() if value not in stored.get(name, [])]
        if missing:
            log.warning("RT ticket %s was created but did not keep custom field(s) %s; check the queue's "
                        "custom fields and their values (config check lists them).", ticket_id, ", ".join(missing))


def create(settings: Mapping[str, Any], context: ConnectorContext) -> RtConnector:
    """Build the connector from ``[connector]`` (see :mod:`.rt_settings`)."""
    cfg = read_settings(settings, context)
    headers = {"Accept": "application/json"}
    if cfg.token:
        headers["Authorization"] = f"token {cfg.token}"
    else:
        basic = base64.b64encode(f"{cfg.username}:{cfg.password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {basic}"
    http = HttpClient(cfg.url, name="Request Tracker", headers=headers, timeout=(10.0, cfg.timeout),
                      verify=cfg.ca_file or True, describe_error=rt_error_text)
    return RtConnector(cfg, http)
