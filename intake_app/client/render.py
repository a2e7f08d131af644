"""Plain-text views of tickets and the outbox for the command line (the UI draws its own)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake_app.client.outbox_item import OutboxItem


def when(value: str | None) -> str:
    """An API timestamp in the user's local time, ``2026-12-01 09:30``."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def number_of(ticket: dict[str, Any]) -> str:
    return f"#{ticket['helpdesk_id']}" if ticket.get("helpdesk_id") else str(ticket.get("reference") or "")


def priority_text(ticket: dict[str, Any]) -> str:
    requested, assigned = ticket.get("requested_priority"), ticket.get("assigned_priority")
    if assigned and assigned != requested:
        return f"P{assigned} (you asked for P{requested})"
    return f"P{assigned or requested}" if (assigned or requested) else ""


def ticket_table(tickets: list[dict[str, Any]], queued: list[OutboxItem]) -> str:
    if not tickets and not queued:
        return "No tickets yet."
    rows = [("NUMBER", "STATUS", "PRIORITY", "UPDATED", "SUMMARY")]
    for item in queued:
        rows.append((item.number, item.state.label, f"P{int(item.priority)}", when(item.updated_at.isoformat()),
                     item.summary))
    for ticket in tickets:
        status = (ticket.get("status") or {}).get("name", "")
        if ticket.get("needs_user"):
            status += " (action needed)"
        rows.append((number_of(ticket), status, priority_text(ticket), when(ticket.get("updated_at")),
                     str(ticket.get("summary") or "")))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows)


def ticket_detail(ticket: dict[str, Any]) -> str:
    status = ticket.get("status") or {}
    lines = [f"{number_of(ticket)}  {ticket.get('summary', '')}",
             f"Intake reference: {ticket.get('reference', '')}",
             f"Status:    {status.get('name', '')}" + (f" ({status['meaning']})" if status.get("meaning") else ""),
             f"Priority:  {priority_text(ticket)}"]
    if ticket.get("technician"):
        lines.append(f"Technician: {ticket['technician']}")
    if ticket.get("appointment"):
        lines.append(f"Appointment: {when(ticket['appointment'].get('start'))} – {when(ticket['appointment'].get('end'))}")
    if ticket.get("respond_by"):
        lines.append(f"A technician will respond by {when(ticket['respond_by'])}")
    action = {"reply": "The technician needs something from you: reply (intake-app reply).",
              "close-or-reply": "Still broken? Reply. Fixed? Close it (intake-app close).",
              "reopen": "Not fixed? Reopen it (intake-app reopen)."}.get(str(status.get("action") or ""))
    if action:
        lines.append(action)
    escalation = ticket.get("escalation")
    if escalation:
        lines.append(f"Escalation: {escalation.get('state')} (fee {escalation.get('fee')}, id {escalation.get('id')})")
    if ticket.get("updates_by_email"):
        lines.append("This helpdesk sends updates by e-mail.")
    if ticket.get("device_name"):
        lines.append(f"Device:    {ticket['device_name']}")
    for key, label in (("error_details", "Error details"), ("description", "Description")):
        if ticket.get(key):
            lines += ["", f"{label}:", *("  " + line for line in str(ticket[key]).splitlines())]
    if ticket.get("attachments"):
        lines += ["", "Attachments:"] + [f"  {a.get('filename')} ({a.get('size')} bytes)" for a in ticket["attachments"]]
    if ticket.get("timeline"):
        lines += ["", "Timeline:"]
        for entry in ticket["timeline"]:
            text = entry.get("text") or ""
            if entry.get("old") or entry.get("new"):
                text = f"{entry.get('old') or '–'} → {entry.get('new') or '–'}" + (f": {text}" if text else "")
            author = f" {entry['author']}" if entry.get("author") else ""
            lines.append(f"  {when(entry.get('at'))}  {entry.get('kind', '')}{author}: {text}".rstrip(": "))
    return "\n".join(lines)


def outbox_table(items: list[OutboxItem]) -> str:
    if not items:
        return "Nothing is waiting to be sent."
    lines = []
    for item in items:
        lines.append(f"[{item.id}] {item.summary}  (P{int(item.priority)}, {item.client_ticket_id})")
        lines.append(f"     {item.describe()}")
        lines += [f"       - {field}: {text}" for field, text in item.problems.items()]
    return "\n".join(lines)
