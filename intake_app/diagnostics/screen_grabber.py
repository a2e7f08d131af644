"""Screen capture over one mss connection kept open on a thread of its own.

Why: opening the connection is most of a capture's cost (a 1080p grab over a fresh X
connection takes ~17 ms, over an open one ~3 ms: the shared-memory buffer mss maps is
already in place). mss objects belong to the thread that made them (its Xlib backend;
GDI device contexts on Windows), so one daemon thread makes, uses and closes the one
instance, and any thread may ask it for a capture and wait for the answer.

What it guarantees: the monitor layout is read on every capture (monitors added, removed
or resized are seen); a connection the display dropped (X server restarted, screen
resized past mss's buffer) is reopened once and the capture retried; failures raise the
same :class:`CaptureError` as :func:`~intake_app.diagnostics.capture.capture_now`; a
display that stops answering gives a CaptureError after ``timeout`` seconds instead of
a hang. The connection, and the thread, end after ``idle_seconds`` without a request
(default 10 minutes: one report session's captures reuse it, an idle tray app holds no
connection nor mss's screen-sized buffer for hours) and at exit. No pixels are kept
after they are handed out, except inside mss's shared-memory buffer, which the next
grab overwrites and the idle close frees.
"""

from __future__ import annotations

import atexit
import queue
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from intake_app.diagnostics.capture import (
    MssSource,
    Screenshot,
    Target,
    failure_text,
    shoot,
)
from intake_app.diagnostics.errors import CaptureError
from intake_app.diagnostics.geometry import Monitor

IDLE_SECONDS = 600.0  # close the connection after this long without a request
TIMEOUT_SECONDS = 20.0  # a request that waits longer gets a CaptureError (a frozen display)
_T = TypeVar("_T")
Job = Callable[[MssSource], Any]


class _Broken(CaptureError):
    """The open connection failed under a request: reopen it and try once more."""


class _HeldSource(MssSource):
    """An MssSource whose every failure on an open connection means "reconnect".

    A dropped X connection makes mss fail with bare AssertionErrors (a reply that never
    came), not only ScreenShotError, hence ``Exception``.
    """

    def _call(self, failure: str, fn: Callable[[Any], _T]) -> _T:
        try:
            return fn(self._require())
        except Exception as exc:
            raise _Broken(f"{failure}: {failure_text(exc) or 'the connection to the display was lost'}.") from exc


class _Request:
    __slots__ = ("future", "job")

    def __init__(self, job: Job) -> None:
        self.job = job
        self.future: Future[Any] = Future()


