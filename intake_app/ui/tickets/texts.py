"""Every sentence the tickets window and its notifications show, in one translatable place.

Behaviour keys on status *categories* (SPEC §4); the helpdesk's own wording for
the status name and meaning is shown when it sends one, these texts otherwise.
Times are shown in the user's own zone and locale.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QTimeZone

from intake_app.core.changes import Change, ChangeKind
from intake_app.core.statuses import StatusCategory, UserAction
from intake_app.ui.report.timefmt import format_local


def tr(text: str) -> str:
    return QCoreApplication.translate("tickets", text)


def what_to_expect() -> str:
    """The guide's "What should I expect?" (SPEC §4), for a new ticket and after Submit."""
    return tr("Your ticket is in the helpdesk's system. After a brief review it is assigned to a technician, who "
              "acknowledges it and contacts you to arrange a time. Each step appears here.")


def by_email_note() -> str:
    return tr("Sent by e-mail; updates arrive by e-mail.")


def category_meaning(category: StatusCategory) -> str:
    """The fallback meaning when the helpdesk sends none (e.g. a status it added itself)."""
    return {
        StatusCategory.NEW: tr("The helpdesk has it and will review it shortly."),
        StatusCategory.SCHEDULED: tr("It is being scheduled with a technician."),
        StatusCategory.WORKING: tr("The helpdesk is working on it."),
        StatusCategory.WAITING_ON_YOU: tr("The technician needs something from you."),
        StatusCategory.PENDING_CLOSURE: tr("It closes automatically in 1 business day unless you reply."),
        StatusCategory.ON_HOLD: tr("It is on hold."),
        StatusCategory.CLOSED: tr("Resolved."),
    }[category]


def expected_action(category: StatusCategory, action: str, appointment: str = "") -> str:
    """What the user is asked to do now, in words (the buttons below do it)."""
    if category is StatusCategory.WAITING_ON_YOU or action == UserAction.REPLY.value:
        return tr("Please reply: the technician is waiting for your answer.")
    if category is StatusCategory.PENDING_CLOSURE or action == UserAction.CLOSE_OR_REPLY.value:
        return tr("Still broken? Reply. Fixed? Close it. Without a reply it closes in 1 business day.")
    if category is StatusCategory.CLOSED or action == UserAction.REOPEN.value:
        return tr("Not fixed? Reopen it.")
    if appointment:
        return tr("Appointment: %1").replace("%1", appointment)
    return ""


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def when(value: Any) -> str:
    """An API timestamp as "Tuesday 3 December, 14:30" in the user's zone; the raw text if unreadable."""
    moment = parse_time(value)
    return format_local(moment) if moment is not None else str(value or "")


def short_when(value: Any) -> str:
    """The same, short (table cells): the locale's short date and time."""
    moment = parse_time(value)
    if moment is None:
        return str(value or "")
    stamp = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.systemTimeZone())
    return QLocale().toString(stamp, QLocale.FormatType.ShortFormat)


def appointment_text(appointment: Any) -> str:
    if not isinstance(appointment, dict) or not appointment.get("start"):
        return ""
    start, end = parse_time(appointment.get("start")), parse_time(appointment.get("end"))
    if start is None:
        return str(appointment.get("start"))
    if end is None:
        return format_local(start)
    until = QLocale().toString(QDateTime.fromSecsSinceEpoch(int(end.timestamp()), QTimeZone.systemTimeZone())
                               .time(), QLocale.FormatType.ShortFormat)
    return f"{format_local(start)}–{until}"


def miscoded_text(phone: str) -> str:
    return tr("Think this is miscoded? Call %1.").replace("%1", phone)


def priority_text(requested: Any, assigned: Any) -> str:
    """"P2 (you asked for P3)" once assigned and different; "P3 (requested)" before it is assigned."""
    if assigned and requested and assigned != requested:
        return tr("P%1 (you asked for P%2)").replace("%1", str(assigned)).replace("%2", str(requested))
    if assigned:
        return f"P{assigned}"
    return tr("P%1 (requested)").replace("%1", str(requested)) if requested else ""


def notification(change: Change, support_phone: str) -> tuple[str, str]:
    """One tray message (title, text) for one change."""
    title = tr("%1: %2").replace("%1", change.number).replace("%2", change.summary) if change.summary \
        else change.number
    if change.kind is ChangeKind.STATUS:
        category = change.category or StatusCategory.WORKING
        text = tr("Status: %1.").replace("%1", change.new or "")
        follow = expected_action(category, "") or category_meaning(category)
        return title, f"{text} {follow}"
    if change.kind is ChangeKind.PRIORITY:
        if change.escalated:
            return title, tr("Your escalation was approved: the priority is now %1.").replace("%1", change.new or "")
        text = tr("The helpdesk set the priority to %1.").replace("%1", change.new or "")
        if change.miscoded:
            text += " " + tr("You asked for P%1.").replace("%1", str(change.requested_priority)) + " " \
                + miscoded_text(support_phone)
        return title, text
    if change.kind is ChangeKind.TECHNICIAN:
        return title, tr("%1 is now your technician.").replace("%1", change.new or "")
    if change.kind is ChangeKind.APPOINTMENT:
        return title, tr("Appointment: %1.").replace("%1", appointment_text({"start": change.new,
                                                                            "end": change.until}))
    author = change.author or tr("The technician")
    excerpt = " ".join(change.text.split())
    if len(excerpt) > 140:
        excerpt = excerpt[:139] + "…"
    return title, tr("%1 wrote: %2").replace("%1", author).replace("%2", excerpt)


def escalation_state_text(escalation: Any) -> str:
    if not isinstance(escalation, dict) or not escalation.get("state"):
        return ""
    fee = str(escalation.get("fee") or "")
    return {
        "pending": tr("Escalation requested (fee %1): waiting for your primary IT contact's approval."),
        "approved": tr("Escalation approved (fee %1)."),
        "denied": tr("Escalation denied by your primary IT contact."),
        "cancelled": tr("Escalation cancelled."),
    }.get(str(escalation["state"]), str(escalation["state"])).replace("%1", fee)


def error_text(error: BaseException) -> str:
    """The client's typed errors carry a sentence for the user; anything else says what broke."""
    from intake_app.errors import IntakeError

    if isinstance(error, IntakeError):
        return str(error)
    return tr("Something went wrong (%1). Please try again.").replace("%1", type(error).__name__)
