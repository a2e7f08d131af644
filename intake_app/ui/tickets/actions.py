"""The user's actions on a ticket, sent off the GUI thread (SPEC §2–§4, docs/API.md).

Reply (with attachments), update availability/contact, escalate an open P3,
"fixed, close it", reopen, and the primary contact's escalation decisions.
Each runs through ``run_task``; the answer comes back as ``succeeded`` with the
service's JSON, or ``failed`` with the client's user-facing message and the
field problems of a validation error. Nothing here touches a widget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal

from intake_app.ui.tickets import texts
from intake_app.ui.tickets.texts import tr

# (item, producer) pairs from the report window's capture strip: producer() gives the bytes to send
AttachmentSource = tuple[Any, Callable[[], bytes]]


def ticket_of(answer: Any) -> dict[str, Any] | None:
    """The TicketSummary in an action's answer (``{"ticket": …}`` or the summary itself)."""
    if not isinstance(answer, dict):
        return None
    ticket = answer.get("ticket", answer)
    return ticket if isinstance(ticket, dict) and ticket.get("reference") else None


class TicketActions(QObject):
    """``succeeded(action, ref, answer)`` / ``failed(action, ref, message, problems)``; one action at a time."""

    succeeded = Signal(str, str, object)
    failed = Signal(str, str, str, dict)
    busy_changed = Signal(bool)

    def __init__(self, runner: Any, api: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._api = api
        self.busy = False

    # --- ticket actions -------------------------------------------------------------------------
    def reply(self, ref: str, text: str, sources: Sequence[AttachmentSource] = ()) -> bool:
        if not text.strip() and not sources:
            return self._refuse("reply", ref, tr("Please write your reply."), {"text": tr("Please write your reply.")})
        items = list(sources)

        def send(api: Any) -> Any:
            from intake_app.ui.report.shots import to_attachment

            attachments = [to_attachment(item, produce()) for item, produce in items]
            return api.reply(ref, text, attachments)

        return self._run("reply", ref, send)

    def update(self, ref: str, *, availability: dict[str, Any] | None = None, contact: dict[str, Any] | None = None,
               contact_method: str | None = None, contact_method_detail: str | None = None) -> bool:
        return self._run("update", ref, lambda api: api.update_ticket(
            ref, availability=availability, contact=contact, contact_method=contact_method,
            contact_method_detail=contact_method_detail))

    def escalate(self, ref: str, reason: str) -> bool:
        return self._run("escalate", ref, lambda api: api.escalate(ref, reason.strip()))

    def close(self, ref: str, text: str = "") -> bool:
        return self._run("close", ref, lambda api: api.close_ticket(ref, text.strip() or None))

    def reopen(self, ref: str, text: str) -> bool:
        if not text.strip():
            message = tr("Please say what is still wrong.")
            return self._refuse("reopen", ref, message, {"text": message})
        return self._run("reopen", ref, lambda api: api.reopen_ticket(ref, text))

    # --- escalation decisions (verified primary contact) ----------------------------------------
    def load_escalations(self) -> bool:
        return self._run("escalations", "", lambda api: api.escalations("pending"), exclusive=False)

    def decide(self, escalation_id: str, approve: bool, reason: str) -> bool:
        if not approve and not reason.strip():
            message = tr("Please give the reason for denying.")
            return self._refuse("decide", escalation_id, message, {"reason": message})
        return self._run("decide", escalation_id,
                         lambda api: api.decide_escalation(escalation_id, approve, reason.strip()))

    def load_identity(self) -> bool:
        """``GET /me``: whether the user is a verified primary contact (the Approvals tab)."""
        return self._run("me", "", lambda api: api.me(), exclusive=False)

    # --- plumbing -------------------------------------------------------------------------------
    def _run(self, action: str, ref: str, call: Callable[[Any], Any], *, exclusive: bool = True) -> bool:
        api = self._api()
        if api is None:
            return self._refuse(action, ref, tr("Not connected to the helpdesk service yet; please try again "
                                                "in a moment."), {})
        if exclusive:
            if self.busy:
                return False
            self._set_busy(True)

        def done(answer: Any, error: BaseException | None) -> None:
            if exclusive:
                self._set_busy(False)
            if error is not None:
                problems = dict(getattr(error, "problems", {}) or {})
                self.failed.emit(action, ref, texts.error_text(error), problems)
            else:
                self.succeeded.emit(action, ref, answer)

        started = self._runner.run_task(lambda: call(api), done, name=f"tickets.{action}")
        if not started and exclusive:
            self._set_busy(False)
        return started

    def _refuse(self, action: str, ref: str, message: str, problems: dict[str, str]) -> bool:
        self.failed.emit(action, ref, message, problems)
        return False

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)
