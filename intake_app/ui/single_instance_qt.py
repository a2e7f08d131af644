"""Windows: the single-instance channel over Qt's ``QLocalServer`` (a named pipe).

Python has no named-pipe server of its own, so Windows keeps QtNetwork; Linux and
macOS use ``single_instance_unix`` over the same protocol by default. This class
still runs anywhere Qt does (``SingleInstance(transport="qt")``), which the tests
use to check that both channels speak one wire.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

Handler = Callable[[bytes], Callable[[], None] | None]


class QtTransport(QObject):
    """A ``QLocalServer`` (or none) and the connections it accepted, on the GUI thread."""

    def __init__(self, name: str, max_message: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.max_message = max_message
        self._server: QLocalServer | None = None
        self._handler: Handler | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    def send(self, line: bytes, connect_s: float, ack_s: float) -> bytes | None:
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(int(connect_s * 1000)):
            return None
        sock.write(line)
        sock.waitForBytesWritten(int(ack_s * 1000))
        reply = b""
        while b"\n" not in reply and sock.waitForReadyRead(int(ack_s * 1000)):
            reply += bytes(sock.readAll().data())
        sock.disconnectFromServer()
        return reply

    def alive(self, connect_s: float) -> bool:
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        alive = probe.waitForConnected(int(connect_s * 1000))
        probe.abort()
        return alive

    def listen(self, handler: Handler, connect_s: float) -> bool:
        server = QLocalServer(self)
        if sys.platform.startswith("win"):
            # the pipe's ACL: only this user (terminal servers). Only on Windows, this class's real
            # platform; when asked for on Unix (tests), Qt would implement the option by binding
            # elsewhere and renaming over the name, silently replacing a live instance's socket.
            server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            if server.serverError() != QAbstractSocket.SocketError.AddressInUseError or self.alive(connect_s):
                log.warning("cannot listen on %s: %s", self.name, server.errorString())
                server.deleteLater()
                return False
            log.info("removing stale instance socket %s", self.name)
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning("cannot listen on %s: %s", self.name, server.errorString())
                server.deleteLater()
                return False
        server.newConnection.connect(self._on_connection)
        self._server, self._handler = server, handler
        return True

    def close(self) -> None:
        if self._server is not None:
            self._server.close()  # removes the socket file on Unix
            self._server.deleteLater()
            self._server = None
        for sock in list(self._buffers):
            sock.abort()
            sock.deleteLater()
        self._buffers.clear()

    def _on_connection(self) -> None:
        assert self._server is not None
        while (sock := self._server.nextPendingConnection()) is not None:
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._on_ready(s))
            sock.disconnected.connect(lambda s=sock: self._drop(s))

    def _drop(self, sock: QLocalSocket) -> None:
        if self._buffers.pop(sock, None) is not None:
            sock.deleteLater()

    def _on_ready(self, sock: QLocalSocket) -> None:
        data = self._buffers.get(sock, b"") + bytes(sock.readAll().data())
        if b"\n" not in data:
            if len(data) > self.max_message:
                log.warning("instance message too long; dropped")
                sock.abort()
            else:
                self._buffers[sock] = data
            return
        after = self._handler(data.split(b"\n", 1)[0]) if self._handler is not None else None
        if after is None:
            sock.abort()
            return
        sock.write(b'{"ok": true}\n')
        sock.flush()
        sock.disconnectFromServer()
        after()