class _Worker(threading.Thread):
    """The thread that owns one mss connection; it ends when idle, closed or abandoned."""

    def __init__(self, grabber: ScreenGrabber) -> None:
        super().__init__(name="intake-screen-grabber", daemon=True)
        self.requests: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self.abandoned = False  # a request timed out: finish the stuck call, then end
        self._grabber = weakref.ref(grabber)
        self._display = grabber.display
        self._idle = grabber.idle_seconds
        self._source: _HeldSource | None = None

    def run(self) -> None:
        try:
            while not self.abandoned:
                try:
                    request = self.requests.get(timeout=self._idle)
                except queue.Empty:
                    grabber = self._grabber()
                    idle = grabber is None or grabber._retire_if_idle(self)
                    grabber = None  # no strong reference while waiting
                    if idle:
                        break
                    continue
                if request is None:  # close()
                    break
                self._serve(request)
                request = None  # the caller has the pixels; hold none while waiting
        finally:
            self._close()

    def _serve(self, request: _Request) -> None:
        if not request.future.set_running_or_notify_cancel():
            return
        try:
            result = self._attempt(request.job)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            request.future.set_exception(exc)
        else:
            request.future.set_result(result)
            del result

    def _attempt(self, job: Job) -> Any:
        try:
            return job(self._open())
        except _Broken:
            self._close()
        try:
            return job(self._open())
        except _Broken as exc:  # twice in a row: a plain CaptureError, as capture_now raises
            self._close()
            raise CaptureError(str(exc)) from exc.__cause__

    def _open(self) -> _HeldSource:
        if self._source is None:
            source = _HeldSource(self._display)
            source.open()  # CaptureError when no display can be reached: no retry, nothing to reuse
            self._source = source
            grabber = self._grabber()
            if grabber is not None:
                grabber._opened()
        return self._source

    def _close(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            source.close()


class ScreenGrabber:
    """Captures over one connection kept open on its own thread; safe to call from any thread.

    ``display`` selects an X display on Linux (default: ``$DISPLAY``), as for MssSource.
    """

    def __init__(self, display: str | None = None, *, idle_seconds: float = IDLE_SECONDS,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.display = display
        self.idle_seconds = idle_seconds
        self.timeout = timeout
        self._lock = threading.Lock()
        self._worker: _Worker | None = None
        self._opens = 0
        _ALL.add(self)

    # -- what callers use -------------------------------------------------------------------------
    def capture(self, target: Target = "each") -> list[Screenshot]:
        """As :func:`~intake_app.diagnostics.capture.capture`: ``"each"``, ``"all"``, a monitor index or a Rect."""
        return self.run(lambda source: shoot(source, target))

    def capture_now(self) -> list[Screenshot]:
        """Every monitor, one Screenshot each (the "screen as it was" grab)."""
        return self.capture("each")

    def monitors(self) -> list[Monitor]:
        return self.run(lambda source: source.monitors())

    def warm_up(self, *, grab: bool = False) -> None:
        """Open the connection now (loads the X libraries too). With ``grab``, also grab once and drop
        the pixels: most of a first capture's cost is the server filling mss's new shared-memory
        buffer, so only a grabbed-once connection makes the next capture fast; that buffer (the
        screen's size: 8 MB at 1920×1080) then stays in memory until the idle close."""
        def job(source: MssSource) -> None:
            if grab:
                shoot(source, "all")

        self.run(job)

    def run(self, job: Callable[[MssSource], _T]) -> _T:
        """``job(open source)`` on the grabber's thread; its result, or its exception, comes back here."""
        worker, request = self._submit(job)
        try:
            return request.future.result(timeout=self.timeout)
        except FutureTimeout:
            self._abandon(worker)
            raise CaptureError(f"The screen did not answer within {self.timeout:g} seconds; "
                               "try again in a moment.") from None
        finally:
            del request  # the future holds the pixels: the caller has them now

    def close(self, wait: float = 2.0) -> None:
        """Close the connection and end the thread (requests already queued are served first).
        A later request opens a new connection."""
        with self._lock:
            worker, self._worker = self._worker, None
            if worker is None:
                return
            worker.requests.put(None)
        if worker is not threading.current_thread():
            worker.join(wait)

    # -- what tests and benchmarks look at --------------------------------------------------------
    @property
    def opens(self) -> int:
        """How many connections this grabber has opened so far."""
        return self._opens

    @property
    def is_running(self) -> bool:
        """Whether its thread (and so possibly a connection) exists right now."""
        with self._lock:
            return self._worker is not None and self._worker.is_alive()

    # -- between the grabber and its thread -------------------------------------------------------
    def _submit(self, job: Job) -> tuple[_Worker, _Request]:
        request = _Request(job)
        with self._lock:
            if self._worker is None:
                self._worker = _Worker(self)
                self._worker.start()
            self._worker.requests.put(request)
            return self._worker, request

    def _retire_if_idle(self, worker: _Worker) -> bool:
        """Called by an idle worker: end it, unless a request arrived meanwhile."""
        with self._lock:
            if not worker.requests.empty():
                return False
            if self._worker is worker:
                self._worker = None
            return True

    def _abandon(self, worker: _Worker) -> None:
        """A request timed out: leave that thread to its stuck call; its queue fails, new requests get a new one."""
        with self._lock:
            worker.abandoned = True
            if self._worker is worker:
                self._worker = None
        while True:
            try:
                pending = worker.requests.get_nowait()
            except queue.Empty:
                break
            if pending is not None and pending.future.set_running_or_notify_cancel():
                pending.future.set_exception(CaptureError("The screen did not answer; try again in a moment."))

    def _opened(self) -> None:
        with self._lock:
            self._opens += 1


_ALL: weakref.WeakSet[ScreenGrabber] = weakref.WeakSet()
_shared: ScreenGrabber | None = None
_shared_lock = threading.Lock()


def shared_grabber() -> ScreenGrabber:
    """The process's grabber for this computer's screens ($DISPLAY), made on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ScreenGrabber()
        return _shared


@atexit.register
def _close_all() -> None:
    """At exit, close every open connection from its own thread (a bounded wait each)."""
    for grabber in list(_ALL):
        grabber.close(wait=1.0)
