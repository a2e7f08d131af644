"""The company's pending escalations, for its verified primary IT contact to approve or deny (guide: P3 fee).

The service decides who may see and decide them (403 for anyone else); this
view shows its answer as-is. Each decision carries a reason, which the service
audits and writes to the helpdesk.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake_app.ui.report.theme import FieldError
from intake_app.ui.tickets import texts
from intake_app.ui.tickets.actions import TicketActions
from intake_app.ui.tickets.texts import tr


def describe(escalation: dict[str, Any]) -> str:
    audit = [a for a in escalation.get("audit") or [] if isinstance(a, dict)]
    requested = next((a for a in audit if a.get("action") == "requested"), {})
    reason = str(requested.get("reason") or "")
    line = tr("Ticket %1, requested by %2 on %3, fee %4").replace("%1", str(escalation.get("ticket") or "")) \
        .replace("%2", str(escalation.get("requested_by") or "?")).replace("%3", texts.when(requested.get("at"))) \
        .replace("%4", str(escalation.get("fee") or ""))
    return line + (f"\n{tr('Why: %1').replace('%1', reason)}" if reason else "")


class ApprovalsView(QWidget):
    """``decided(escalation)`` after an approval or a denial went through."""

    decided = Signal(dict)

    def __init__(self, actions: TicketActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Escalations waiting for your approval"))
        self.actions = actions
        layout = QVBoxLayout(self)
        intro = QLabel(tr("As your company's primary IT contact you approve or deny paid escalations. An "
                          "approved escalation is billed at the fee shown."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget(self)
        self.list.setObjectName("escalations")
        self.list.setAccessibleName(tr("Pending escalations"))
        self.list.setWordWrap(True)
        layout.addWidget(self.list, 1)
        self.empty = QLabel(tr("No escalation is waiting for a decision."), self)
        layout.addWidget(self.empty)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("decision_reason")
        self.reason.setPlaceholderText(tr("Reason (recorded with your decision)"))
        self.reason.setAccessibleName(tr("Reason for your decision"))
        self.reason.setMaxLength(4000)
        layout.addWidget(self.reason)
        row = QHBoxLayout()
        self.approve_button = QPushButton(tr("&Approve"), self)
        self.approve_button.setObjectName("approve_button")
        self.deny_button = QPushButton(tr("&Deny"), self)
        self.deny_button.setObjectName("deny_button")
        self.reload_button = QPushButton(tr("Re&load"), self)
        for button in (self.approve_button, self.deny_button, self.reload_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.error = FieldError(self.reason, self)
        self.error.setObjectName("approvals_error")
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        layout.addWidget(self.error)
        layout.addWidget(self.info)
        self.approve_button.clicked.connect(lambda: self._decide(True))
        self.deny_button.clicked.connect(lambda: self._decide(False))
        self.reload_button.clicked.connect(self.load)
        self.list.currentRowChanged.connect(self._update_buttons)
        actions.succeeded.connect(self._succeeded)
        actions.failed.connect(self._failed)
        self._update_buttons()

    def load(self) -> None:
        self.actions.load_escalations()

    def selected(self) -> dict[str, Any] | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def show_escalations(self, escalations: list[dict[str, Any]]) -> None:
        current = (self.selected() or {}).get("id")
        self.list.clear()
        for escalation in escalations:
            if not isinstance(escalation, dict) or escalation.get("state") != "pending":
                continue
            item = QListWidgetItem(describe(escalation))
            item.setData(Qt.ItemDataRole.UserRole, escalation)
            self.list.addItem(item)
            if escalation.get("id") == current:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.empty.setVisible(self.list.count() == 0)
        self._update_buttons()

    def _decide(self, approve: bool) -> None:
        escalation = self.selected()
        if escalation is None:
            return
        self.error.set_message(None)
        self.actions.decide(str(escalation["id"]), approve, self.reason.text())

    def _succeeded(self, action: str, _ref: str, answer: Any) -> None:
        if action == "escalations":
            self.error.set_message(None)
            self.show_escalations(list(answer or []))
        elif action == "decide" and isinstance(answer, dict):
            verb = tr("Approved") if answer.get("state") == "approved" else tr("Denied")
            self.info.setText(tr("%1: escalation of ticket %2.").replace("%1", verb)
                              .replace("%2", str(answer.get("ticket") or "")))
            self.reason.clear()
            self.decided.emit(answer)
            self.load()

    def _failed(self, action: str, _ref: str, message: str, _problems: dict[str, str]) -> None:
        if action in ("escalations", "decide"):
            self.info.clear()
            self.error.set_message(message)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.approve_button.setEnabled(chosen)
        self.deny_button.setEnabled(chosen)
