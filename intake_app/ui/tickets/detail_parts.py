"""Parts of the ticket detail: which actions the ticket offers now, the user's own report, attachments.

``available_actions`` is the rule behind the buttons (SPEC §4: behaviour keys on
the status *category*), kept free of widgets so it reads as the table it implements.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from intake_app.core.policy import Policy
from intake_app.core.statuses import StatusCategory
from intake_app.core.ticket import Availability
from intake_app.ui.report.ticket_text import human_size
from intake_app.ui.tickets.texts import tr


def available_actions(ticket: dict[str, Any], category: StatusCategory, by_email: bool, policy: Policy) -> list[str]:
    """The buttons for this ticket now ("call" is always offered, by the caller)."""
    if by_email:  # send-only helpdesk: updates travel by e-mail
        return []
    if category is StatusCategory.CLOSED:
        shown = ["reopen"]
    elif category is StatusCategory.PENDING_CLOSURE:
        shown = ["still-broken", "close"]
    else:
        shown = ["reply"]
    if category.is_open and "timeline" in ticket:  # the editor starts from the ticket's full details
        shown.append("update")
    escalation = ticket.get("escalation") if isinstance(ticket.get("escalation"), dict) else None
    priority = ticket.get("assigned_priority") or ticket.get("requested_priority")
    if (category.is_open and priority == 3 and policy.escalation_enabled
            and (escalation is None or escalation.get("state") in ("denied", "cancelled"))):
        shown.append("escalate")
    return shown


def report_text(ticket: dict[str, Any]) -> str:
    """What the user told the helpdesk: description, availability, how to reach them."""
    lines = []
    if ticket.get("description"):
        lines.append(tr("You wrote: %1").replace("%1", str(ticket["description"])))
    try:
        availability = Availability.from_dict(ticket["availability"]) if ticket.get("availability") else None
    except (KeyError, TypeError, ValueError):
        availability = None
    if availability is not None:
        lines.append(tr("Your availability: %1").replace("%1", availability.describe()))
    if ticket.get("contact_method_detail"):
        lines.append(tr("Reach you by: %1").replace("%1", str(ticket["contact_method_detail"])))
    return "\n".join(lines)


class AttachmentsBox(QGroupBox):
    """The ticket's files with Open and Save as…; ``requested("open-attachment" | "save-attachment")``."""

    requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Attachments"), parent)
        layout = QHBoxLayout(self)
        self.list = QListWidget(self)
        self.list.setObjectName("ticket_attachments")
        self.list.setAccessibleName(tr("Attachments"))
        self.list.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        self.list.itemActivated.connect(lambda _item: self.requested.emit("open-attachment"))
        side = QVBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, text in (("open-attachment", tr("&Open")), ("save-attachment", tr("&Save as…"))):
            button = QPushButton(text, self)
            button.setObjectName(f"{name.replace('-', '_')}_button")
            button.clicked.connect(lambda _checked=False, n=name: self.requested.emit(n))
            self.buttons[name] = button
            side.addWidget(button)
        side.addStretch(1)
        layout.addWidget(self.list, 1)
        layout.addLayout(side)

    def set_attachments(self, attachments: list[dict[str, Any]]) -> int:
        """Fill the list; returns how many there are."""
        self.list.clear()
        for attachment in attachments:
            if not isinstance(attachment, dict) or not attachment.get("key"):
                continue
            size = human_size(int(attachment.get("size") or 0))
            item = QListWidgetItem(f"{attachment.get('filename') or attachment['key']} ({size})")
            item.setData(Qt.ItemDataRole.UserRole, attachment)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        return self.list.count()

    def current(self) -> dict[str, Any] | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None
