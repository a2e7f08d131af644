"""Linux and macOS: the single-instance socket with Python's own Unix sockets, watched by QSocketNotifier.

Qt's ``QLocalServer`` would do the same over the same kind of socket, but loading
QtNetwork costs the resting app ~2-3.5 MB of RSS (measured, docs/benchmarks.md)
for one socket that hears a few bytes per launch. The wire is unchanged, so an
instance of either kind answers the other at a socket path (an upgrade while one
runs). A bare name (no ``/``: the runtime path was too long) lives in this user's
0700 folder in the temp folder (:mod:`~intake_app.ui.unix_peer`), not in the
temp folder itself where Qt would put it.

The socket is 0600 before it listens; connections from another uid are dropped;
the client only talks to a socket file owned by this user; close() removes the
socket file only if it is still the one this instance bound.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import stat
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

from intake_app.ui.instance_client import ACK_MS, exchange, is_our_socket
from intake_app.ui.unix_peer import ensure_private_folder, peer_uid, private_temp_folder

log = logging.getLogger(__name__)

Handler = Callable[[bytes], Callable[[], None] | None]  # a complete line → what to run after the ack, or None
Accept = Callable[[socket.socket], tuple[socket.socket, Any]]
RETRY_ACCEPT_MS = 1000  # after accept() fails (EMFILE...): wait instead of spinning on a ready socket


def socket_path(name: str) -> str:
    """The socket file for ``name``: itself when it is a path, else in this user's temp subfolder."""
    if "/" in name:
        return name
    return os.path.join(private_temp_folder(), name)


