"""One ticket: its status in plain language with the action expected, priority, technician, appointment,
timeline and attachments, and the buttons for what the user may do now (SPEC §4).

Display only: every button emits ``action_requested(name)`` and the window acts.
A ticket still in the outbox shows its state and reason instead.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from intake_app.core.changes import category_of
from intake_app.core.policy import Policy
from intake_app.core.statuses import StatusCategory
from intake_app.ui.report.theme import FieldError
from intake_app.ui.tickets import texts, timeline
from intake_app.ui.tickets.detail_parts import AttachmentsBox, available_actions, report_text
from intake_app.ui.tickets.texts import tr


def _label(parent: QWidget, name: str, *, rich: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction if rich
                                  else Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    return label


class TicketDetailView(QWidget):
    action_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Ticket details"))
        self.ticket: dict[str, Any] | None = None  # the detail (or summary while it loads)
        self.outbox_item: Any = None
        self.policy = Policy()
        layout = QVBoxLayout(self)
        self.title = _label(self, "ticket_title")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.status = _label(self, "ticket_status")
        bold = QFont(self.status.font())
        bold.setBold(True)
        self.status.setFont(bold)
        self.meaning = _label(self, "ticket_meaning")
        self.expected = _label(self, "ticket_expected")
        self.expected.setFont(bold)
        self.expect = _label(self, "ticket_what_to_expect")
        self.by_email = _label(self, "ticket_by_email")
        for widget in (self.title, self.status, self.meaning, self.expected, self.expect, self.by_email):
            layout.addWidget(widget)
        form = QFormLayout()
        self.priority = _label(self, "ticket_priority", rich=True)
        self.priority.linkActivated.connect(lambda _url: self.action_requested.emit("call"))
        self.technician = _label(self, "ticket_technician")
        self.appointment = _label(self, "ticket_appointment")
        self.respond_by = _label(self, "ticket_respond_by")
        self.escalation = _label(self, "ticket_escalation")
        self.portal = _label(self, "ticket_portal", rich=True)
        self.portal.setOpenExternalLinks(True)
        self._rows: dict[str, tuple[QLabel, QLabel]] = {}
        for key, text, widget in (("priority", tr("Priority:"), self.priority),
                                  ("technician", tr("Technician:"), self.technician),
                                  ("appointment", tr("Appointment:"), self.appointment),
                                  ("respond_by", tr("Respond by:"), self.respond_by),
                                  ("escalation", tr("Escalation:"), self.escalation),
                                  ("portal", tr("Portal:"), self.portal)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
            self._rows[key] = (label, widget)
        layout.addLayout(form)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for name, text in (("reply", tr("&Reply…")), ("still-broken", tr("Still &broken? Reply…")),
                           ("close", tr("&Fixed, close it")), ("reopen", tr("Not fixed? Re&open…")),
                           ("update", tr("&Update my availability and contact…")),
                           ("escalate", tr("&Escalate…")), ("retry", tr("Send &again")),
                           ("discard", tr("&Discard")), ("call", tr("&Call support"))):
            button = QPushButton(text, self)
            button.setObjectName(f"{name.replace('-', '_')}_button")
            button.clicked.connect(lambda _checked=False, n=name: self.action_requested.emit(n))
            self.buttons[name] = button
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.error = FieldError(None, self)
        self.error.setObjectName("ticket_error")
        self.info = _label(self, "ticket_info")
        layout.addWidget(self.error)
        layout.addWidget(self.info)
        self.timeline = QTextBrowser(self)
        self.timeline.setObjectName("ticket_timeline")
        self.timeline.setAccessibleName(tr("What happened on this ticket"))
        self.timeline.setOpenLinks(False)
        layout.addWidget(self.timeline, 1)
        self.report = _label(self, "ticket_report")
        layout.addWidget(self.report)
        self.attachments_box = AttachmentsBox(self)
        self.attachments = self.attachments_box.list
        self.attachments_box.requested.connect(self.action_requested)
        self.buttons.update(self.attachments_box.buttons)
        layout.addWidget(self.attachments_box)
        self.clear()

    # --- what to show -------------------------------------------------------------------------
    @property
    def ref(self) -> str:
        return str(self.ticket.get("reference") or "") if self.ticket else ""

    def clear(self) -> None:
        self.ticket, self.outbox_item = None, None
        self.title.setText(tr("Select a ticket to see what is happening with it."))
        for widget in (self.status, self.meaning, self.expected, self.expect, self.by_email, self.report,
                       self.info):
            widget.hide()
        self.error.set_message(None)
        for key in self._rows:
            self._show_row(key, "")
        for button in self.buttons.values():
            button.hide()
        self.timeline.hide()
        self.attachments_box.hide()

    def show_ticket(self, ticket: dict[str, Any], policy: Policy) -> None:
        """A TicketSummary (while the detail loads) or the full detail with timeline and attachments."""
        keep_info = self.info.text() if self.ref == ticket.get("reference") and not self.info.isHidden() else ""
        self.clear()
        self.ticket, self.policy = ticket, policy
        self._show(self.info, keep_info)  # "Reply sent." survives the reload that follows it
        status = ticket.get("status") if isinstance(ticket.get("status"), dict) else {}
        category = category_of(status.get("category"))
        number = f"#{ticket['helpdesk_id']}" if ticket.get("helpdesk_id") else str(ticket.get("reference") or "")
        self.title.setText(f"{number}  {ticket.get('summary') or ''}")
        self._show(self.status, tr("Status: %1").replace("%1", str(status.get("name") or "")))
        self._show(self.meaning, str(status.get("meaning") or "") or texts.category_meaning(category))
        appointment = texts.appointment_text(ticket.get("appointment"))
        by_email = bool(ticket.get("updates_by_email")) or policy.updates_by_email
        if not by_email:
            self._show(self.expected, texts.expected_action(category, str(status.get("action") or ""), appointment))
        self._show(self.expect, texts.what_to_expect() if category is StatusCategory.NEW and not by_email else "")
        self._show(self.by_email, texts.by_email_note() if by_email else "")
        self._show_priority(ticket, policy)
        self._show_row("technician", str(ticket.get("technician") or ""))
        self._show_row("appointment", appointment)
        if category is StatusCategory.NEW and ticket.get("respond_by"):
            self._show_row("respond_by", tr("A technician will respond by %1.").replace(
                "%1", texts.when(ticket["respond_by"])))
        self._show_row("escalation", texts.escalation_state_text(ticket.get("escalation")))
        if policy.portal_url:
            self._show_row("portal", f'<a href="{escape(policy.portal_url, quote=True)}">'
                                     f'{escape(tr("See this ticket in the helpdesk portal"))}</a>')
        self._show_buttons(ticket, category, by_email, policy)
        if "timeline" in ticket:
            self.timeline.setHtml(timeline.to_html(list(ticket.get("timeline") or [])))
            self.timeline.show()
            self._show_report(ticket)
            self._show_attachments(list(ticket.get("attachments") or []))

    def show_outbox_item(self, item: Any) -> None:
        """A ticket not yet accepted by the service: Queued / Needs attention, and why."""
        self.clear()
        self.outbox_item = item
        self.title.setText(f"{tr('Not sent yet')}  {item.summary}")
        label = {"queued": tr("Queued"), "sending": tr("Sending…"), "needs-attention": tr("Needs attention")}
        self._show(self.status, tr("Status: %1").replace("%1", label.get(item.state.value, item.state.value)))
        self._show(self.meaning, item.describe())
        problems = "\n".join(f"• {field}: {text}" for field, text in (item.problems or {}).items())
        self._show(self.expected, problems)
        self._show(self.expect, tr("It is saved on this computer and is sent automatically; nothing is lost.")
                   if item.state.value != "needs-attention" else
                   tr("The helpdesk service did not accept it as it is. Send it again, or discard it and "
                      "report the problem again."))
        for name in (("retry", "discard") if item.state.value == "needs-attention" else ("retry",)):
            self.buttons[name].show()
        self.buttons["call"].show()

    def show_error(self, message: str) -> None:
        self.info.hide()
        self.error.set_message(message)

    def show_info(self, message: str) -> None:
        self.error.set_message(None)
        self._show(self.info, message)

    def current_attachment(self) -> dict[str, Any] | None:
        return self.attachments_box.current()

    # --- parts ----------------------------------------------------------------------------------
    def _show_priority(self, ticket: dict[str, Any], policy: Policy) -> None:
        requested, assigned = ticket.get("requested_priority"), ticket.get("assigned_priority")
        text = escape(texts.priority_text(requested, assigned))
        if assigned and requested and assigned != requested:
            phone = escape(policy.support_phone)
            call = texts.miscoded_text("%1").replace("%1", f'<a href="tel:{phone}">{phone}</a>')
            text += f"<br>{call}"
        self._show_row("priority", text)

    def _show_buttons(self, ticket: dict[str, Any], category: StatusCategory, by_email: bool, policy: Policy) -> None:
        for name in ("call", *available_actions(ticket, category, by_email, policy)):
            self.buttons[name].show()
        self.buttons["reply"].setDefault(category is StatusCategory.WAITING_ON_YOU)

    def _show_report(self, ticket: dict[str, Any]) -> None:
        self._show(self.report, report_text(ticket))

    def _show_attachments(self, attachments: list[dict[str, Any]]) -> None:
        if self.attachments_box.set_attachments(attachments):
            self.attachments_box.show()
            for name in ("open-attachment", "save-attachment"):
                self.buttons[name].show()

    def _show_row(self, key: str, text: str) -> None:
        label, widget = self._rows[key]
        widget.setText(text)
        label.setVisible(bool(text))
        widget.setVisible(bool(text))

    @staticmethod
    def _show(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))
