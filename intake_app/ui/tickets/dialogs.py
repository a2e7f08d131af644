"""Dialogs for the user's actions: reply (with screenshots and files), reopen, escalate.

They only collect input and show the outcome: ``submitted`` carries what the
user entered, the window sends it (off the GUI thread) and calls
:meth:`ActionDialog.set_busy`, :meth:`ActionDialog.show_error` or ``accept()``.
All are window-modal and opened with ``open()`` (no nested event loop).
Screenshots reuse the report window's capture strip, controller and black-out
editor; the capture hides this dialog *and* the tickets window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake_app.ui.report.theme import FieldError
from intake_app.ui.tickets.texts import tr


class ActionDialog(QDialog):
    """Common frame: an intro, the fields, one inline error line, Send / Cancel."""

    submitted = Signal(object)

    def __init__(self, title: str, intro: str, send_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.layout_ = QVBoxLayout(self)
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.layout_.addWidget(self.intro)
        self.error = FieldError(None, self)
        self.error.setObjectName("action_error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.send_button: QPushButton = self.buttons.addButton(send_label, QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("action_send")
        self.send_button.setDefault(True)
        self._send_label = send_label
        self.buttons.accepted.connect(self._send)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def payload(self) -> Any:
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.send_button.setText(tr("Sending…") if busy else self._send_label)

    def show_error(self, message: str, problems: dict[str, str] | None = None) -> None:
        self.error.set_message(message)

    def _send(self) -> None:
        self.error.set_message(None)
        self.submitted.emit(self.payload())


class ReplyDialog(ActionDialog):
    """Reply (optionally with screenshots and files); ``with_attachments=False`` for reopen."""

    def __init__(self, title: str, intro: str, send_label: str, *, runner: Any = None, grabber: Any = None,
                 hide_with: QWidget | None = None, with_attachments: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, intro, send_label, parent)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("reply_text")
        self.text.setAccessibleName(tr("Your message"))
        self.text.setPlaceholderText(tr("Write to the technician…"))
        self.text.setTabChangesFocus(True)
        self.layout_.addWidget(self.text)
        self.strip: Any = None
        self.attachments: Any = None
        if with_attachments and runner is not None:
            from intake_app.ui.report.attachments_controller import AttachmentsController
            from intake_app.ui.report.capture_widgets import CaptureStrip
            from intake_app.ui.report.grabber import DiagnosticsGrabber

            self.strip = CaptureStrip(self)
            self.layout_.addWidget(self.strip)
            self.attachments = AttachmentsController(self.strip, hide_with or self, runner,
                                                     grabber or DiagnosticsGrabber(), parent=self)
            self.attachments.load_monitors()
        self.finish_layout()
        self.resize(720, 560 if self.strip is not None else 320)
        self.text.setFocus()

    def payload(self) -> dict[str, Any]:
        items = list(self.strip.items) if self.strip is not None else []
        return {"text": self.text.toPlainText(), "sources": [(item, item.producer()) for item in items]}

    def show_error(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().show_error(message, problems)
        self.text.setFocus()

    def done(self, result: int) -> None:  # accept/reject/close all end here
        if self.attachments is not None:
            self.attachments.stop()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.attachments is not None:
            self.attachments.stop()
        super().closeEvent(event)


class EscalateDialog(ActionDialog):
    """Paid escalation of an open P3: the fee and the primary contact's approval said up front."""

    def __init__(self, fee: str, parent: QWidget | None = None) -> None:
        intro = tr("Need help faster than Priority 3? Escalating this ticket costs a flat fee of %1. Your "
                   "company's primary IT contact must approve the request before it takes effect; until then "
                   "it is pending.").replace("%1", fee)
        super().__init__(tr("Escalate this ticket"), intro, tr("&Request escalation (%1)").replace("%1", fee),
                         parent)
        self.fee = fee
        label = QLabel(tr("Why is it urgent? (for your primary IT contact)"), self)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("escalation_reason")
        self.reason.setAccessibleName(tr("Reason for the escalation"))
        self.reason.setMaxLength(4000)
        label.setBuddy(self.reason)
        self.layout_.addWidget(label)
        self.layout_.addWidget(self.reason)
        self.finish_layout()
        self.reason.setFocus()

    def payload(self) -> dict[str, Any]:
        return {"reason": self.reason.text()}
