"""The one way to run background work in the GUI process (STYLE habits 3 and 4).

``TaskRunner.run_task(fn, on_done)`` runs ``fn()`` on a ``QThreadPool`` worker and
then calls ``on_done(result, error)`` on the GUI thread: exactly one of them is
set (``error`` is the exception ``fn`` raised). Workers never touch widgets; the
hand-over to the GUI thread is a queued signal on a QObject that lives there.

Outbox writes go to a dedicated single-thread pool (``serial=True``) so that they
run one after another in submission order and never race each other on SQLite.

On quit, :meth:`TaskRunner.shutdown` drops work that has not started yet,
waits for what is running (outbox writes always finish) and stops delivering
results, so no callback runs against half-destroyed windows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")
OnDone = Callable[[Any, BaseException | None], None]

DEFAULT_THREADS = 4
SHUTDOWN_WAIT_MS = 15_000


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits ``done`` and Qt queues the slot call there."""

    done = Signal(object, object)

    def __init__(self, runner: TaskRunner, on_done: OnDone | None, name: str) -> None:
        super().__init__(runner)
        self._runner = runner
        self._on_done = on_done
        self.name = name
        self.done.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, result: object, error: object) -> None:
        self._runner._forget(self)
        if self._runner.closed:
            return
        if self._on_done is not None:
            self._on_done(result, error if isinstance(error, BaseException) else None)
        elif isinstance(error, BaseException):
            log.error("background task %s failed", self.name, exc_info=error)


class TaskRunner(QObject):
    """Owns the worker pools; build one in ``app.py`` and pass it to whoever needs workers."""

    def __init__(self, parent: QObject | None = None, *, threads: int = DEFAULT_THREADS) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._serial = QThreadPool(self)
        self._serial.setMaxThreadCount(1)
        self._relays: set[_Relay] = set()
        self.closed = False

    def run_task(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T | None, BaseException | None], None] | None = None,
        *,
        serial: bool = False,
        name: str = "",
    ) -> bool:
        """Run ``fn`` on a worker; ``on_done(result, error)`` follows on the GUI thread.

        ``serial=True`` uses the single-thread outbox pool. Returns False (and runs
        nothing) once :meth:`shutdown` has started.
        """
        if self.closed:
            log.warning("task %s refused: the app is shutting down", name or fn)
            return False
        relay = _Relay(self, on_done, name or getattr(fn, "__qualname__", repr(fn)))
        self._relays.add(relay)
        signal = relay.done
        relay_name = relay.name

        def work() -> None:
            result: object = None
            error: BaseException | None = None
            try:
                result = fn()
            except BaseException as exc:  # delivered to on_done; nothing may escape a worker
                error = exc
            try:
                signal.emit(result, error)
            except RuntimeError:  # the relay is gone: shutdown gave up waiting for us
                log.warning("result of task %s dropped after shutdown", relay_name)

        (self._serial if serial else self._pool).start(work)
        return True

    def run_outbox_task(
        self, fn: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None] | None = None
    ) -> bool:
        """Shorthand for ``run_task(fn, on_done, serial=True)``: outbox writes, in order."""
        return self.run_task(fn, on_done, serial=True, name=getattr(fn, "__qualname__", "outbox"))

    def pending(self) -> int:
        """Tasks whose result has not been delivered yet."""
        return len(self._relays)

    def wait(self, timeout_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Block until both pools are idle (tests and quit); True when they are."""
        general = self._pool.waitForDone(timeout_ms)
        serial = self._serial.waitForDone(timeout_ms)
        return general and serial

    def shutdown(self, timeout_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Stop accepting work, drop queued general work, wait for running work and outbox writes."""
        self.closed = True
        self._pool.clear()  # not started yet: never will be; outbox writes are kept
        done = self.wait(timeout_ms)
        if not done:
            log.error("background work still running after %d ms at quit", timeout_ms)
        for relay in list(self._relays):
            self._forget(relay)
        return done

    def _forget(self, relay: _Relay) -> None:
        if relay in self._relays:
            self._relays.discard(relay)
            relay.deleteLater()
