"""Who may use the Unix single-instance socket: this user's folder and socket, this user's peers (Qt-free).

The runtime folder (``$XDG_RUNTIME_DIR``-like, 0700) usually guards the socket, but a too-long runtime
path sends it to the shared temp folder, and not every system gives a private runtime folder. So the
socket file is 0600, its fallback folder is a per-user 0700 one that is checked before use, and the
server asks the kernel who connected. The per-OS part is :func:`peer_uid`, small and fed by tests.
"""

from __future__ import annotations

import logging
import os
import stat
import struct
import sys
from typing import Protocol

from intake_app import APP_ID

log = logging.getLogger(__name__)

SOL_LOCAL = 0  # macOS <sys/un.h>: the level of LOCAL_PEERCRED
LOCAL_PEERCRED = 0x001
XUCRED = "IIh16I"  # struct xucred: cr_version, cr_uid, cr_ngroups, cr_groups[NGROUPS]
UCRED = "3i"  # Linux struct ucred: pid, uid, gid


class _SockOpts(Protocol):
    def getsockopt(self, level: int, option: int, buflen: int) -> bytes: ...


def temp_folder() -> str:
    return (os.environ.get("TMPDIR") or "/tmp").rstrip("/") or "/"


def private_temp_folder(uid: int | None = None) -> str:
    """This user's folder for sockets in the shared temp folder (``/tmp/intake-app-1000``)."""
    uid = os.getuid() if uid is None else uid
    return os.path.join(temp_folder(), f"{APP_ID}-{uid}")


def ensure_private_folder(path: str) -> bool:
    """Create ``path`` 0700 if missing; True only when it is a real directory of ours that nobody else
    may enter (a folder someone else made first, or a link, is refused with a log line)."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        log.warning("cannot create the private socket folder %s: %s; no single-instance server", path, exc)
        return False
    try:
        info = os.lstat(path)
    except OSError as exc:
        log.warning("cannot check the private socket folder %s: %s; no single-instance server", path, exc)
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        log.warning("refusing the socket folder %s: it must be a directory owned by uid %d with no group or "
                    "other access (found mode %o, owner uid %d); no single-instance server",
                    path, os.getuid(), info.st_mode, info.st_uid)
        return False
    return True


def peer_uid(sock: _SockOpts, platform: str = sys.platform) -> int | None:
    """The uid of the process at the other end of a connected Unix socket.

    None where this system has no way to tell: there the 0600 socket in a 0700 folder is the guard.
    Raises OSError when the kernel refuses to say (the caller drops the connection)."""
    if platform.startswith("linux"):
        import socket

        raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize(UCRED))
        return int(struct.unpack(UCRED, raw)[1])
    if platform == "darwin":  # no SO_PEERCRED; LOCAL_PEERCRED gives a struct xucred
        raw = sock.getsockopt(SOL_LOCAL, LOCAL_PEERCRED, struct.calcsize(XUCRED))
        return int(struct.unpack_from("II", raw)[1])
    return None
