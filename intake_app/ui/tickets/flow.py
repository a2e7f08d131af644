"""What happens when the user presses one of the ticket's buttons: a dialog, the call, the outcome.

Split from the window so it stays about the list. Network calls go through
:class:`~intake_app.ui.tickets.actions.TicketActions` (workers); the answer's
ticket is absorbed by the refresher (so the user's own change is not announced
back to them), the detail is reloaded, and errors are shown inline in the
dialog that sent them, or under the ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from intake_app.ui.tickets.actions import ticket_of
from intake_app.ui.tickets.dialogs import ActionDialog, EscalateDialog, ReplyDialog
from intake_app.ui.tickets.texts import tr
from intake_app.ui.tickets.update_dialog import UpdateDetailsDialog

if TYPE_CHECKING:
    from intake_app.ui.tickets.window import TicketsWindow

log = logging.getLogger(__name__)


class ActionFlow(QObject):
    def __init__(self, window: TicketsWindow, runner: Any, outbox: Callable[[], Any], grabber: Any) -> None:
        super().__init__(window)
        self.window = window
        self.runner = runner
        self._outbox = outbox
        self._grabber = grabber
        self.dialog: ActionDialog | None = None
        self.support: QWidget | None = None
        self._pending: tuple[str, str] = ("", "")  # (action, ref) sent from ``dialog``
        window.detail.action_requested.connect(self.request)
        window.actions.succeeded.connect(self._succeeded)
        window.actions.failed.connect(self._failed)
        window.actions.busy_changed.connect(self._busy)
        window.files.failed.connect(window.detail.show_error)
        window.files.saved.connect(lambda path: window.detail.show_info(tr("Saved to %1.").replace("%1", path)))

    # --- buttons --------------------------------------------------------------------------------
    def request(self, name: str) -> None:
        detail = self.window.detail
        ref = detail.ref
        if name == "call":
            self.call_support()
        elif name == "retry" and detail.outbox_item is not None:
            self._outbox_change(detail.outbox_item.id, discard=False)
        elif name == "discard" and detail.outbox_item is not None:
            self._confirm_discard(detail.outbox_item)
        elif not ref:
            return
        elif name in ("reply", "still-broken"):
            intro = (tr("Tell the technician what is still wrong; the ticket stays open.") if name == "still-broken"
                     else tr("Your message goes to the technician on this ticket."))
            self._open(ReplyDialog(tr("Reply on %1").replace("%1", self._number()), intro, tr("&Send reply"),
                                   runner=self.runner, grabber=self._grabber, hide_with=self.window,
                                   parent=self.window), "reply", ref)
        elif name == "reopen":
            self._open(ReplyDialog(tr("Reopen %1").replace("%1", self._number()),
                                   tr("Not fixed? Say what is still wrong and the ticket is opened again."),
                                   tr("Re&open"), with_attachments=False, parent=self.window), "reopen", ref)
        elif name == "update":
            self._open(UpdateDetailsDialog(detail.ticket or {}, self.window), "update", ref)
        elif name == "escalate":
            self._open(EscalateDialog(detail.policy.escalation_fee, self.window), "escalate", ref)
        elif name == "close":
            self.window.actions.close(ref)
        elif name in ("open-attachment", "save-attachment"):
            self._attachment(ref, name == "open-attachment")

    def _number(self) -> str:
        ticket = self.window.detail.ticket or {}
        return f"#{ticket['helpdesk_id']}" if ticket.get("helpdesk_id") else str(ticket.get("reference") or "")

    def _open(self, dialog: ActionDialog, action: str, ref: str) -> None:
        self.close_dialogs()
        self.dialog = dialog
        self._pending = (action, ref)
        dialog.submitted.connect(lambda payload: self._send(action, ref, payload))
        dialog.finished.connect(lambda _code, d=dialog: self._dialog_finished(d))
        dialog.open()

    def _send(self, action: str, ref: str, payload: dict[str, Any]) -> None:
        actions = self.window.actions
        if action == "reply":
            actions.reply(ref, payload["text"], payload.get("sources") or ())
        elif action == "reopen":
            actions.reopen(ref, payload["text"])
        elif action == "escalate":
            actions.escalate(ref, payload["reason"])
        elif action == "update":
            if not payload:
                if self.dialog is not None:
                    self.dialog.show_error(tr("Nothing was changed."))
                return
            actions.update(ref, **payload)

    def _dialog_finished(self, dialog: ActionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self._pending = ("", "")
        dialog.deleteLater()

    def close_dialogs(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        if self.support is not None:
            self.support.close()

    def call_support(self) -> None:
        from intake_app.ui.support import SupportDialog

        phone = self.window.refresher.policy.support_phone
        if self.support is not None and getattr(self.support, "phone", None) != phone:
            self.support.deleteLater()
            self.support = None
        if self.support is None:
            self.support = SupportDialog(phone, company=self.window.refresher.policy.company, parent=self.window)
        self.support.show()
        self.support.raise_()

    # --- outcomes -------------------------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        if self.dialog is not None:
            self.dialog.set_busy(busy)
        for name in ("close", "reply", "still-broken", "reopen", "update", "escalate"):
            self.window.detail.buttons[name].setEnabled(not busy)

    def _succeeded(self, action: str, ref: str, answer: Any) -> None:
        if action not in ("reply", "reopen", "update", "escalate", "close"):
            return
        if self.dialog is not None and self._pending == (action, ref):
            self.dialog.accept()
        summary = ticket_of(answer)
        if summary is not None:
            self.window.refresher.absorb(summary)
        status = ((summary or {}).get("status") or {}).get("name", "")
        message = {
            "reply": tr("Reply sent."), "reopen": tr("Reopened."), "update": tr("Your details were updated."),
            "close": tr("Marked as fixed."),
            "escalate": tr("Escalation requested (fee %1): it is pending until your company's primary IT contact "
                           "approves it.").replace("%1", str((answer or {}).get("fee") or "")),
        }[action]
        if status:
            message += " " + tr("Status: %1.").replace("%1", status)
        if self.window.detail.ref == ref:
            self.window.detail.show_info(message)
        if summary is None:  # an absorbed summary already made the window reload the ticket
            self.window.load_detail(ref)

    def _failed(self, action: str, ref: str, message: str, problems: dict[str, str]) -> None:
        if action in ("me", "escalations", "decide"):
            if action == "me":
                log.info("could not read who this user is: %s", message)
            return
        if self.dialog is not None and self._pending == (action, ref):
            self.dialog.show_error(message, problems)
        elif self.window.detail.ref == ref:
            self.window.detail.show_error(message)

    # --- attachments and the outbox -------------------------------------------------------------
    def _attachment(self, ref: str, open_it: bool) -> None:
        attachment = self.window.detail.current_attachment()
        if attachment is None:
            return
        key, filename = str(attachment["key"]), str(attachment.get("filename") or attachment["key"])
        if open_it:
            self.window.files.open(ref, key, filename)
            return
        chooser = QFileDialog(self.window, tr("Save attachment"), filename)
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.fileSelected.connect(lambda path: self.window.files.save(ref, key, path))
        chooser.finished.connect(chooser.deleteLater)
        chooser.open()

    def _confirm_discard(self, item: Any) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, tr("Discard this ticket?"),
                          tr("“%1” was never accepted by the helpdesk. Discard it from this computer?")
                          .replace("%1", item.summary),
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self.window)
        discard = box.button(QMessageBox.StandardButton.Discard)
        box.finished.connect(lambda _code: self._outbox_change(item.id, discard=True)
                             if box.clickedButton() is discard else None)
        box.finished.connect(box.deleteLater)
        box.open()

    def _outbox_change(self, item_id: int, *, discard: bool) -> None:
        outbox = self._outbox()
        if outbox is None:
            return
        change = outbox.discard if discard else outbox.retry_now

        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self.window.detail.show_error(str(error))
                return
            self.window.refresher.refresh_outbox()
            if not discard:
                self.window.send_outbox_requested.emit()

        self.runner.run_task(lambda: change(item_id), done, serial=True, name="tickets.outbox-change")
