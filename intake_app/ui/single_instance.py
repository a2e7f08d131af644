"""One running app per user session; a second launch hands its command over (STYLE habit 11).

The first instance listens on a ``QLocalServer``; a later ``intake-app`` or
``intake-app report`` connects, sends one JSON line (``{"command": "report"}``),
waits for the acknowledgement and exits 0. The name includes the user (and the
Windows session id, or the X display) so a terminal server with many users
gets one instance each. On Unix the socket lives in the user's private runtime
folder; a socket left behind by a killed instance is detected (nobody answers)
and removed before listening.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from intake_app import APP_ID

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
MAX_MESSAGE = 64 * 1024
UNIX_PATH_MAX = 100  # sockaddr_un.sun_path is 104 (macOS) / 108 (Linux) bytes incl. NUL
CONNECT_MS = 1000
ACK_MS = 3000


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:40] or "user"


def _short_hash(text: str) -> str:
    import hashlib  # rarely needed (Windows, long paths); loading OpenSSL costs ~5 ms at start

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in the environment (some services): fall back to the uid
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "user"


def current_session(platform: str = sys.platform) -> str:
    """Windows: the Terminal Services session id; X11: the display; else empty."""
    if platform.startswith("win"):
        import ctypes

        session = ctypes.c_ulong(0)
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        if kernel32.ProcessIdToSessionId(kernel32.GetCurrentProcessId(), ctypes.byref(session)):
            return str(session.value)
        return ""
    return os.environ.get("DISPLAY", "") if platform != "darwin" else ""


def server_name(runtime_dir: Path, *, user: str | None = None, session: str | None = None,
                platform: str = sys.platform) -> str:
    """The local-server name for this user and session (a socket path on Unix when it fits)."""
    user = user if user is not None else current_user()
    session = session if session is not None else current_session(platform)
    base = f"{APP_ID}-{_safe(user)}" + (f"-s{_safe(session)}" if session else "")
    if platform.startswith("win"):  # named pipes share one namespace: keep test/portable dirs apart
        return f"{base}-{_short_hash(str(runtime_dir))}"
    path = Path(runtime_dir) / f"{base}.sock"
    if len(str(path).encode("utf-8")) <= UNIX_PATH_MAX:
        return str(path)
    return f"{base}-{_short_hash(str(runtime_dir))}"  # Qt puts a bare name in the temp dir


class SingleInstance(QObject):
    """Send to a running instance, or become the one others send to."""

    command_received = Signal(str, list)  # command ("tray", "report", "tickets-window"), extra args

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    # --- the second launch -----------------------------------------------------------------
    def send(self, command: str, args: list[str] | None = None) -> bool:
        """Hand ``command`` to a running instance; True once it acknowledged."""
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(CONNECT_MS):
            return False
        line = json.dumps({"v": PROTOCOL_VERSION, "command": command, "args": list(args or []),
                           "pid": os.getpid()}).encode("utf-8") + b"\n"
        sock.write(line)
        sock.waitForBytesWritten(ACK_MS)
        reply = b""
        while b"\n" not in reply and sock.waitForReadyRead(ACK_MS):
            reply += bytes(sock.readAll().data())
        sock.disconnectFromServer()
        ok = reply.startswith(b'{"ok": true')
        if not ok:
            log.warning("the running instance did not acknowledge %r (reply %r)", command, reply[:80])
        return ok

    # --- the running instance ----------------------------------------------------------------
    def listen(self) -> bool:
        """Become the instance; removes a stale socket. False if another instance is alive."""
        server = QLocalServer(self)
        if sys.platform.startswith("win"):
            # the pipe's ACL: only this user (terminal servers). Not on Unix: there Qt implements the
            # option by binding elsewhere and renaming over the name, which would silently replace a
            # live instance's socket; the user-only runtime folder protects the socket instead.
            server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            if server.serverError() != QAbstractSocket.SocketError.AddressInUseError or self._alive():
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
        self._server = server
        log.info("single-instance server listening on %s", self.name)
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

    def _alive(self) -> bool:
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        alive = probe.waitForConnected(CONNECT_MS)
        probe.abort()
        return alive

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
            if len(data) > MAX_MESSAGE:
                log.warning("instance message too long; dropped")
                sock.abort()
            else:
                self._buffers[sock] = data
            return
        line = data.split(b"\n", 1)[0]
        try:
            message = json.loads(line)
            command = str(message["command"])
            args = [str(a) for a in message.get("args") or []]
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable instance message %r", line[:80])
            sock.abort()
            return
        sock.write(b'{"ok": true}\n')
        sock.flush()
        sock.disconnectFromServer()
        log.info("command %r handed over by pid %s", command, message.get("pid"))
        self.command_received.emit(command, args)
