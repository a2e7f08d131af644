"""Request Tracker ⇄ Intake: what goes into a ticket, and how RT's JSON reads back.

Pure functions over plain data (no HTTP), so every rule here is tested without RT.
Markers: Intake's own comments and replies carry a subject that starts with
``[Intake …]``; RT keeps a transaction's subject in its ``Data`` field, so the
timeline recognises them from the history alone (one call, no content fetch).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from intake_app.core.priorities import GUIDE_PRIORITIES, Priority
from intake_app.core.statuses import GUIDE_STATUSES, StatusCategory, StatusDefinition, StatusMap, UserAction
from intake_app.core.ticket import TicketDraft
from intake_app.service.connectors.base import Appointment, HelpdeskContact, HelpdeskTicket, OutgoingTicket

REPLY_MARK = "[Intake reply]"
DETAILS_MARK = "[Intake details]"
ATTACHMENT_MARK = "[Intake attachment]"
CONTACT_MARK = "[Intake contact update]"
ESCALATION_MARK = "[Intake escalation"  # "[Intake escalation <key>] <action>"
KEY_SEPARATOR = "__"  # stored file name: "<attachment key>__<file name>"
SENT_WITH = "Sent with Intake, reference"  # last line of the first message (ConnectWise shows it as a note)
UNSET_DATE = "1970-01-01T00:00:00Z"

# RT's stock statuses next to the guide's, so a queue on the default lifecycle still maps sensibly.
RT_STATUSES: tuple[StatusDefinition, ...] = (
    StatusDefinition("new", StatusCategory.NEW, "Received; waiting for a technician."),
    StatusDefinition("open", StatusCategory.WORKING, "A technician is working on it."),
    StatusDefinition("stalled", StatusCategory.ON_HOLD, "On hold."),
    StatusDefinition("resolved", StatusCategory.CLOSED, "Resolved."),
    StatusDefinition("rejected", StatusCategory.CLOSED, "Closed without a fix."),
    StatusDefinition("deleted", StatusCategory.CLOSED, "Deleted by the helpdesk."),
)


@dataclass(frozen=True)
class RtFields:
    """Names of the ticket custom fields; an empty name means "not used"."""

    client_ticket_id: str = "ClientTicketId"
    device: str = "Device"
    requested_priority: str = "RequestedPriority"
    availability: str = "Availability"
    contact_method: str = "ContactMethod"
    contact_detail: str = "ContactDetail"
    escalation: str = "Escalation"

    def names(self) -> list[str]:
        return [n for n in (self.client_ticket_id, self.device, self.requested_priority, self.availability,
                            self.contact_method, self.contact_detail, self.escalation) if n]


@dataclass(frozen=True)
class PriorityScale:
    """RT priority numbers for P1..P4 (rt.sh sets ``%PriorityAsString`` to the same numbers)."""

    values: dict[int, int] = field(default_factory=lambda: {1: 90, 2: 70, 3: 50, 4: 30})

    def number(self, priority: int) -> int:
        return self.values[int(priority)]

    def priority(self, number: Any) -> int | None:
        """The P1..P4 nearest to RT's number; None for 0/unset (not assigned yet)."""
        try:
            value = int(str(number).strip() or 0)
        except ValueError:
            return None
        if value <= 0:
            return None
        return min(self.values, key=lambda p: (abs(self.values[p] - value), p))


def rt_status_name(guide_name: str) -> str:
    """RT's spelling of a guide status: lower case, en dash as a plain hyphen."""
    return " ".join(guide_name.replace("–", "-").replace("—", "-").lower().split())


def status_map(extra: dict[str, str] | None = None) -> StatusMap:
    """Guide statuses, RT's stock ones, then ``extra`` (name -> category) from the config, last wins."""
    defs: dict[str, StatusDefinition] = {}
    for d in (*GUIDE_STATUSES, *RT_STATUSES):
        defs[rt_status_name(d.name)] = d
    for name, category in (extra or {}).items():
        base = defs.get(rt_status_name(name))
        defs[rt_status_name(name)] = StatusDefinition(name, StatusCategory(category), base.meaning if base else "",
                                                      base.action if base else UserAction.NONE)
    return StatusMap(tuple(defs.values()))


# ------------------------------------------------------------------------------ outgoing


def requestor_email(ticket: OutgoingTicket) -> str:
    return (ticket.contact.email or ticket.draft.contact.email).strip()


def public_text(ticket: OutgoingTicket) -> str:
    """The ticket's first message, as the requestor wrote it plus the structured facts, in plain text."""
    d: TicketDraft = ticket.draft
    lines: list[str] = [d.description.strip() or "(no description)"]
    if d.error_details:
        lines += ["", "Error details:", d.error_details]
    lines += ["", f"Device: {d.device_name or 'not given'}"]
    if d.reported_for:
        rf = d.reported_for
        lines.append(f"Reported on behalf of: {rf.name} {rf.email} {rf.phone}".rstrip())
    detail = f" ({d.contact_method_detail})" if d.contact_method_detail else ""
    lines.append(f"Best contact method: {d.contact_method.label}{detail}")
    lines.append(f"Availability: {d.availability.describe()}")
    name = next((p.name for p in GUIDE_PRIORITIES if p.priority == d.requested_priority), "")
    lines.append(f"Requested priority: {Priority(d.requested_priority).label} {name}".rstrip())
    if ticket.escalation_requested or d.escalation_requested:
        lines.append("Paid escalation requested (flat fee; pending approval by the company's primary IT contact).")
    if ticket.catch_all:
        c = d.contact
        lines.append(f"Filed under the catch-all contact: the helpdesk has no contact for {c.name} <{c.email}>"
                     f"{' ' + c.phone if c.phone else ''}.")
    lines += ["", f"{SENT_WITH} {ticket.reference}."]
    return "\n".join(lines)


