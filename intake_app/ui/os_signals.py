"""SIGTERM / SIGINT end the app cleanly (the demo child is stopped), even while Qt's loop runs.

Python runs signal handlers only between bytecodes, and Qt's event loop is C++;
so the signal also writes to a wake-up pipe that a ``QSocketNotifier`` watches.
Its (Python) slot gives the interpreter the moment to run the handler. On POSIX
that is an ``os.pipe()`` (no ``socket`` module before the tray icon shows);
Windows' ``signal.set_wakeup_fd`` takes only a socket, so there it is a socket pair.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class QuitOnSignals(QObject):
    """Calls ``on_signal`` on the GUI thread for SIGTERM and SIGINT until :meth:`restore`."""

    def __init__(self, on_signal: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pipe = WakeupPipe()
        self._old_fd = signal.set_wakeup_fd(self._pipe.write_fd)
        self._notifier = QSocketNotifier(self._pipe.read_fd, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._old = {sig: signal.signal(sig, lambda *_: on_signal()) for sig in SIGNALS}

    def _drain(self) -> None:
        self._pipe.drain()

    def restore(self) -> None:
        """Put back the previous handlers (at exit, and between tests)."""
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._old_fd)
        self._notifier.setEnabled(False)
        self._pipe.close()



class WakeupPipe:
    """Two non-blocking ends: the signal module writes a byte to one, Qt watches the other."""

    def __init__(self, platform: str = sys.platform) -> None:
        self._sockets: tuple[Any, Any] | None = None
        if platform == "win32":  # set_wakeup_fd takes only a socket there
            import socket

            self._sockets = socket.socketpair()
            for sock in self._sockets:
                sock.setblocking(False)
            self.read_fd, self.write_fd = (sock.fileno() for sock in self._sockets)
        else:
            self.read_fd, self.write_fd = os.pipe()
            os.set_blocking(self.read_fd, False)
            os.set_blocking(self.write_fd, False)

    def drain(self) -> None:
        """Read what the signals wrote (the bytes mean nothing; the wake-up was the point)."""
        try:
            if self._sockets is not None:
                self._sockets[0].recv(64)
            else:
                os.read(self.read_fd, 64)
        except OSError:  # nothing left (non-blocking), or already closed
            pass

    def close(self) -> None:
        if self._sockets is not None:
            for sock in self._sockets:
                sock.close()
        else:
            os.close(self.read_fd)
            os.close(self.write_fd)
