"""Submit: into the durable outbox first, then one immediate send attempt, all off the GUI thread.

Order matters for "never lose a ticket" (SPEC §6): the draft on disk is deleted
only after the outbox has committed the exact request bytes. The immediate send
goes through the client's own sender (atomic claims), so the tray's background
sender can never send the same item twice. After a 202, the helpdesk's number
is looked up a few times until the service has relayed the ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from intake_app.client.errors import ClientError
from intake_app.client.outbox import Outbox
from intake_app.client.outbox_item import ItemState, OutboxItem, ReasonCode
from intake_app.client.outbox_sender import TicketPoster, send_pending
from intake_app.core.ticket import Attachment, TicketDraft
from intake_app.errors import IntakeError

log = logging.getLogger(__name__)

HELPDESK_POLL_MS = 2000
HELPDESK_POLL_TRIES = 15


class Runner(Protocol):
    """The part of :class:`intake_app.ui.tasks.TaskRunner` the report window uses."""

    def run_task(self, fn: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None] | None = None,
                 *, serial: bool = False, name: str = "") -> bool: ...


def if_alive(owner: QObject, callback: Callable[[Any, BaseException | None], None]
             ) -> Callable[[Any, BaseException | None], None]:
    """``callback`` for a worker's result, skipped when ``owner`` was deleted meanwhile
    (the app deletes a closed report window when the next one is built or opens)."""
    def deliver(result: Any, error: BaseException | None) -> None:
        if shiboken6.isValid(owner):
            callback(result, error)
        elif error is not None:
            log.warning("result for a closed window dropped: %s", error)
    return deliver


class Outcome(StrEnum):
    SENT = "sent"  # the service answered 202
    QUEUED = "queued"  # stored; the outbox sends it when the service is reachable
    NEEDS_ATTENTION = "needs-attention"  # stored, but the service refused it: the user must act
    FAILED = "failed"  # not even stored (disk full, too large): the draft is kept, nothing lost


@dataclass(frozen=True)
class SubmitResult:
    outcome: Outcome
    draft: TicketDraft
    item: OutboxItem | None = None
    message: str = ""  # why, for QUEUED / NEEDS_ATTENTION / FAILED
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def reference(self) -> str | None:
        return self.item.reference if self.item else None

    @property
    def helpdesk_id(self) -> str | None:
        return self.item.helpdesk_id if self.item else None


class SubmitFlow(QObject):
    """One submission at a time; ``finished`` carries a :class:`SubmitResult`."""

    finished = Signal(object)
    helpdesk_number = Signal(str)

    def __init__(self, runner: Runner, outbox: Outbox, api: Callable[[], TicketPoster | None],
                 on_stored: Callable[[], None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._outbox = outbox
        self._api_source = api  # read at submit time: the app connects to the service after start-up
        self._api: TicketPoster | None = None
        self._on_stored = on_stored  # runs on the worker right after the outbox commit (drop the draft)
        self.busy = False
        self._poll = QTimer(self)
        self._poll.setInterval(HELPDESK_POLL_MS)
        self._poll.timeout.connect(self._poll_helpdesk)
        self._poll_left = 0
        self._polling = False
        self._reference: str | None = None
        self._item_id: int | None = None

    def use_outbox(self, outbox: Outbox) -> None:
        """The outbox to store into (a window built ahead gets the current one when it opens)."""
        if not self.busy:
            self._outbox = outbox

    def submit(self, draft: TicketDraft, prepare: Callable[[], Sequence[Attachment]]) -> bool:
        """Store and send ``draft``; ``prepare`` makes the attachments' bytes on the worker
        (encoding screenshots with their boxes burned in) and may raise an IntakeError."""
        if self.busy:
            return False
        self.busy = True
        self._api = self._api_source()

        def store() -> OutboxItem:
            item = self._outbox.enqueue(draft, tuple(prepare()))
            if self._on_stored is not None:
                try:
                    self._on_stored()
                except OSError:  # the ticket is safe in the outbox; a stale draft is only a nuisance
                    log.exception("could not delete the saved draft after queuing it")
            return item

        self._runner.run_task(store, if_alive(self, lambda item, error: self._stored(draft, item, error)),
                              serial=True, name="report.enqueue")
        return True

    def stop(self) -> None:
        """Stop looking for the helpdesk number (the window is closing)."""
        self._poll.stop()
        self._poll_left = 0

    # -- steps ----------------------------------------------------------------------------

    def _stored(self, draft: TicketDraft, item: OutboxItem | None, error: BaseException | None) -> None:
        if error is not None or item is None:
            message = str(error) if isinstance(error, IntakeError) else (
                f"The ticket could not be saved on this computer ({error}).")
            self._finish(SubmitResult(Outcome.FAILED, draft, message=message))
            return
        if self._api is None:
            self._finish(SubmitResult(Outcome.QUEUED, draft, item, "This computer is not connected to a "
                                      "helpdesk service yet; the ticket is kept and sent once it is."))
            return
        api, outbox = self._api, self._outbox
        self._runner.run_task(lambda: send_pending(outbox, api, only=[item.id], force=True),
                              if_alive(self, lambda outcomes, err: self._sent(draft, item, outcomes, err)),
                              name="report.send")

    def _sent(self, draft: TicketDraft, item: OutboxItem, outcomes: Any, error: BaseException | None) -> None:
        if error is not None:
            log.error("sending ticket %s failed unexpectedly", item.client_ticket_id, exc_info=error)
        current = (outcomes[0].item if outcomes else None) or self._outbox.get(item.id) or item
        send_error = outcomes[0].error if outcomes else None
        if current.state is ItemState.SENT:
            self._finish(SubmitResult(Outcome.SENT, draft, current))
            if not current.helpdesk_id and current.reference:
                self._reference, self._item_id = current.reference, current.id
                self._poll_left = HELPDESK_POLL_TRIES
                self._poll.start()
            return
        if current.state is ItemState.NEEDS_ATTENTION and current.reason_code is not ReasonCode.UNAUTHORIZED:
            self._finish(SubmitResult(Outcome.NEEDS_ATTENTION, draft, current, current.reason, current.problems))
            return
        # offline, a server error, or waiting for a new enrolment: kept and sent later by itself
        message = current.reason or (send_error.user_message if isinstance(send_error, ClientError) else "")
        self._finish(SubmitResult(Outcome.QUEUED, draft, current, message))

    def _finish(self, result: SubmitResult) -> None:
        self.busy = False
        self.finished.emit(result)

    def _poll_helpdesk(self) -> None:
        if self._polling or self._api is None or self._reference is None:
            return
        self._poll_left -= 1
        if self._poll_left <= 0:
            self._poll.stop()
        api, outbox, reference, item_id = self._api, self._outbox, self._reference, self._item_id

        def look_up() -> str | None:
            number = api.ticket(reference).get("helpdesk_id")
            if number and item_id is not None:
                outbox.set_helpdesk_id(item_id, str(number))
            return str(number) if number else None

        self._polling = True
        self._runner.run_task(look_up, if_alive(self, self._looked_up), name="report.helpdesk-number")

    def _looked_up(self, number: str | None, error: BaseException | None) -> None:
        self._polling = False
        if error is not None:
            log.debug("helpdesk number not available yet: %s", error)
            return
        if number:
            self._poll.stop()
            self.helpdesk_number.emit(number)
