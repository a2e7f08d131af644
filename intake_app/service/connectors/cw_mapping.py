"""ConnectWise ⇄ Intake: the ticket payload, reading tickets and notes back, board statuses.

Pure functions over plain data. Texts are shared with the RT connector
(:mod:`.rt_mapping`: the public first message, the internal details, the
``[Intake …]`` markers and the ``<key>__<name>`` attachment naming).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from intake_app.core.priorities import Priority
from intake_app.core.statuses import GUIDE_STATUSES, StatusCategory, StatusDefinition, StatusMap, UserAction
from intake_app.service.connectors.base import (
    Appointment,
    EventKind,
    HelpdeskContact,
    HelpdeskEvent,
    HelpdeskTicket,
    OutgoingTicket,
)
from intake_app.service.connectors.rt_mapping import (
    CONTACT_MARK,
    ESCALATION_MARK,
    REPLY_MARK,
    SENT_WITH,
    details_text,
    public_text,
)

# ConnectWise field limits (Ticket model: summary 100, contactName 62, contactPhoneNumber 20,
# contactEmailAddress 250, externalXRef 100)
LIMITS = {"summary": 100, "contactName": 62, "contactPhoneNumber": 20, "contactEmailAddress": 250, "externalXRef": 100}


def _fold(name: str) -> str:
    return " ".join(name.replace("–", "-").replace("—", "-").casefold().split())


def status_map(board_statuses: Iterable[Mapping[str, Any]], extra: Mapping[str, str] | None = None) -> StatusMap:
    """Board statuses onto SPEC §4 categories.

    The category comes from the config (``extra``), else from the guide's status of the same name,
    else ``closedStatus`` (closed) or working. The meaning shown is the board's
    ``customerPortalDescription`` when the MSP wrote one, else the guide's.
    """
    guide = {_fold(d.name): d for d in GUIDE_STATUSES}
    extra_folded = {_fold(k): v for k, v in (extra or {}).items()}
    defs: dict[str, StatusDefinition] = {k: v for k, v in guide.items()}
    for status in board_statuses:
        name = str(status.get("name") or "")
        if not name:
            continue
        base = guide.get(_fold(name))
        if _fold(name) in extra_folded:
            category = StatusCategory(extra_folded[_fold(name)])
        elif base is not None:
            category = base.category
        else:
            category = StatusCategory.CLOSED if status.get("closedStatus") else StatusCategory.WORKING
        meaning = str(status.get("customerPortalDescription") or "").strip() or (base.meaning if base else "")
        action = base.action if base is not None and base.category is category else _default_action(category)
        defs[_fold(name)] = StatusDefinition(name, category, meaning, action)
    return StatusMap(tuple(defs.values()))


def _default_action(category: StatusCategory) -> UserAction:
    return {StatusCategory.WAITING_ON_YOU: UserAction.REPLY, StatusCategory.PENDING_CLOSURE: UserAction.CLOSE_OR_REPLY,
            StatusCategory.CLOSED: UserAction.REOPEN}.get(category, UserAction.NONE)


def ticket_payload(ticket: OutgoingTicket, *, board_id: int, company: Mapping[str, Any], contact_id: int | None,
                   status_id: int, priority_id: int | None, custom_fields: Mapping[str, int]) -> dict[str, Any]:
    d = ticket.draft
    body: dict[str, Any] = {
        "summary": d.summary.strip()[: LIMITS["summary"]],
        "board": {"id": board_id},
        "company": dict(company),
        "status": {"id": status_id},
        "externalXRef": ticket.client_ticket_id[: LIMITS["externalXRef"]],
        "initialDescription": public_text(ticket),
        "initialInternalAnalysis": details_text(ticket),  # internal: machine details, contact corrections
    }
    if priority_id is not None:
        body["priority"] = {"id": priority_id}
    if contact_id is not None:
        body["contact"] = {"id": contact_id}
    if contact_id is None or ticket.catch_all:  # say who it really is on the ticket itself
        who = d.contact
        for key, value in (("contactName", who.name), ("contactEmailAddress", who.email),
                           ("contactPhoneNumber", who.phone)):
            if value.strip():
                body[key] = value.strip()[: LIMITS[key]]
    values = cf_values(ticket, custom_fields)
    if values:
        body["customFields"] = values
    return body


def cf_values(ticket: OutgoingTicket, ids: Mapping[str, int]) -> list[dict[str, Any]]:
    d = ticket.draft
    wanted = {
        "availability": json.dumps(d.availability.to_dict(), ensure_ascii=False, sort_keys=True),
        "requested_priority": Priority(d.requested_priority).label,
        "device": d.device_name.strip(),
        "contact_method": f"{d.contact_method.label}: {d.contact_method_detail}".rstrip(": "),
        "escalation": "pending" if (ticket.escalation_requested or d.escalation_requested) else "",
    }
    return [{"id": ids[name], "value": value} for name, value in wanted.items() if name in ids and value]


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


_PRIORITY_NUMBER = re.compile(r"priority\s*(\d)", re.IGNORECASE)


def priority_number(ref: Any, names: Mapping[int, str]) -> int | None:
    """P1..P4 for a ConnectWise priority reference: by configured name, else "Priority N" in the name."""
    name = str((ref or {}).get("name") or "") if isinstance(ref, Mapping) else ""
    for number, wanted in names.items():
        if _fold(wanted) == _fold(name):
            return number
    found = _PRIORITY_NUMBER.search(name)
    return int(found.group(1)) if found and 1 <= int(found.group(1)) <= 4 else None


def _ref_name(ref: Any) -> str:
    return str(ref.get("name") or ref.get("identifier") or "") if isinstance(ref, Mapping) else ""


def ticket_from_json(data: Mapping[str, Any], priorities: Mapping[int, str],
                     appointment: Appointment | None = None) -> HelpdeskTicket:
    info = data.get("_info") or {}
    created = parse_time(info.get("dateEntered") or data.get("dateEntered")) or datetime.now(timezone.utc)
    contact_ref = data.get("contact") or {}
    company = _ref_name(data.get("company"))
    contact = HelpdeskContact(
        name=str(data.get("contactName") or _ref_name(contact_ref)),
        email=str(data.get("contactEmailAddress") or ""), phone=str(data.get("contactPhoneNumber") or ""),
        company=company, helpdesk_id=str(contact_ref.get("id")) if contact_ref.get("id") else None,
    ) if (contact_ref or data.get("contactName")) else None
    return HelpdeskTicket(
        helpdesk_id=str(data.get("id")), summary=str(data.get("summary") or ""),
        status=_ref_name(data.get("status")), created_at=created,
        updated_at=parse_time(info.get("lastUpdated")) or created,
        priority=priority_number(data.get("priority"), priorities), company=company, contact=contact,
        technician=_ref_name(data.get("owner")), appointment=appointment,
        client_ticket_id=str(data["externalXRef"]) if data.get("externalXRef") else None,
    )


def note_time(note: Mapping[str, Any]) -> datetime | None:
    info = note.get("_info") or {}
    return parse_time(note.get("dateCreated") or info.get("dateCreated") or info.get("dateEntered")
                      or info.get("lastUpdated"))


def marked(text: str, mark: str) -> tuple[str, str] | None:
    """``[mark] Name <email>\\nbody`` -> (Name, body); None when ``text`` is not marked."""
    if not text.startswith(mark):
        return None
    head, _, body = text.partition("\n")
    author = head[len(mark):].strip()
    return author.split(" <", 1)[0].strip(), body.strip()


def events_from_notes(notes: Iterable[Mapping[str, Any]]) -> list[HelpdeskEvent]:
    """Public notes (Discussion) as notes or the user's replies; Intake's own internal markers too."""
    events: list[HelpdeskEvent] = []
    for note in notes:
        at = note_time(note)
        text = str(note.get("text") or "")
        if at is None:
            continue
        member, contact = _ref_name(note.get("member")), _ref_name(note.get("contact"))
        if note.get("detailDescriptionFlag"):
            if _is_first_message(text):
                continue  # ConnectWise's copy of initialDescription: the service shows the description itself
            if (reply := marked(text, REPLY_MARK)) is not None:
                events.append(HelpdeskEvent(at, EventKind.REPLY, reply[0], reply[1]))
            elif contact and not member:  # the contact answered through the portal or by e-mail
                events.append(HelpdeskEvent(at, EventKind.REPLY, contact, text.strip()))
            else:
                author = member or str(note.get("createdBy") or "")
                events.append(HelpdeskEvent(at, EventKind.NOTE, author, text.strip()))
        elif (update := marked(text, CONTACT_MARK)) is not None:
            events.append(HelpdeskEvent(at, EventKind.CONTACT_UPDATE, update[0], update[1]))
        elif text.startswith(ESCALATION_MARK):
            events.append(HelpdeskEvent(at, EventKind.ESCALATION, member, text.partition("\n")[2].strip()))
    return sorted(events, key=lambda e: e.at)


_FIRST_MESSAGE = re.compile(re.escape(SENT_WITH) + r" \S+\.\s*$")


def _is_first_message(text: str) -> bool:
    return _FIRST_MESSAGE.search(text) is not None
