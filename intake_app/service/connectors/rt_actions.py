"""What the user does on an RT ticket: reply, close, reopen, update details; and escalation write-back.

Replies are correspondence, signed in the subject (``[Intake reply] Name <email>``)
so the timeline can tell them from technicians' answers. The status is then set
explicitly and read back, because RT's auto-open scrip may already have moved it
(docs/rt-lifecycle.md) and REST2 reports a refused change inside a 200 answer.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from intake_app.core.statuses import StatusCategory, StatusMap
from intake_app.service.connectors.base import (
    Actor,
    ContactUpdate,
    EscalationWrite,
    HelpdeskRejected,
    OutgoingAttachment,
)
from intake_app.service.connectors.rt_client import Rest2, failures
from intake_app.service.connectors.rt_mapping import CONTACT_MARK, ESCALATION_MARK, REPLY_MARK, stored_filename
from intake_app.service.connectors.rt_settings import RtSettings

log = logging.getLogger(__name__)


class RtActions:
    def __init__(self, rest: Rest2, settings: RtSettings, statuses: StatusMap) -> None:
        self.rest = rest
        self.settings = settings
        self.statuses = statuses

    def reply(self, helpdesk_id: str, text: str, author: Actor,
              attachments: tuple[OutgoingAttachment, ...] = ()) -> None:
        target = self._step("reply_closed" if self._is_closed(helpdesk_id) else "reply_open")
        self._correspond(helpdesk_id, text, author, target, attachments)
        try:
            self._ensure_status(helpdesk_id, target)
        except HelpdeskRejected as exc:  # the reply is in RT; repeating it would duplicate it
            log.warning("Reply added to RT ticket %s but the status was not set: %s", helpdesk_id, exc)

    def close(self, helpdesk_id: str, text: str, author: Actor) -> None:
        if self._is_closed(helpdesk_id):
            return
        target = self._step("close")
        if text.strip():
            self._correspond(helpdesk_id, text, author, target)
        self._ensure_status(helpdesk_id, target)

    def reopen(self, helpdesk_id: str, text: str, author: Actor) -> None:
        closed = self._is_closed(helpdesk_id)
        target = self._step("reply_closed" if closed else "reply_open")
        self._ensure_status(helpdesk_id, target)  # first: correspondence on an active ticket is not auto-opened
        if text.strip():
            self._correspond(helpdesk_id, text, author, None)

    def update_contact_details(self, helpdesk_id: str, update: ContactUpdate, author: Actor) -> None:
        fields, values = self.settings.fields, {}
        if update.availability is not None and fields.availability:
            values[fields.availability] = json.dumps(update.availability.to_dict(), ensure_ascii=False, sort_keys=True)
        if update.contact_method is not None and fields.contact_method:
            values[fields.contact_method] = update.contact_method.value
        if update.contact_method_detail is not None and fields.contact_detail:
            values[fields.contact_detail] = update.contact_method_detail
        if values:
            refused = failures(self.rest.update_ticket(helpdesk_id, {"CustomFields": values}))
            if refused:
                log.warning("RT ticket %s refused custom field updates: %s", helpdesk_id, "; ".join(refused))
        self.rest.message(helpdesk_id, "comment", {
            "Subject": f"{CONTACT_MARK} {author.name} <{author.email}>", "Content": update.describe() or "(no change)",
            "ContentType": "text/plain"})

    def write_escalation(self, helpdesk_id: str, write: EscalationWrite) -> None:
        mark = f"{ESCALATION_MARK} {write.key}]"
        if not any(str(i.get("Data") or "").startswith(mark) for i in self.rest.history(helpdesk_id)):
            note = write.note + (f"\n{write.billing_marker}" if write.billing_marker else "")
            self.rest.message(helpdesk_id, "comment", {"Subject": f"{mark} {write.action}", "Content": note,
                                                       "ContentType": "text/plain"})
        changes: dict[str, Any] = {}
        if write.set_priority:
            changes["Priority"] = self.settings.scale.number(write.set_priority)
        if self.settings.fields.escalation:
            changes["CustomFields"] = {self.settings.fields.escalation: write.action}
        if changes:
            refused = failures(self.rest.update_ticket(helpdesk_id, changes))
            if refused:
                raise HelpdeskRejected(f"Request Tracker refused the escalation fields: {'; '.join(refused)}")

    def _step(self, name: str) -> str:
        return self.settings.steps[name]

    def _is_closed(self, helpdesk_id: str) -> bool:
        return self.statuses.category(str(self.rest.ticket(helpdesk_id).get("Status"))) is StatusCategory.CLOSED

    def _correspond(self, helpdesk_id: str, text: str, author: Actor, status: str | None,
                    attachments: tuple[OutgoingAttachment, ...] = ()) -> None:
        payload: dict[str, Any] = {
            "Subject": f"{REPLY_MARK} {author.name} <{author.email}>", "Content": text or "(no text)",
            "ContentType": "text/plain",
            "Attachments": [attachment_json(stored_filename(a.key, a.filename), a.media_type, a.read_bytes())
                            for a in attachments],
        }
        if status:
            payload["Status"] = status
        self.rest.message(helpdesk_id, "correspond", payload)

    def _ensure_status(self, helpdesk_id: str, target: str) -> None:
        """Make the ticket's status ``target``: read, set if needed, read back (REST2 may say 200 and not do it)."""
        current = str(self.rest.ticket(helpdesk_id).get("Status"))
        if current == target:
            return
        refused = failures(self.rest.update_ticket(helpdesk_id, {"Status": target}))
        now = str(self.rest.ticket(helpdesk_id).get("Status"))
        if now != target:
            reason = "; ".join(refused) or f"it is still {now!r}"
            raise HelpdeskRejected(f"Request Tracker would not move ticket {helpdesk_id} from {current!r} to "
                                   f"{target!r}: {reason}")


def attachment_json(name: str, media_type: str, data: bytes) -> dict[str, str]:
    return {"FileName": name, "FileType": media_type or "application/octet-stream",
            "FileContent": base64.b64encode(data).decode("ascii")}
