"""The second launch's side of the single-instance protocol, without Qt (STYLE habit 11).

``intake-app`` must ask "is an instance already running?" before it shows an icon, and almost every
start gets the answer "no". Asking through ``QLocalSocket`` meant loading QtNetwork (and the Kerberos
libraries it links) before the icon; on Linux and macOS the running instance listens on a plain Unix
socket at :func:`server_name`'s path (``single_instance_unix``; an older instance's ``QLocalServer``
uses the same path and wire), so this module asks over that socket with the C ``_socket`` module
(the ``socket`` module builds its enums at import: ~5 ms more). It only talks to a socket file owned
by this user (:func:`is_our_socket`): another user's socket at that path gets no command line. The
protocol is :mod:`intake_app.ui.single_instance`'s: one JSON line out, ``{"ok": true}`` back. Where
the name is not a socket path (Windows named pipes, or the short name used when the path is too long)
it answers None and the caller uses :class:`~intake_app.ui.single_instance.SingleInstance` instead.

The naming functions live here (Qt-free) so the check and the server agree on one name.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import sys
from pathlib import Path

from intake_app import APP_ID

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
UNIX_PATH_MAX = 100  # sockaddr_un.sun_path is 104 (macOS) / 108 (Linux) bytes incl. NUL
CONNECT_MS = 1000
ACK_MS = 3000
ACK = b'{"ok": true'


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:40] or "user"


def _short_hash(text: str) -> str:
    import hashlib  # rarely needed (Windows, long paths); loading OpenSSL costs ~5 ms at start

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def current_user() -> str:
    """The login name, as ``getpass.getuser()`` finds it (without importing getpass and termios)."""
    try:
        for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
            user = os.environ.get(variable)
            if user:
                return user
        import pwd

        return pwd.getpwuid(os.getuid())[0]
    except Exception:  # noqa: BLE001  (no login name in the environment, some services): the uid
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


def message(command: str, args: list[str] | None = None) -> bytes:
    """The one line a second launch sends."""
    return json.dumps({"v": PROTOCOL_VERSION, "command": command, "args": list(args or []),
                       "pid": os.getpid()}).encode("utf-8") + b"\n"


def is_our_socket(path: str) -> bool:
    """True when ``path`` itself (not a link's target) is a socket owned by this user.

    Anyone may bind a socket where we would look when the folder is shared; a command line (and the
    wait for its answer) only goes to a socket file this user made."""
    try:
        info = os.lstat(path)
    except OSError:  # missing (nobody listens) or unreadable folder
        return False
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
        log.warning("ignoring %s: not a socket owned by this user (mode %o, uid %d)", path, info.st_mode,
                    info.st_uid)
        return False
    return True


def send_command(name: str, command: str, args: list[str] | None = None) -> bool | None:
    """Hand ``command`` to the instance listening on ``name``.

    True once it acknowledged; False when nobody listens there (no socket, a stale one, or a file that
    is not this user's socket) or it did not acknowledge; None when ``name`` is not a Unix socket path, so only Qt can tell.
    """
    if os.name != "posix" or not os.path.isabs(name):
        return None
    if not is_our_socket(name):
        return False
    reply = exchange(name, message(command, args), CONNECT_MS / 1000, ACK_MS / 1000)
    if reply is None:  # FileNotFoundError, ConnectionRefusedError (stale), timeout: no instance answers
        return False
    ok = reply.startswith(ACK)
    if not ok:
        log.warning("the running instance did not acknowledge %r (reply %r)", command, reply[:80])
    return ok


def exchange(path: str, line: bytes, connect_s: float, ack_s: float) -> bytes | None:
    """Send ``line`` to the socket at ``path``; its reply up to the newline (b"" when it hung up or went
    quiet: judged by what arrived, as the Qt client does), or None when nothing could be connected.

    Checks nothing about ``path``: callers ask :func:`is_our_socket` first.
    """
    import _socket  # the C module: `socket` itself costs ~5 ms of enum building at import

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(connect_s)
        try:
            sock.connect(path)
        except OSError:
            return None
        sock.settimeout(ack_s)
        reply = b""
        try:
            sock.sendall(line)
            while b"\n" not in reply:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except OSError:
            pass
        return reply
    finally:
        sock.close()
