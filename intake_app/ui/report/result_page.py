"""What the user reads after Submit: the reference, the helpdesk number, what happens next.

Offline it says "Saved. It will be sent automatically when you are back
online." and, for a P1, to call the support phone now (SPEC §3, §6).
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from intake_app.core.policy import Policy
from intake_app.core.priorities import Priority
from intake_app.ui.report.submit_flow import Outcome, SubmitResult
from intake_app.ui.report.timefmt import format_local


class ResultPage(QWidget):
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Result"))
        layout = QVBoxLayout(self)
        self.headline = QLabel(self)
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName(self.tr("Result"))
        self.reference = QLabel(self)
        self.reference.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.helpdesk = QLabel(self)
        self.helpdesk.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.target = QLabel(self)
        self.target.setWordWrap(True)
        self.call_now = QLabel(self)
        self.call_now.setWordWrap(True)
        self.call_now.setOpenExternalLinks(True)
        self.call_now.setAccessibleName(self.tr("Call the helpdesk now"))
        self.copy_phone = QPushButton(self.tr("&Copy phone number"), self)
        self.expect = QLabel(self)
        self.expect.setWordWrap(True)
        for widget in (self.headline, self.reference, self.helpdesk, self.target, self.call_now):
            layout.addWidget(widget)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.copy_phone)
        phone_row.addStretch(1)
        layout.addLayout(phone_row)
        layout.addWidget(self.expect)
        layout.addStretch(1)
        self.close_button = QPushButton(self.tr("C&lose"), self)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.close_button.clicked.connect(self.close_requested)
        self.copy_phone.clicked.connect(self._copy_phone)
        self._phone = ""

    def show_result(self, result: SubmitResult, policy: Policy, now: datetime | None = None) -> None:
        self._phone = policy.support_phone
        p1 = result.draft.requested_priority == Priority.EMERGENCY
        sent = result.outcome is Outcome.SENT
        self.reference.setVisible(sent)
        self.helpdesk.setVisible(sent)
        self.target.setVisible(False)
        self.expect.setVisible(sent)
        if sent:
            self.headline.setText("<b>" + self.tr("Thank you: the helpdesk has your ticket.") + "</b>")
            self.reference.setText(self.tr("Intake reference: %1").replace("%1", result.reference or ""))
            self.set_helpdesk_number(result.helpdesk_id)
            due = policy.respond_by(result.draft.requested_priority, now or datetime.now(timezone.utc))
            if due is not None:
                self.target.setText(self.tr("A technician will respond by %1.").replace("%1", format_local(due)))
                self.target.setVisible(True)
            self.expect.setText(self.tr(
                "What happens next: your ticket is in the helpdesk's system. After a brief review it is assigned "
                "to a technician, who acknowledges it and contacts you to arrange a time. Each step appears in "
                "My tickets."))
        elif result.outcome is Outcome.QUEUED:
            self.headline.setText("<b>" + self.tr("Saved. It will be sent automatically when you are back online.")
                                  + "</b>" + (f"<br>{escape(result.message)}" if result.message else ""))
        elif result.outcome is Outcome.NEEDS_ATTENTION:
            self.headline.setText("<b>" + self.tr("The helpdesk service did not accept the ticket.") + "</b><br>"
                                  + escape(result.message) + "<br>" + self.tr(
                                      "It is kept on this computer; open My tickets to fix and resend it."))
        else:
            self.headline.setText("<b>" + self.tr("The ticket could not be saved.") + "</b><br>"
                                  + escape(result.message))
        urgent = p1 and not sent
        self.call_now.setVisible(urgent)
        self.copy_phone.setVisible(urgent)
        if urgent:
            phone = escape(policy.support_phone)
            digits = "".join(ch for ch in policy.support_phone if ch.isdigit() or ch == "+")
            self.call_now.setText(self.tr("This is an emergency: please call the helpdesk now at %1.")
                                  .replace("%1", f'<a href="tel:{digits}">{phone}</a>'))
        self.close_button.setFocus()

    def set_helpdesk_number(self, number: str | None) -> None:
        if number:
            self.helpdesk.setText(self.tr("Helpdesk ticket number: #%1").replace("%1", number))
        else:
            self.helpdesk.setText(self.tr("The helpdesk ticket number will appear here in a moment."))

    def _copy_phone(self) -> None:
        QGuiApplication.clipboard().setText(self._phone)