class UnixTransport(QObject):
    """One listening socket (or none) and the connections it accepted, on the GUI thread.

    ``peer_uid_of``, ``accept``, ``idle_ms`` and ``retry_ms`` are the system's facts and clocks, for tests."""

    def __init__(self, name: str, max_message: int, parent: QObject | None = None, *,
                 peer_uid_of: Callable[[socket.socket], int | None] = peer_uid,
                 accept: Accept = socket.socket.accept, idle_ms: int = ACK_MS,
                 retry_ms: int = RETRY_ACCEPT_MS) -> None:
        super().__init__(parent)
        self.name, self.path = name, socket_path(name)
        self.max_message, self.idle_ms, self.retry_ms = max_message, idle_ms, retry_ms
        self._peer_uid_of, self._accept_one = peer_uid_of, accept
        self._server: socket.socket | None = None
        self._inode: int | None = None
        self._notifier: QSocketNotifier | None = None
        self._handler: Handler | None = None
        self._clients: dict[socket.socket, tuple[QSocketNotifier, float, bytearray]] = {}
        self._sweeper = QTimer(self)  # one timer drops clients that never finish their line
        self._sweeper.timeout.connect(self._expire)
        self._retry = QTimer(self)  # after accept() failed: listen again later (stopped by close())
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._resume)

    @property
    def accepting(self) -> bool:
        return self._notifier is not None and self._notifier.isEnabled()

    # --- the second launch -----------------------------------------------------------------------
    def send(self, line: bytes, connect_s: float, ack_s: float) -> bytes | None:
        """Send ``line``; the reply up to its newline, or None when nobody (of ours) listens."""
        if not is_our_socket(self.path):
            return None
        return exchange(self.path, line, connect_s, ack_s)

    def alive(self, connect_s: float) -> bool:
        if not is_our_socket(self.path):
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(connect_s)
            try:
                probe.connect(self.path)
            except OSError:
                return False
            return True

    # --- the running instance --------------------------------------------------------------------
    def listen(self, handler: Handler, connect_s: float) -> bool:
        """Bind and listen; a socket file nobody answers on (a killed instance's) is replaced. False (and
        a log line) when another instance answers or the path cannot be used: the app runs without."""
        if "/" not in self.name and not ensure_private_folder(os.path.dirname(self.path)):
            return False
        server = self._bind()
        if server is None:
            if self.alive(connect_s):
                log.warning("cannot listen on %s: another instance answers there", self.path)
                return False
            if not self._remove_stale():
                return False
            server = self._bind()
            if server is None:
                log.warning("cannot listen on %s: another launch took it first", self.path)
                return False
        self._server, self._handler = server, handler
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(lambda *_: self._accept())
        return True

    def _remove_stale(self) -> bool:
        try:
            info = os.lstat(self.path)
            if stat.S_ISSOCK(info.st_mode) and info.st_uid != os.getuid():
                log.warning("cannot listen on %s: the socket there belongs to uid %d; no single-instance "
                            "server", self.path, info.st_uid)
                return False
            log.info("removing stale instance socket %s", self.path)
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError as exc:  # PermissionError, IsADirectoryError...: run without a server, as Qt did
            log.warning("cannot remove %s to listen there: %s; no single-instance server", self.path, exc)
            return False
        return True

    def _bind(self) -> socket.socket | None:
        """Bind, make the file 0600 and listen at once (a socket bound but not listening looks stale to
        another launch); None when the name is taken (EADDRINUSE) or unusable (logged)."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(self.path)
        except OSError as exc:
            sock.close()
            if exc.errno != errno.EADDRINUSE:
                log.warning("cannot listen on %s: %s", self.path, exc)
            return None
        try:
            self._inode = os.lstat(self.path).st_ino
            os.chmod(self.path, 0o600)  # nobody can connect before listen(), so nobody slips in first
            sock.listen(8)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            log.warning("cannot listen on %s: %s", self.path, exc)
            self._unlink_own()
            return None
        return sock

    def close(self) -> None:
        for sock in list(self._clients):
            self._drop(sock)
        self._sweeper.stop()
        self._retry.stop()
        if self._notifier is not None:  # not deleteLater: a parentless transport collected before the
            self._notifier.setEnabled(False)  # deferred delete ran crashed Qt ("shared QObject deleted")
            self._notifier.setParent(None)
            self._notifier = None
        if self._server is not None:
            self._server.close()
            self._server = None
            self._unlink_own()

    def _unlink_own(self) -> None:
        """Remove the socket file only if it is still ours: a launch that judged it stale may have put
        its own there since, and removing that would let a third launch start a second instance."""
        try:
            if os.lstat(self.path).st_ino != self._inode:
                log.info("leaving %s: another instance's socket replaced this one's", self.path)
                return
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot remove the instance socket %s: %s", self.path, exc)
        finally:
            self._inode = None

    def _accept(self) -> None:
        while self._server is not None:
            try:
                sock, _ = self._accept_one(self._server)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # EMFILE, ENFILE, ENOBUFS...: the socket stays readable; do not spin
                log.warning("accepting an instance connection failed: %s; trying again in %d ms", exc,
                            self.retry_ms)
                if self._notifier is not None:
                    self._notifier.setEnabled(False)
                    self._retry.start(self.retry_ms)
                return
            if self._peer_allowed(sock):
                sock.setblocking(False)
                self._watch(sock)
            else:
                sock.close()

    def _resume(self) -> None:
        if self._notifier is not None and self._server is not None:
            self._notifier.setEnabled(True)

    def _peer_allowed(self, sock: socket.socket) -> bool:
        try:
            uid = self._peer_uid_of(sock)
        except OSError as exc:
            log.warning("cannot tell who connected to the instance socket (%s); dropped", exc)
            return False
        if uid is not None and uid != os.getuid():
            log.warning("instance connection from uid %d dropped: not this user", uid)
            return False
        return True

    def _watch(self, sock: socket.socket) -> None:
        notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        notifier.activated.connect(lambda *_: self._read(sock))  # (descriptor, type): not needed
        # a client that never finishes its line must not hold a descriptor: dropped after idle_ms
        self._clients[sock] = (notifier, time.monotonic() + self.idle_ms / 1000, bytearray())
        if not self._sweeper.isActive():
            self._sweeper.start(max(10, self.idle_ms // 4))

    def _expire(self) -> None:
        now = time.monotonic()
        for sock, (_, deadline, _) in list(self._clients.items()):
            if now >= deadline:
                log.warning("instance connection sent no whole line within %d ms; dropped", self.idle_ms)
                self._drop(sock)
        if not self._clients:
            self._sweeper.stop()

    def _read(self, sock: socket.socket) -> None:
        if sock not in self._clients:
            return
        buffer = self._clients[sock][2]
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
