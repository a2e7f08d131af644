"""What the user does on a ConnectWise ticket, and escalation write-back.

Replies are Discussion notes (``detailDescriptionFlag``) signed on their first line
(``[Intake reply] Name <email>``) and linked to the ticket's contact; the board
status then follows the guide (open → Client Responded, closed → Re-opened,
"fixed" → Completed) with a JSON Patch, and the answer is checked. Contact updates
and escalations are Internal notes with Intake's markers (shown in the user's
timeline, never other internal notes).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from intake_app.core.statuses import StatusCategory, StatusMap
from intake_app.service.connectors.base import (
    Actor,
    ContactUpdate,
    EscalationWrite,
    HelpdeskRejected,
    OutgoingAttachment,
)
from intake_app.service.connectors.cw_client import CwApi
from intake_app.service.connectors.cw_lookups import CwLookups, ticket_number
from intake_app.service.connectors.cw_settings import CwSettings
from intake_app.service.connectors.rt_mapping import CONTACT_MARK, ESCALATION_MARK, REPLY_MARK

log = logging.getLogger(__name__)


class CwActions:
    def __init__(self, api: CwApi, settings: CwSettings, lookups: CwLookups, statuses: Callable[[], StatusMap],
                 add_attachment: Callable[[str, OutgoingAttachment], None]) -> None:
        self.api, self.settings, self.lookups = api, settings, lookups
        self.statuses = statuses
        self.add_attachment = add_attachment

    def reply(self, helpdesk_id: str, text: str, author: Actor, attachments: tuple[OutgoingAttachment, ...]) -> None:
        data = self.lookups.ticket(helpdesk_id)
        step = "reply_closed" if self.closed(data) else "reply_open"
        self._user_note(helpdesk_id, text, author, data)
        for attachment in attachments:
            self.add_attachment(helpdesk_id, attachment)
        try:
            self._set_status(helpdesk_id, data, self.settings.steps[step])
        except HelpdeskRejected as exc:  # the note is in; repeating the call would duplicate it
            log.warning("Reply added to ConnectWise ticket %s but the status was not set: %s", helpdesk_id, exc)

    def close(self, helpdesk_id: str, text: str, author: Actor) -> None:
        data = self.lookups.ticket(helpdesk_id)
        if self.closed(data):
            return
        if text.strip():
            self._user_note(helpdesk_id, text, author, data)
        self._set_status(helpdesk_id, data, self.settings.steps["close"])

    def reopen(self, helpdesk_id: str, text: str, author: Actor) -> None:
        data = self.lookups.ticket(helpdesk_id)
        self._set_status(helpdesk_id, data, self.settings.steps["reply_closed" if self.closed(data) else "reply_open"])
        if text.strip():
            self._user_note(helpdesk_id, text, author, data)

    def update_contact_details(self, helpdesk_id: str, update: ContactUpdate, author: Actor) -> None:
        ids, values = self.settings.custom_fields, {}
        if update.availability is not None and "availability" in ids:
            values[ids["availability"]] = json.dumps(update.availability.to_dict(), ensure_ascii=False, sort_keys=True)
        if update.contact_method is not None and "contact_method" in ids:
            detail = update.contact_method_detail or ""
            values[ids["contact_method"]] = f"{update.contact_method.label}: {detail}".rstrip(": ")
        if values:  # customFields is replaced as a whole: keep the others' values
            fields = [dict(cf) for cf in self.lookups.ticket(helpdesk_id).get("customFields") or []]
            for cf in fields:
                if cf.get("id") in values:
                    cf["value"] = values.pop(cf["id"])
            fields += [{"id": cf_id, "value": value} for cf_id, value in values.items()]
            self.api.patch(f"service/tickets/{ticket_number(helpdesk_id)}",
                           [{"op": "replace", "path": "customFields", "value": fields}])
        self.note(helpdesk_id, f"{CONTACT_MARK} {author.name} <{author.email}>\n{update.describe()}", internal=True)

    def write_escalation(self, helpdesk_id: str, write: EscalationWrite) -> None:
        mark = f"{ESCALATION_MARK} {write.key}]"
        notes = self.api.list(f"service/tickets/{ticket_number(helpdesk_id)}/notes")
        if not any(str(n.get("text") or "").startswith(mark) for n in notes):
            marker = f"\n{write.billing_marker}" if write.billing_marker else ""
            self.note(helpdesk_id, f"{mark} {write.action}\n{write.note}{marker}", internal=True)
        if write.set_priority:
            priority_id = self.lookups.priority_id(write.set_priority)
            if priority_id is None:
                raise HelpdeskRejected(f"ConnectWise has no priority {self.settings.priorities[write.set_priority]!r}.")
            self.api.patch(f"service/tickets/{ticket_number(helpdesk_id)}",
                           [{"op": "replace", "path": "priority", "value": {"id": priority_id}}])

    # -- helpers -------------------------------------------------------------------------------

    def closed(self, data: Mapping[str, Any]) -> bool:
        name = str((data.get("status") or {}).get("name") or "")
        return bool(data.get("closedFlag")) or self.statuses().category(name) is StatusCategory.CLOSED

    def note(self, helpdesk_id: str, text: str, *, internal: bool, contact: Any = None) -> None:
        body: dict[str, Any] = {"text": text, "detailDescriptionFlag": not internal, "internalAnalysisFlag": internal}
        if not internal and isinstance(contact, Mapping) and contact.get("id"):
            body["contact"] = {"id": int(contact["id"])}
        self.api.post(f"service/tickets/{ticket_number(helpdesk_id)}/notes", body)

    def _user_note(self, helpdesk_id: str, text: str, author: Actor, data: Mapping[str, Any]) -> None:
        self.note(helpdesk_id, f"{REPLY_MARK} {author.name} <{author.email}>\n{text}", internal=False,
                  contact=data.get("contact"))

    def _set_status(self, helpdesk_id: str, data: Mapping[str, Any], name: str) -> None:
        board_id = int((data.get("board") or {}).get("id") or self.lookups.board_id(self.settings.board))
        status_id = self.lookups.status_id(board_id, name)
        updated = self.api.patch(f"service/tickets/{ticket_number(helpdesk_id)}",
                                 [{"op": "replace", "path": "status", "value": {"id": status_id}}])
        got = str(((updated or {}).get("status") or {}).get("name") or "")
        if got.casefold() != name.casefold():
            raise HelpdeskRejected(f"ConnectWise kept ticket {helpdesk_id} in {got!r} instead of {name!r}.")
