"""A small background thread that runs one job repeatedly, woken early on demand."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class WorkerLoop:
    """Runs ``step()`` until stopped; ``step`` returns seconds to wait before the next run."""

    def __init__(self, name: str, step: Callable[[], float]) -> None:
        self.name = name
        self.step = step
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("%s did not stop within %.0f s", self.name, timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delay = self.step()
            except Exception:  # a bug must not kill the worker: log it and try again later
                log.exception("%s failed; retrying in 5 s", self.name)
                delay = 5.0
            self._wake.wait(max(0.0, delay))
            self._wake.clear()
