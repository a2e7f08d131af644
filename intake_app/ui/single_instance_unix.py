"""Linux and macOS: the single-instance socket with Python's own Unix sockets, watched by QSocketNotifier.

Qt's ``QLocalServer`` would do the same over the same kind of socket, but loading
QtNetwork costs the resting app ~2-3.5 MB of RSS (measured, docs/benchmarks.md)
for one socket that hears a few bytes per launch. The wire is unchanged, so an
instance of either kind answers the other (an upgrade while one runs). A bare
name (no ``/``) lives in the temp folder, where Qt put it.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)

Handler = Callable[[bytes], Callable[[], None] | None]  # a complete line → what to run after the ack, or None


def socket_path(name: str) -> str:
    """The socket file for ``name``: itself when it is a path, else in the temp folder (as Qt does)."""
    if "/" in name:
        return name
    return f"{(os.environ.get('TMPDIR') or '/tmp').rstrip('/') or '/'}/{name}"


class UnixTransport(QObject):
    """One listening socket (or none) and the connections it accepted, on the GUI thread."""

    def __init__(self, name: str, max_message: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = socket_path(name)
        self.max_message = max_message
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._handler: Handler | None = None
        self._clients: dict[socket.socket, tuple[QSocketNotifier, bytearray]] = {}

    # --- the second launch -----------------------------------------------------------------------
    def send(self, line: bytes, connect_s: float, ack_s: float) -> bytes | None:
        """Send ``line``; the reply up to its newline, or None when nobody listens."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(connect_s)
            try:
                sock.connect(self.path)
            except OSError:
                return None
            reply = b""
            try:
                sock.settimeout(ack_s)
                sock.sendall(line)
                while b"\n" not in reply:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
            except OSError:
                pass  # timed out or hung up: whatever arrived is the answer
            return reply

    def alive(self, connect_s: float) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(connect_s)
            try:
                probe.connect(self.path)
            except OSError:
                return False
            return True

    # --- the running instance --------------------------------------------------------------------
    def listen(self, handler: Handler, connect_s: float) -> bool:
        """Bind and listen; a socket file nobody answers on (a killed instance's) is replaced."""
        server = self._bind()
        if server is None:
            if self.alive(connect_s):
                log.warning("cannot listen on %s: another instance answers there", self.path)
                return False
            log.info("removing stale instance socket %s", self.path)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            server = self._bind()
            if server is None:
                return False
        server.setblocking(False)
        server.listen(8)
        self._server, self._handler = server, handler
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(lambda *_: self._accept())
        return True

    def _bind(self) -> socket.socket | None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(self.path)
        except OSError as exc:
            sock.close()
            if exc.errno != errno.EADDRINUSE:
                log.warning("cannot listen on %s: %s", self.path, exc)
            return None
        return sock

    def close(self) -> None:
        for sock in list(self._clients):
            self._drop(sock)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._server is not None:
            self._server.close()
            self._server = None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)

    def _accept(self) -> None:
        while self._server is not None:
            try:
                sock, _ = self._server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                log.warning("accepting an instance connection failed", exc_info=True)
                return
            sock.setblocking(False)
            self._watch(sock)

    def _watch(self, sock: socket.socket) -> None:
        notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        notifier.activated.connect(lambda *_: self._read(sock))  # (descriptor, type): not needed
        self._clients[sock] = (notifier, bytearray())

    def _read(self, sock: socket.socket) -> None:
        if sock not in self._clients:
            return
        buffer = self._clients[sock][1]
        try:
            chunk = sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        buffer += chunk
        if b"\n" not in buffer:
            if not chunk:
                self._drop(sock)  # hung up before a whole line
            elif len(buffer) > self.max_message:
                log.warning("instance message too long; dropped")
                self._drop(sock)
            return
        line = bytes(buffer.split(b"\n", 1)[0])
        after = self._handler(line) if self._handler is not None else None
        if after is not None:
            with contextlib.suppress(OSError):
                sock.sendall(b'{"ok": true}\n')
        self._drop(sock)
        if after is not None:
            after()

    def _drop(self, sock: socket.socket) -> None:
        entry = self._clients.pop(sock, None)
        if entry is not None:
            entry[0].setEnabled(False)
            entry[0].deleteLater()
        sock.close()