def details_text(ticket: OutgoingTicket) -> str:
    """The internal comment: contact corrections (flagged, not applied) and the machine details."""
    parts: list[str] = []
    corrections = ticket.draft.contact_corrections
    if corrections:
        parts.append("The user corrected their contact details (please update the record if right):")
        parts += [f"  {key}: {old!r} -> {new!r}" for key, (old, new) in sorted(corrections.items())]
        parts.append("")
    parts.append(ticket.machine_details.strip() or ticket.draft.system_info_text.strip()
                 or "(no machine details were sent)")
    return "\n".join(parts)


def custom_fields(ticket: OutgoingTicket, fields: RtFields) -> dict[str, str]:
    d = ticket.draft
    values = {
        fields.client_ticket_id: ticket.client_ticket_id,
        fields.device: d.device_name.strip(),
        fields.requested_priority: Priority(d.requested_priority).label,
        fields.availability: json.dumps(d.availability.to_dict(), ensure_ascii=False, sort_keys=True),
        fields.contact_method: d.contact_method.value,
        fields.contact_detail: d.contact_method_detail.strip(),
        fields.escalation: "pending" if (ticket.escalation_requested or d.escalation_requested) else "",
    }
    return {name: value for name, value in values.items() if name and value}


def create_payload(ticket: OutgoingTicket, queue: str, status: str, fields: RtFields) -> dict[str, Any]:
    return {
        "Queue": queue,
        "Subject": ticket.draft.summary.strip(),
        "Requestor": requestor_email(ticket),  # REST2 does not default it: without it the user sees nothing
        "Status": status,
        "Content": public_text(ticket),
        "ContentType": "text/plain",
        "CustomFields": custom_fields(ticket, fields),
    }


_UNSAFE = re.compile(r"[^\w.() -]+")


def stored_filename(key: str, filename: str) -> str:
    """``<key>__<file name>``: the key survives in RT, the name stays readable and path-free."""
    name = _UNSAFE.sub("_", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "attachment"
    return f"{key}{KEY_SEPARATOR}{name[-120:]}"


_KEY_CHARS = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def keys_in_filename(filename: str) -> set[str]:
    """Every possible key in a stored name (keys may contain ``__`` themselves, so each split counts)."""
    found: set[str] = set()
    start = 0
    while (at := filename.find(KEY_SEPARATOR, start)) > 0:
        candidate = filename[:at]
        if _KEY_CHARS.match(candidate):
            found.add(candidate)
        start = at + 1
    return found


# ------------------------------------------------------------------------------ incoming


def parse_time(value: Any) -> datetime | None:
    """RT's ISO-8601 ``...Z`` times; the unset date 1970-01-01 is None."""
    if not value or value == UNSET_DATE:
        return None
    text = str(value).strip().replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return None if parsed.year <= 1970 else parsed


def cf_values(ticket_json: dict[str, Any]) -> dict[str, list[str]]:
    return {str(cf.get("name")): [str(v) for v in cf.get("values") or []]
            for cf in ticket_json.get("CustomFields") or [] if isinstance(cf, dict)}


def appointment(ticket_json: dict[str, Any], default_minutes: int) -> Appointment | None:
    """Starts is the appointment; Due ends it when it falls within 12 hours of the start."""
    start = parse_time(ticket_json.get("Starts"))
    if start is None:
        return None
    due = parse_time(ticket_json.get("Due"))
    end = due if due is not None and start < due <= start + timedelta(hours=12) else start + timedelta(
        minutes=default_minutes)
    return Appointment(start, end)


def ticket_from_json(data: dict[str, Any], *, fields: RtFields, scale: PriorityScale,
                     contact: HelpdeskContact | None, technician: str, default_minutes: int) -> HelpdeskTicket:
    cfs = cf_values(data)
    created = parse_time(data.get("Created")) or datetime.now(timezone.utc)
    client_ids = cfs.get(fields.client_ticket_id) or [] if fields.client_ticket_id else []
    return HelpdeskTicket(
        helpdesk_id=str(data.get("id")),
        summary=str(data.get("Subject") or ""),
        status=str(data.get("Status") or ""),
        created_at=created,
        updated_at=parse_time(data.get("LastUpdated")) or created,
        priority=scale.priority(data.get("Priority")),
        contact=contact,
        technician=technician,
        appointment=appointment(data, default_minutes),
        client_ticket_id=client_ids[0] if client_ids else None,
    )


def ref_id(value: Any) -> str:
    """The ``id`` of a REST2 reference object (or the value itself)."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")
