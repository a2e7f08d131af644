"""Background refresh of the user's tickets, and the notifications it finds.

One single-shot ``QTimer`` drives it, re-armed only after a pass has finished,
so passes never overlap and never come faster than the policy's
``refresh_seconds`` (issue 11 measures idle CPU). A pass runs on a worker:
``/meta`` and ``/tickets`` with ``If-None-Match`` (the API client keeps the
ETags, so an unchanged answer is a 304 with no body), then the timelines of the
tickets that changed, then the outbox. While the service cannot be reached the
pause doubles, up to ``max_backoff_s``. The comparison (:mod:`intake_app.core.changes`)
runs on the GUI thread against the newest picture, so a change the user just
made (absorbed from the action's answer) is never announced back to them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from intake_app.client.errors import ClientError, RejectedError
from intake_app.core.changes import TicketState, diff, needs_user_refs, refs_to_read
from intake_app.core.policy import Policy
from intake_app.ui.tickets import texts

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 600
Provider = Callable[[], Any]


@dataclass
class Pass:
    """What one pass read; ``error`` is set when the service could not be read (the outbox still was)."""

    meta: dict[str, Any] | None = None
    listing: dict[str, Any] | None = None
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: list[Any] | None = None
    error: BaseException | None = None


def read_outbox(outbox: Any) -> list[Any] | None:
    """Tickets still on this computer (queued, sending, needs attention), oldest first."""
    if outbox is None:
        return None
    from intake_app.client.outbox_item import ItemState

    return outbox.items([ItemState.QUEUED, ItemState.SENDING, ItemState.NEEDS_ATTENTION])


def run_pass(api: Any, outbox: Any, baseline: dict[str, TicketState] | None) -> Pass:
    """One refresh (on a worker): network first, the outbox whatever happened."""
    result = Pass()
    if api is not None:
        try:
            result.meta = api.meta()
            result.listing = api.tickets()
            summaries = [t for t in result.listing.get("tickets") or [] if isinstance(t, dict)]
            for ref in refs_to_read(baseline, summaries):
                try:
                    result.details[ref] = api.ticket(ref)
                except RejectedError:  # gone or no longer visible: the listing says what is left
                    continue
        except Exception as exc:  # noqa: BLE001 - reported to the GUI thread, which decides
            result.error = exc
    result.outbox = read_outbox(outbox)
    return result


class TicketRefresher(QObject):
    """Polls the service; emits the tickets, the changes as notifications, and the needs-you count."""

    tickets_changed = Signal(list)  # [TicketSummary]
    outbox_changed = Signal(list)  # [OutboxItem] not yet accepted by the service
    detail_changed = Signal(str, dict)  # ref, ticket detail read because the ticket changed
    policy_changed = Signal(object)  # core.policy.Policy
    notify = Signal(str, str, str)  # title, text, ticket ref (click opens it)
    changes_found = Signal(list)  # [core.changes.Change]
    needs_user_changed = Signal(int)
    online_changed = Signal(bool, str)  # reachable?, the reason when not
    refreshed = Signal()  # a pass finished (read or failed)

    def __init__(self, runner: Any, api: Provider, outbox: Provider = lambda: None, *,
                 policy: Policy | None = None, max_backoff_s: int = MAX_BACKOFF_S,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._api = api
        self._outbox = outbox
        self.policy = policy or Policy()
        self.max_backoff_s = max_backoff_s
        self.tickets: list[dict[str, Any]] = []
        self.outbox_items: list[Any] = []
        self.online = True
        self.needs_user: frozenset[str] = frozenset()
        self._states: dict[str, TicketState] | None = None
        self._last_meta: Any = None
        self._last_listing: Any = None
        self._delay_s = self.policy.refresh_seconds
        self._busy = False
        self._again = False
        self._running = False
        self._stopped = False  # stop() was called: a pass still running is dropped, not announced
        self.timer = QTimer(self)
        self.timer.setObjectName("tickets_refresh")
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.refresh_now)

    @property
    def interval_s(self) -> int:
        return self.policy.refresh_seconds

    @property
    def next_delay_s(self) -> int:
        """The pause before the next automatic pass (the interval, or more while offline)."""
        return self._delay_s

    @property
    def busy(self) -> bool:
        return self._busy

    def start(self) -> None:
        """Begin polling: one pass now, then one per interval."""
        self._running, self._stopped = True, False
        self.refresh_now()

    def stop(self) -> None:
        """No more passes (a running one finishes and is dropped by the task runner at quit)."""
        self._running, self._stopped, self._again = False, True, False
        self.timer.stop()

    def refresh_now(self) -> None:
        """A pass now (the Refresh button, a window opening); queued once if one is running."""
        if self._busy:
            self._again = True
            return
        self._stopped = False
        self.timer.stop()
        self._busy = True
        api, outbox, baseline = self._api(), self._outbox(), self._states
        started = self._runner.run_task(lambda: run_pass(api, outbox, baseline), self._pass_done,
                                        name="tickets.refresh")
        if not started:
            self._busy = False

    def refresh_outbox(self) -> None:
        """Only the outbox (after a submit or a send): local, cheap, on the outbox lane."""
        outbox = self._outbox()
        if outbox is not None:
            self._runner.run_task(lambda: read_outbox(outbox), self._outbox_read, serial=True,
                                  name="tickets.outbox")

    def absorb(self, summary: dict[str, Any]) -> None:
        """The answer to the user's own action: the new picture of that ticket, announced to no one."""
        ref = str(summary.get("reference") or "")
        if not ref:
            return
        tickets = [summary if t.get("reference") == ref else t for t in self.tickets]
        if not any(t.get("reference") == ref for t in self.tickets):
            tickets.insert(0, summary)
        self.tickets = tickets
        if self._states is not None:
            before = self._states.get(ref)
            state = TicketState.from_summary(summary)
            self._states = {**self._states, ref: state if before is None else replace(state, notes=before.notes)}
        self.tickets_changed.emit(list(self.tickets))
        self._set_needs_user(needs_user_refs(TicketState.from_summary(t) for t in self.tickets))

    # --- results (GUI thread) -------------------------------------------------------------------
    def _pass_done(self, result: Pass | None, error: BaseException | None) -> None:
        self._busy = False
        if self._stopped:
            return
        if error is not None or result is None:  # run_pass catches network errors; this is a bug
            log.error("ticket refresh failed", exc_info=error)
            result = Pass(error=error or RuntimeError("no result"))
        if result.outbox is not None:
            self._outbox_read(result.outbox, None)
        if result.error is not None:
            self._failed(result.error)
        elif result.listing is not None:
            self._read(result)
        self.refreshed.emit()
        if self._again:
            self._again = False
            self.refresh_now()
        elif self._running:
            self.timer.start(self._delay_s * 1000)

    def _read(self, result: Pass) -> None:
        self._delay_s = self.interval_s
        if not self.online:
            self.online = True
            self.online_changed.emit(True, "")
        if result.meta is not None and result.meta is not self._last_meta:
            self._last_meta = result.meta
            try:
                self.policy = Policy.from_dict(result.meta)
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("the service's policy could not be read: %s", exc)
            else:
                self._delay_s = self.interval_s
                self.policy_changed.emit(self.policy)
        if result.listing is self._last_listing and not result.details:
            return  # 304: nothing changed, nothing downloaded
        self._last_listing = result.listing
        assert result.listing is not None
        self.tickets = [t for t in result.listing.get("tickets") or [] if isinstance(t, dict)]
        states = [TicketState.from_summary(t, _timeline(result.details.get(str(t.get("reference")))))
                  for t in self.tickets if t.get("reference")]
        found = diff(self._states, states)
        self._states = found.states
        for ref, detail in result.details.items():  # first: the window then finds its detail up to date
            self.detail_changed.emit(ref, detail)
        self.tickets_changed.emit(list(self.tickets))
        for change in found.changes:
            title, text = texts.notification(change, self.policy.support_phone)
            self.notify.emit(title, text, change.ref)
        if found.changes:
            self.changes_found.emit(list(found.changes))
        self._set_needs_user(found.needs_user)

    def _failed(self, error: BaseException) -> None:
        retryable = isinstance(error, ClientError) and error.retryable
        if retryable:
            self._delay_s = min(max(self.interval_s, self.max_backoff_s), max(self.interval_s, self._delay_s * 2))
        else:
            self._delay_s = self.interval_s
            if not isinstance(error, ClientError):
                log.error("unexpected error while refreshing tickets", exc_info=error)
        log.info("tickets could not be refreshed (%s); next try in %d s", error, self._delay_s)
        message = texts.error_text(error)
        if self.online or retryable:
            self.online = False
            self.online_changed.emit(False, message)

    def _outbox_read(self, items: list[Any] | None, error: BaseException | None) -> None:
        if error is not None or items is None:
            if error is not None:
                log.warning("the outbox could not be read: %s", error)
            return
        if [(i.id, i.state, i.reason, i.updated_at) for i in items] != \
                [(i.id, i.state, i.reason, i.updated_at) for i in self.outbox_items]:
            self.outbox_items = list(items)
            self.outbox_changed.emit(list(items))

    def _set_needs_user(self, refs: frozenset[str]) -> None:
        changed = len(refs) != len(self.needs_user)
        self.needs_user = refs
        if changed:
            self.needs_user_changed.emit(len(refs))


def _timeline(detail: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    if detail is None:
        return None
    timeline = detail.get("timeline")
    return [e for e in timeline if isinstance(e, dict)] if isinstance(timeline, list) else []
