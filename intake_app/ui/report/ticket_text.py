"""The complete ticket as the technician will read it, as plain text.

The review page shows exactly this before Submit, so the user sees everything
that leaves the computer. Labels are translated (context ``ticket_text``); the
user's words are never altered.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from intake_app.core.policy import Policy
from intake_app.core.priorities import definition_for
from intake_app.core.ticket import AttachmentInfo, TicketDraft

# Labels built from data (contact fields, contact methods) are listed here for the translators.
_DATA_LABELS = (
    QT_TRANSLATE_NOOP("ticket_text", "name"), QT_TRANSLATE_NOOP("ticket_text", "email"),
    QT_TRANSLATE_NOOP("ticket_text", "phone"), QT_TRANSLATE_NOOP("ticket_text", "company"),
    QT_TRANSLATE_NOOP("ticket_text", "Phone"), QT_TRANSLATE_NOOP("ticket_text", "E-mail"),
    QT_TRANSLATE_NOOP("ticket_text", "Teams / chat"), QT_TRANSLATE_NOOP("ticket_text", "Remote session"),
)


def tr(text: str) -> str:
    """For labels that come from data (listed above); literal labels use ``translate`` directly."""
    return QCoreApplication.translate("ticket_text", text)


translate = QCoreApplication.translate


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def render_ticket_text(draft: TicketDraft, policy: Policy, attachments: Sequence[AttachmentInfo] = (),
                       system_text: str = "") -> str:
    """Every field of ``draft`` in reading order; empty optional fields are left out."""
    lines: list[str] = []

    def field(label: str, value: str) -> None:
        if value:
            lines.append(f"{label}: {value}")

    field(translate("ticket_text", "Summary"), draft.summary.strip())
    try:
        name = definition_for(draft.requested_priority, policy.priorities).name
    except KeyError:
        name = ""
    priority = f"P{int(draft.requested_priority)}" + (f" – {name}" if name else "")
    field(translate("ticket_text", "Requested priority"), priority)
    if draft.escalation_requested:
        fee = translate("ticket_text", "yes, flat fee {fee}; needs approval by the primary IT contact")
        field(translate("ticket_text", "Escalation requested"), fee.replace("{fee}", policy.escalation_fee))
    field(translate("ticket_text", "Computer or device"), draft.device_name.strip())
    contact = draft.contact
    field(translate("ticket_text", "Contact"),
          ", ".join(x for x in (contact.name, contact.email, contact.phone, contact.company) if x))
    corrections = draft.contact_corrections
    if corrections:
        lines.append(translate("ticket_text",
                               "Contact corrected by the user (please update the helpdesk record):"))
        for key, (old, new) in corrections.items():
            lines.append(f"  {tr(key)}: {old or '—'} → {new or '—'}")
    if draft.reported_for is not None:
        person = draft.reported_for
        field(translate("ticket_text", "Reported for"),
              ", ".join(x for x in (person.name, person.email, person.phone) if x))
    method = draft.contact_method.label
    field(translate("ticket_text", "Best way to reach"), f"{tr(method)}: {draft.contact_method_detail.strip()}"
          if draft.contact_method_detail.strip() else tr(method))
    field(translate("ticket_text", "Availability"), draft.availability.describe())
    if draft.error_details:
        lines += ["", translate("ticket_text", "Error details") + ":", draft.error_details]
    if draft.description:
        lines += ["", translate("ticket_text", "Description") + ":", draft.description]
    if attachments:
        lines += ["", translate("ticket_text", "Attachments") + ":"]
        lines += [f"  {a.filename} ({a.media_type}, {human_size(a.size)})" for a in attachments]
    if system_text:
        heading = translate("ticket_text", "System information (for the technician, as an internal note)")
        lines += ["", heading + ":", system_text]
    return "\n".join(lines)
