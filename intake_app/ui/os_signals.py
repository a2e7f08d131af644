"""SIGTERM / SIGINT end the app cleanly (the demo child is stopped), even while Qt's loop runs.

Python runs signal handlers only between bytecodes, and Qt's event loop is C++;
so the signal also writes to a wakeup socket that a ``QSocketNotifier`` watches.
Its (Python) slot gives the interpreter the moment to run the handler.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class QuitOnSignals(QObject):
    """Calls ``on_signal`` on the GUI thread for SIGTERM and SIGINT until :meth:`restore`."""

    def __init__(self, on_signal: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._read, self._write = socket.socketpair()
        self._read.setblocking(False)
        self._write.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._write.fileno())
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._old = {sig: signal.signal(sig, lambda *_: on_signal()) for sig in SIGNALS}

    def _drain(self) -> None:
        try:
            self._read.recv(64)
        except OSError:
            pass

    def restore(self) -> None:
        """Put back the previous handlers (at exit, and between tests)."""
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._old_fd)
        self._notifier.setEnabled(False)
        self._read.close()
        self._write.close()
