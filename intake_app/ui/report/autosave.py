"""Debounced autosave of the draft, on the outbox's serial worker.

Why the serial pool: saves and the final enqueue (which deletes the draft) then
run in the order they were asked for, so a late save can never bring back a
draft that was just submitted; and the app's shutdown waits for that pool, so
the last save is not lost on quit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from intake_app.ui.report.draft_store import DraftStore, PendingAttachment
from intake_app.ui.report.submit_flow import Runner, if_alive
from intake_app.core.ticket import TicketDraft

log = logging.getLogger(__name__)

DEBOUNCE_MS = 800

Snapshot = Callable[[], tuple[TicketDraft, list[PendingAttachment], dict[str, Any]]]


class Autosaver(QObject):
    saved = Signal()
    failed = Signal(str)

    def __init__(self, runner: Runner, store: DraftStore, snapshot: Snapshot, delay_ms: int = DEBOUNCE_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._store = store
        self._snapshot = snapshot
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.save_now)
        self.enabled = True
        self.in_flight = 0

    def schedule(self) -> None:
        if self.enabled:
            self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive() or self.in_flight > 0

    def save_now(self) -> None:
        """Queue a save of the current state (the snapshot is taken now, on the GUI thread)."""
        self._timer.stop()
        if not self.enabled:
            return
        draft, attachments, ui_state = self._snapshot()
        store = self._store
        self.in_flight += 1
        self._runner.run_task(lambda: store.save(draft, attachments, ui_state), if_alive(self, self._done),
                              serial=True, name="report.autosave")

    def stop(self) -> None:
        """No more saves (the draft was submitted or discarded, or the window is gone)."""
        self.enabled = False
        self._timer.stop()

    def _done(self, _result: object, error: BaseException | None) -> None:
        self.in_flight -= 1
        if error is not None:
            log.error("could not save the draft", exc_info=error)
            self.failed.emit(str(error))
        else:
            self.saved.emit()
