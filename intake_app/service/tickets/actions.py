"""What users do on an existing ticket: reply, update details, close, reopen (SPEC §4).

These reach the helpdesk synchronously (the helpdesk applies its own
transitions); on success the ticket is re-read so the answer shows the effect.
A helpdesk that is down gives 503 (the client keeps the action and retries); a
ticket not yet created in the helpdesk also gives 503 with a short Retry-After.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from intake_app.core.filetypes import detect_media_type
from intake_app.core.ticket import AttachmentInfo, AttachmentKind, Availability, Contact, ContactMethod
from intake_app.core.validation import check_availability, check_contact, check_contact_method
from intake_app.service.connectors.base import (
    Actor,
    Connector,
    ContactUpdate,
    HelpdeskRejected,
    HelpdeskUnavailable,
    OutgoingAttachment,
)
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.errors import Conflict, HelpdeskDown, Invalid
from intake_app.service.files import FileStore, StagedFile
from intake_app.service.identity import Principal
from intake_app.service.tickets.accept import check_attachments, display_name
from intake_app.service.tickets.refs import find_row, format_reference
from intake_app.service.tickets.views import TicketViews
from intake_app.service.workers.sync import Sync

log = logging.getLogger(__name__)

NOT_YET_RETRY = 30


@contextmanager
def helpdesk_call() -> Iterator[None]:
    """Connector errors as API errors: unavailable → 503, refused → 409 with the helpdesk's words."""
    try:
        yield
    except HelpdeskUnavailable as exc:
        raise HelpdeskDown(f"The helpdesk cannot be reached right now ({exc}). Try again in a few minutes.",
                           retry_after=max(1, math.ceil(exc.retry_after or 60))) from None
    except HelpdeskRejected as exc:
        raise Conflict(str(exc)) from None


class TicketActions:
    def __init__(self, db: Database, connector: Connector, views: TicketViews, sync: Sync, files: FileStore,
                 clock: Callable[[], datetime]) -> None:
        self.db = db
        self.connector = connector
        self.views = views
        self.sync = sync
        self.files = files
        self.clock = clock

    def reply(self, who: Principal, ref: str, text: str, described: list[AttachmentInfo] | None = None,
              parts: dict[str, StagedFile] | None = None) -> dict[str, Any]:
        if not text.strip() and not parts:
            raise Invalid({"text": "Please write a reply."})
        row, helpdesk_id = self._target(who, ref)
        attachments = self._store_attachments(row.id, described or [], parts or {})
        with helpdesk_call():
            self.connector.reply(helpdesk_id, text, _actor(who), attachments)
        return self._after(row.id, helpdesk_id)

    def close(self, who: Principal, ref: str, text: str = "") -> dict[str, Any]:
        row, helpdesk_id = self._target(who, ref)
        with helpdesk_call():
            self.connector.close(helpdesk_id, text, _actor(who))
        return self._after(row.id, helpdesk_id)

    def reopen(self, who: Principal, ref: str, text: str) -> dict[str, Any]:
        if not text.strip():
            raise Invalid({"text": "Please say what is still wrong."})
        row, helpdesk_id = self._target(who, ref)
        if self.views.is_open(row):
            raise Conflict("This ticket is still open; reply on it instead.")
        with helpdesk_call():
            self.connector.reopen(helpdesk_id, text, _actor(who))
        return self._after(row.id, helpdesk_id)

    def update(self, who: Principal, ref: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Availability / contact / contact method on an open ticket (409 once closed)."""
        update_, draft_changes = _parse_update(changes, self.clock())
        row, helpdesk_id = self._target(who, ref)
        if not self.views.is_open(row):
            raise Conflict("This ticket is closed; reopen it to change its details.")
        with helpdesk_call():
            self.connector.update_contact_details(helpdesk_id, update_, _actor(who))
        draft = json.loads(row.draft_json) if row.draft_json else {}
        draft.update(draft_changes)
        with self.db.write() as conn:
            conn.execute(update(s.tickets).where(s.tickets.c.id == row.id).values(
                draft_json=json.dumps(draft) if row.draft_json else None, updated_at=self.clock()))
        return self._after(row.id, helpdesk_id)

    def _target(self, who: Principal, ref: str) -> tuple[Any, str]:
        row = self.views.visible_row(who, ref)
        if row.helpdesk_id is None:
            if row.relay_state == "failed":
                raise Conflict(f"The helpdesk did not accept this ticket ({row.last_error}); call the support phone.")
            raise HelpdeskDown("The ticket is still on its way to the helpdesk; try again shortly.",
                               retry_after=NOT_YET_RETRY)
        return row, str(row.helpdesk_id)

    def _store_attachments(self, ticket_id: int, described: list[AttachmentInfo],
                           parts: dict[str, StagedFile]) -> tuple[OutgoingAttachment, ...]:
        if problems := check_attachments(described, parts):
            raise Invalid(problems)
        out: list[OutgoingAttachment] = []
        now = self.clock()
        for info in described:
            staged = parts[info.key]
            name = self.files.commit(staged)
            media_type = detect_media_type(staged.head) if staged.size else "application/octet-stream"
            try:
                with self.db.write() as conn:
                    conn.execute(insert(s.ticket_attachments).values(
                        ticket_id=ticket_id, key=info.key, filename=display_name(info.filename), media_type=media_type,
                        size=staged.size, sha256=staged.sha256, kind=info.kind.value, stored_name=name,
                        forwarded_at=now, created_at=now))
            except IntegrityError:
                self.files.delete(name)
                raise Conflict(f"An attachment with key {info.key} is already on this ticket.") from None
            out.append(OutgoingAttachment(info.key, info.filename, media_type, staged.size, staged.sha256,
                                          AttachmentKind(info.kind), self.files.path(name)))
        return tuple(out)

    def _after(self, ticket_id: int, helpdesk_id: str) -> dict[str, Any]:
        try:
            self.sync.refresh(helpdesk_id)
        except HelpdeskUnavailable as exc:
            log.warning("refresh after an action failed: %s", exc)
        with self.db.read() as conn:
            row = find_row(conn, format_reference(ticket_id))
        return self.views.summary(row)


def _actor(who: Principal) -> Actor:
    return Actor(who.name, who.verified_email or who.email, who.verified)


def _parse_update(changes: dict[str, Any], now: datetime) -> tuple[ContactUpdate, dict[str, Any]]:
    problems: dict[str, str] = {}
    availability = contact = method = None
    detail: str | None = None
    stored: dict[str, Any] = {}
    try:
        if changes.get("availability") is not None:
            availability = Availability.from_dict(changes["availability"])
            if (msg := check_availability(availability, now)) is not None:
                problems["availability"] = msg
            stored["availability"] = availability.to_dict()
        if changes.get("contact") is not None:
            contact = Contact.from_dict(changes["contact"])
            problems.update(check_contact(contact))
            stored["contact"] = contact.to_dict()
        if changes.get("contact_method") is not None:
            method = ContactMethod(changes["contact_method"])
            stored["contact_method"] = method.value
        if changes.get("contact_method_detail") is not None:
            detail = str(changes["contact_method_detail"]).strip()
            stored["contact_method_detail"] = detail
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid({"ticket": f"The update is not valid: {exc}"}) from None
    if method is not None and (msg := check_contact_method(method, detail or "")) is not None:
        problems["contact_method_detail"] = msg
    if problems:
        raise Invalid(problems)
    if not stored:
        raise Invalid({"ticket": "Nothing to update: send availability, contact or contact_method."})
    return ContactUpdate(availability, contact, method, detail), stored
