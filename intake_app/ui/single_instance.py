"""One running app per user session; a second launch hands its command over (STYLE habit 11).

The first instance listens on a local socket (a named pipe on Windows); a later ``intake-app`` or
``intake-app report`` connects, sends one JSON line (``{"command": "report"}``),
waits for the acknowledgement and exits 0. The name includes the user (and the
Windows session id, or the X display) so a terminal server with many users
gets one instance each. On Unix the socket lives in the user's runtime folder,
or, when that path is too long for a socket, in a per-user 0700 folder in the
temp folder (checked before use); the socket file itself is 0600 and the server
drops peers of another uid. A socket left behind by a killed instance is
detected (nobody answers) and removed before listening; when the path cannot be
used (not removable, a foreign folder) ``listen`` says False with a log line and
the app runs without a single-instance server.

The channel is per OS: Python's Unix sockets on Linux and macOS
(``single_instance_unix``: no QtNetwork at rest, ~2-3.5 MB less RSS), Qt's named
pipes on Windows (``single_instance_qt``). ``transport=`` picks one explicitly
(tests run both here).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal

# the names and the protocol are shared with the Qt-free check a second launch makes first
from intake_app.ui.instance_client import (  # noqa: F401  (re-exported)
    ACK,
    ACK_MS,
    CONNECT_MS,
    PROTOCOL_VERSION,
    current_session,
    current_user,
    message,
    server_name,
)

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024

Transport = Literal["unix", "qt"]


def default_transport(platform: str = sys.platform) -> Transport:
    """Named pipes need Qt on Windows; everywhere else a Unix socket needs nothing beyond Python."""
    return "qt" if platform.startswith("win") else "unix"


class SingleInstance(QObject):
    """Send to a running instance, or become the one others send to."""

    command_received = Signal(str, list)  # command ("tray", "report", "tickets-window"), extra args

    def __init__(self, name: str, parent: QObject | None = None, *, transport: Transport | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._channel: Any
        if (transport or default_transport()) == "unix":
            from intake_app.ui.single_instance_unix import UnixTransport

            self._channel = UnixTransport(name, MAX_MESSAGE, self)
        else:
            from intake_app.ui.single_instance_qt import QtTransport

            self._channel = QtTransport(name, MAX_MESSAGE, self)

    # --- the second launch -----------------------------------------------------------------
    def send(self, command: str, args: list[str] | None = None) -> bool:
        """Hand ``command`` to a running instance; True once it acknowledged."""
        reply = self._channel.send(message(command, args), CONNECT_MS / 1000, ACK_MS / 1000)
        if reply is None:
            return False
        ok = bool(reply.startswith(ACK))
        if not ok:
            log.warning("the running instance did not acknowledge %r (reply %r)", command, reply[:80])
        return ok

    # --- the running instance ----------------------------------------------------------------
    def listen(self) -> bool:
        """Become the instance; removes a stale socket. False if another instance is alive."""
        if not self._channel.listen(self._on_line, CONNECT_MS / 1000):
            return False
        log.info("single-instance server listening on %s", self.name)
        return True

    def close(self) -> None:
        self._channel.close()

    def _on_line(self, line: bytes) -> Any:
        """One message: what to run once it is acknowledged, or None (garbage: hang up)."""
        try:
            message = json.loads(line)
            command = str(message["command"])
            args = [str(a) for a in message.get("args") or []]
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable instance message %r", line[:80])
            return None
        log.info("command %r handed over by pid %s", command, message.get("pid"))
        return lambda: self.command_received.emit(command, args)
