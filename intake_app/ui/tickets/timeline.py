"""A ticket's timeline as HTML: status changes, technician notes and the user's replies, in local time.

Every value from the service is escaped; entry kinds this version does not
know are shown with their text as-is rather than dropped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from intake_app.ui.tickets import texts
from intake_app.ui.tickets.texts import tr


def _appointment(value: Any) -> str:
    """The local connector writes "start – end" (ISO); other helpdesks may send prose."""
    text = str(value or "")
    start, sep, end = text.partition(" – ")
    if sep and texts.parse_time(start) and texts.parse_time(end):
        return texts.appointment_text({"start": start, "end": end})
    return texts.when(text) if texts.parse_time(text) else text


def describe(entry: dict[str, Any]) -> tuple[str, str]:
    """(headline, body) of one entry, as plain text."""
    kind = str(entry.get("kind") or "")
    author = str(entry.get("author") or "")
    old, new, text = entry.get("old"), entry.get("new"), str(entry.get("text") or "")
    if kind == "status":
        return tr("Status: %1").replace("%1", str(new or "")), ""
    if kind == "priority":
        return tr("Priority: %1").replace("%1", str(new or "")), tr("was %1").replace("%1", str(old)) if old else ""
    if kind == "assignee":
        return (tr("Technician: %1").replace("%1", str(new)) if new else tr("No technician assigned")), ""
    if kind == "appointment":
        return tr("Appointment: %1").replace("%1", _appointment(new)), ""
    if kind == "note":
        return tr("%1 wrote").replace("%1", author or tr("The technician")), text
    if kind == "reply":
        return tr("You wrote"), text
    if kind == "created":
        return tr("Ticket created"), text
    if kind == "escalation":
        return tr("Escalation"), text or str(new or "")
    if kind == "contact_update":
        return tr("Contact details updated"), text
    return kind or tr("Update"), text or str(new or "")


def to_html(timeline: list[dict[str, Any]]) -> str:
    """Newest first: what changed last is what the user opened the ticket for."""
    if not timeline:
        return "<p>" + escape(tr("Nothing has happened on this ticket yet.")) + "</p>"
    parts = []
    for entry in sorted((e for e in timeline if isinstance(e, dict)), key=_sort_key, reverse=True):
        headline, body = describe(entry)
        kind = str(entry.get("kind") or "")
        style = ' style="font-weight:600"' if kind in ("note", "status") else ""
        block = (f'<p><small>{escape(texts.when(entry.get("at")))}</small><br>'
                 f"<span{style}>{escape(headline)}</span>")
        if body:
            block += "<br>" + escape(body).replace("\n", "<br>")
        parts.append(block + "</p>")
    return "".join(parts)


def _sort_key(entry: dict[str, Any]) -> float:
    moment = texts.parse_time(entry.get("at"))
    return moment.timestamp() if moment else 0.0
