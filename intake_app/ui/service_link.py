"""The tray's connection to the Intake service: connect, policy, outbox drain.

Everything that touches the network or the disk runs on a worker through the
:class:`~intake_app.ui.tasks.TaskRunner` (outbox work on its single-thread
lane); results come back as signals on the GUI thread. The client layer is
imported lazily, inside the worker functions, so the tray shows before
``requests`` and the client are loaded.

In demo mode the connect step starts the local demo service (the client's
``DemoService``) as a child process; :meth:`ServiceLink.close` stops it. The
tickets themselves (polling, changes, "needs you") belong to the My tickets
feature (``ui.tickets.feature``), which ``app.py`` starts on ``connected``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from intake_app.config.admin import AdminConfig
from intake_app.messages import MessageBridge
from intake_app.paths import AppPaths, write_private
from intake_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from intake_app.core.policy import Policy

log = logging.getLogger(__name__)

POLICY_CACHE = "policy.json"  # the last /meta, in the cache dir: phone and links while offline
RETRY_FIRST_MS = 15_000
RETRY_MAX_MS = 10 * 60_000


class ServiceLink(QObject):
    """Owns the ClientContext (API client, identity, demo child) and the Outbox."""

    outbox_ready = Signal()
    connected = Signal(object)  # the client's ClientContext
    connect_failed = Signal(str)  # the user-facing reason
    policy_changed = Signal(object)  # core.policy.Policy
    outbox_changed = Signal(int, int)  # pending, needs attention
    ticket_sent = Signal(str, str)  # summary, reference (a queued ticket went out in the background)

    def __init__(self, paths: AppPaths, admin: AdminConfig, tasks: TaskRunner, messages: MessageBridge, *,
                 demo: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths, self.admin, self.tasks, self.messages, self.demo = paths, admin, tasks, messages, demo
        self.context: Any = None  # client.context.ClientContext once connected
        self.outbox: Any = None  # client.outbox.Outbox once opened
        self._policy: Policy | None = None  # built on first use: core.policy is not needed to show the icon
        self.demo_service: Any = None
        self._closed = False
        self._connecting = False
        self._retry_ms = RETRY_FIRST_MS
        self._refresh = QTimer(self)  # its interval is the policy's, set when it starts (_connected)
        self._refresh.timeout.connect(self.refresh)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.start)
        self._reported_problem = ""

    @property
    def policy(self) -> Policy:
        """The policy as last known (the built-in one until the service or the cache says otherwise)."""
        if self._policy is None:
            from intake_app.core.policy import Policy

            self._policy = Policy(demo=self.demo)
        return self._policy

    @policy.setter
    def policy(self, policy: Policy) -> None:
        self._policy = policy

    @property
    def api(self) -> Any:
        return self.context.api if self.context is not None else None

    # --- connect ------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the outbox and connect (starting the demo service first in demo mode)."""
        if self._closed or self._connecting or self.context is not None:
            return
        self._connecting = True
        if self.outbox is None:
            self.tasks.run_outbox_task(self._open_outbox, self._outbox_opened)
        if self.demo and self.demo_service is None:
            from intake_app.client.demo import DemoService  # no requests import at module level there

            self.demo_service = DemoService(self.paths, owner="tray")
        self.tasks.run_task(self._connect, self._connected, name="service.connect")

    def _open_outbox(self) -> Any:
        from intake_app.client.outbox import Outbox

        return Outbox.open(self.paths)

    def _outbox_opened(self, outbox: Any, error: BaseException | None) -> None:
        if error is not None:
            self.messages.error(str(error), source="outbox")
            return
        if self._closed:
            outbox.close()
            return
        self.outbox = outbox
        self.outbox_ready.emit()
        self.drain()

    def _connect(self) -> Any:
        from intake_app.client.context import Target, open_context

        return open_context(self.paths, Target(demo=self.demo, admin=self.admin), owner="tray",
                            demo_service=self.demo_service)

    def _connected(self, context: Any, error: BaseException | None) -> None:
        self._connecting = False
        if self._closed:
            if context is not None:
                context.api.close()
            return
        if error is not None:
            self._connect_error(error)
            return
        self.context = context
        self._retry_ms = RETRY_FIRST_MS
        self._reported_problem = ""
        log.info("connected to %s%s", context.api.service_url, " (demo)" if self.demo else "")
        self.connected.emit(context)
        self.refresh()
        self._refresh.start(self.policy.refresh_seconds * 1000)

    def _connect_error(self, error: BaseException) -> None:
        from intake_app.client.errors import OfflineError
        from intake_app.errors import IntakeError

        reason = str(error) if isinstance(error, IntakeError) else f"{type(error).__name__}: {error}"
        log.warning("could not connect to the helpdesk service: %s", reason, exc_info=error)
        if not isinstance(error, IntakeError):
            log.error("unexpected connect failure", exc_info=error)
        # offline is normal on a laptop: no balloon; anything else the user (or admin) must see once
        if not isinstance(error, OfflineError) and reason != self._reported_problem:
            self._reported_problem = reason
            self.messages.error(reason, source="service")
        self.connect_failed.emit(reason)
        self._retry.start(self._retry_ms)
        self._retry_ms = min(RETRY_MAX_MS, self._retry_ms * 2)

    def load_cached_policy(self) -> None:
        """The policy as last served, until the service answers again (missing or damaged: ignored)."""
        from intake_app.core.policy import Policy

        path = self.paths.cache / POLICY_CACHE
        try:
            policy = Policy.from_dict(json.loads(path.read_text("utf-8")))
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring the cached policy %s: %s", path, exc)
            return
        self.policy = policy
        self.policy_changed.emit(policy)

    def _cache_policy(self, policy: Policy) -> None:
        path = self.paths.cache / POLICY_CACHE
        data = json.dumps(policy.to_dict(), ensure_ascii=False).encode("utf-8")
        self.tasks.run_task(lambda: write_private(path, data), _log_failure("caching the policy"),
                            name="service.cache-policy")

    # --- refresh: policy and outbox ----------------------------------------------------------
    def refresh(self) -> None:
        """The policy from the service, then one outbox pass."""
        api = self.api
        if api is None or self._closed:
            return
        self.tasks.run_task(api.policy, self._policy_done, name="service.policy")
        self.drain()

    def _policy_done(self, policy: Policy | None, error: BaseException | None) -> None:
        if error is not None or policy is None:
            log.warning("policy refresh failed: %s", error)
            return
        self.policy = policy
        self._refresh.setInterval(policy.refresh_seconds * 1000)
        self._cache_policy(policy)
        self.policy_changed.emit(policy)

    def drain(self) -> None:
        """Send what the outbox holds (single-thread outbox lane); then report its counts."""
        outbox, api = self.outbox, self.api
        if outbox is None or self._closed:
            return

        def work() -> tuple[list[Any], int, int]:
            from intake_app.client.outbox_item import ItemState
            from intake_app.client.outbox_sender import refresh_helpdesk_ids, send_pending

            outcomes = send_pending(outbox, api) if api is not None else []
            if api is not None:
                refresh_helpdesk_ids(outbox, api)
            attention = len(outbox.items([ItemState.NEEDS_ATTENTION]))
            return outcomes, outbox.pending_count(), attention

        self.tasks.run_outbox_task(work, self._drained)

    def _drained(self, result: tuple[list[Any], int, int] | None, error: BaseException | None) -> None:
        if error is not None or result is None:
            log.warning("outbox pass failed: %s", error)
            return
        outcomes, pending, attention = result
        for outcome in outcomes:
            if outcome.sent:
                self.ticket_sent.emit(outcome.item.summary, outcome.item.reference or "")
        self.outbox_changed.emit(pending, attention)

    # --- quit ---------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the timers (first step of quitting; workers are waited for by the TaskRunner)."""
        self._closed = True
        self._refresh.stop()
        self._retry.stop()

    def close(self) -> None:
        """After the workers are done: close the client and the outbox, stop the demo child."""
        self.stop()
        if self.context is not None:
            self.context.close()  # closes the API session and stops a demo service it started
            self.context = None
        elif self.demo_service is not None:
            self.demo_service.stop()
        if self.outbox is not None:
            self.outbox.close()
            self.outbox = None


def _log_failure(what: str) -> Callable[[object, BaseException | None], None]:
    def done(_result: object, error: BaseException | None) -> None:
        if error is not None:
            log.warning("%s failed: %s", what, error)

    return done
