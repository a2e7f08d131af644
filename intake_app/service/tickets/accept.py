"""Accepting a ticket into the service's outbox (SPEC §5: commit, then answer 202).

The attachment bytes are already in staged temp files (streamed by the API).
Accepting validates the draft with ``core.validation``, checks every declared
attachment against its part (size, SHA-256), renames the files to generated
names and inserts the ticket and its attachments in one transaction. Only then
does the client get its 202 and an Intake reference. A replay of the same
``client_ticket_id`` (per company) answers with the existing ticket.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from intake_app.core.escalation import EscalationRequest
from intake_app.core.filetypes import detect_media_type
from intake_app.core.ticket import AttachmentInfo, TicketDraft
from intake_app.core.validation import validate_draft
from intake_app.service.companies import Companies
from intake_app.service.db import schema as s
from intake_app.service.db.database import Database
from intake_app.service.errors import Invalid
from intake_app.service.files import FileStore, StagedFile
from intake_app.service.identity import Principal
from intake_app.service.limits import MAX_ATTACHMENTS
from intake_app.service.tickets.refs import format_reference

log = logging.getLogger(__name__)

_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


@dataclass(frozen=True)
class Accepted:
    reference: str
    client_ticket_id: str
    relay_state: str
    helpdesk_id: str | None
    replay: bool

    def to_dict(self) -> dict[str, object]:
        return {"reference": self.reference, "client_ticket_id": self.client_ticket_id,
                "relay_state": self.relay_state, "helpdesk_id": self.helpdesk_id}


def parse_draft(data: object) -> TicketDraft:
    """The wire form as a TicketDraft; Invalid naming the problem when it is malformed."""
    if not isinstance(data, dict):
        raise Invalid({"ticket": "The ticket must be a JSON object."})
    try:
        return TicketDraft.from_dict(data)
    except KeyError as exc:
        raise Invalid({"ticket": f"The ticket is missing or has a wrong value for {exc}."}) from None
    except (TypeError, ValueError) as exc:
        raise Invalid({"ticket": f"The ticket is not valid: {exc}"}) from None


class TicketIntake:
    def __init__(self, db: Database, files: FileStore, companies: Companies,
                 clock: Callable[[], datetime], wake_relay: Callable[[], None]) -> None:
        self.db = db
        self.files = files
        self.companies = companies
        self.clock = clock
        self.wake_relay = wake_relay

    def accept(self, who: Principal, draft_data: object, parts: dict[str, StagedFile]) -> Accepted:
        """Commit the ticket and its attachments; the caller discards ``parts`` on any exception."""
        assert who.company_id is not None and who.device_id is not None
        draft = parse_draft(draft_data)
        if not _CLIENT_ID.match(draft.client_ticket_id):
            raise Invalid({"client_ticket_id": "The client ticket id must be a UUID."})
        existing = self._existing(who, draft.client_ticket_id)
        if existing is not None:
            return existing
        problems = validate_draft(draft, now=draft.created_at)
        problems.update(check_attachments(draft.attachments, parts))
        if problems:
            raise Invalid(problems)
        policy = self.companies.policy(who.company_id)
        stored: list[tuple[str, StagedFile]] = []
        try:
            for info in draft.attachments:
                stored.append((self.files.commit(parts[info.key]), parts[info.key]))
            accepted = self._insert(who, draft, stored, policy.escalation_fee if (
                draft.escalation_requested and policy.escalation_enabled) else None)
        except IntegrityError:  # the same client id committed concurrently: answer with that one
            for name, _ in stored:
                self.files.delete(name)
            replay = self._existing(who, draft.client_ticket_id)
            if replay is None:
                raise
            return replay
        except BaseException:
            for name, _ in stored:
                self.files.delete(name)
            raise
        log.info("accepted %s (%d attachments) from device %s", accepted.reference, len(stored), who.device_id)
        self.wake_relay()
        return accepted

    def _existing(self, who: Principal, client_ticket_id: str) -> Accepted | None:
        """The ticket already accepted under this id (a resend), if it is the caller's own.

        Someone else's id answers 422 and reveals nothing: a resend comes from the same device, from
        the same user's new enrolment (a revoked or replaced PC) or from that verified user.
        """
        with self.db.read() as conn:
            row = conn.execute(select(s.tickets).where(s.tickets.c.company_id == who.company_id,
                                                       s.tickets.c.client_ticket_id == client_ticket_id)).first()
            if row is None:
                return None
            owner = ""
            if row.device_id not in (None, who.device_id):
                owner = conn.execute(select(s.devices.c.user_email).where(s.devices.c.id == row.device_id)).scalar()
        same_user = (row.device_id == who.device_id
                     or (who.verified and row.contact_email == who.verified_email)
                     or bool(owner and owner.strip().lower() == who.email.strip().lower()))
        if not same_user:
            raise Invalid({"client_ticket_id": "This client ticket id is already used by another ticket; "
                                               "submit this one with a new id."})
        return Accepted(format_reference(row.id), client_ticket_id, row.relay_state, row.helpdesk_id, replay=True)

    def _insert(self, who: Principal, draft: TicketDraft, stored: list[tuple[str, StagedFile]],
                escalation_fee: str | None) -> Accepted:
        now = self.clock()
        with self.db.write() as conn:
            ticket_id = int(conn.execute(insert(s.tickets).values(
                company_id=who.company_id, device_id=who.device_id, client_ticket_id=draft.client_ticket_id,
                origin="intake", draft_json=json.dumps(draft.to_dict()), summary=draft.summary.strip(),
                contact_email=draft.contact.email.strip().lower(), requested_priority=int(draft.requested_priority),
                relay_state="accepted", next_attempt_at=now, created_at=now, updated_at=now,
            )).inserted_primary_key[0])
            for info, (name, staged) in zip(draft.attachments, stored, strict=True):
                conn.execute(insert(s.ticket_attachments).values(
                    ticket_id=ticket_id, key=info.key, filename=display_name(info.filename),
                    media_type=detect_media_type(staged.head) if staged.size else "application/octet-stream",
                    size=staged.size, sha256=staged.sha256, kind=info.kind.value, stored_name=name, created_at=now))
            if escalation_fee is not None:
                request = EscalationRequest.open(format_reference(ticket_id), draft.requested_priority, True,
                                                 who.display, escalation_fee, "Requested when the ticket was filed.",
                                                 now=now)
                from intake_app.service.escalations import insert_request

                insert_request(conn, ticket_id, who.company_id, request)
        return Accepted(format_reference(ticket_id), draft.client_ticket_id, "accepted", None, replay=False)


def check_attachments(described: Sequence[AttachmentInfo], parts: dict[str, StagedFile]) -> dict[str, str]:
    """Each described attachment arrived whole (size, SHA-256) and no part is undescribed."""
    problems: dict[str, str] = {}
    declared = [a.key for a in described]
    if len(declared) > MAX_ATTACHMENTS:
        problems["attachments"] = f"At most {MAX_ATTACHMENTS} attachments per ticket; this one has {len(declared)}."
    if len(set(declared)) != len(declared):
        problems["attachments"] = "Two attachments have the same key."
    for info in described:
        field = f"attachments.{info.key}"
        staged = parts.get(info.key)
        if not _KEY.match(info.key):
            problems[field] = "An attachment key may only contain letters, digits and . _ : - (1–100 characters)."
        elif staged is None:
            problems[field] = f"The file “{info.filename}” was described but its part attachment:{info.key} is missing."
        elif staged.size == 0:  # nothing for a technician to open; the desktop app never sends one
            problems[field] = f"“{info.filename}” is empty (0 bytes)."
        elif staged.size != info.size:
            problems[field] = f"“{info.filename}” should be {info.size} bytes but {staged.size} arrived."
        elif staged.sha256 != info.sha256.lower():
            problems[field] = f"“{info.filename}” arrived damaged (its SHA-256 does not match); send it again."
    for key in sorted(set(parts) - set(declared)):
        problems[f"attachments.{key}"] = f"The part attachment:{key} is not described in the ticket's attachments."
    return problems


def display_name(filename: str) -> str:
    """The user's file name for display: no path, no control characters, at most 255 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "attachment"
    return name[:255]
