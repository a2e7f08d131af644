"""Read a user-chosen file without ever hanging or swallowing something huge.

Checks come before any read: ``stat`` first (a folder, a FIFO, a device or a socket
is refused, as is an empty or oversized file), then the file is opened non-blocking
and checked again on the open handle, so a path swapped for a FIFO in between cannot
block the app. At most ``max_bytes + 1`` bytes are ever read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from intake_app.diagnostics.errors import AttachmentError

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX: opening a FIFO must not wait for a writer
_BINARY = getattr(os, "O_BINARY", 0)  # Windows


def human_size(size: float) -> str:
    """``512 B``, ``1.5 KiB``, ``20.0 MiB``."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def _check_stat(info: os.stat_result, name: str, max_bytes: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise AttachmentError(f"“{name}” is a folder, not a file. Choose a file inside it.",
                              reason="directory", filename=name)
    if not stat.S_ISREG(info.st_mode):
        raise AttachmentError(f"“{name}” is not a regular file (it is a pipe, device or socket) and cannot be attached.",
                              reason="not_a_file", filename=name)
    if info.st_size == 0:
        raise AttachmentError(f"“{name}” is empty (0 bytes).", reason="empty", filename=name)
    if info.st_size > max_bytes:
        raise AttachmentError(f"“{name}” is {human_size(info.st_size)}; attachments can be at most "
                              f"{human_size(max_bytes)}.", reason="too_large", filename=name)


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a regular, non-empty file no larger than ``max_bytes``; else AttachmentError."""
    name = Path(path).name or str(path)
    try:
        _check_stat(os.stat(path), name, max_bytes)
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    except FileNotFoundError:
        raise AttachmentError(f"“{name}” no longer exists.", reason="missing", filename=name) from None
    except PermissionError:
        raise AttachmentError(f"“{name}” cannot be read: permission denied.", reason="unreadable", filename=name) from None
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise AttachmentError(f"“{name}” is a folder, not a file.", reason="directory", filename=name) from None
        raise AttachmentError(f"“{name}” cannot be read: {exc.strerror or exc}.", reason="unreadable",
                              filename=name) from None
    try:
        _check_stat(os.fstat(fd), name, max_bytes)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise AttachmentError(f"“{name}” cannot be read: {exc.strerror or exc}.", reason="unreadable",
                              filename=name) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:  # grew since stat
        raise AttachmentError(f"“{name}” is larger than {human_size(max_bytes)}.", reason="too_large", filename=name)
    if not data:
        raise AttachmentError(f"“{name}” is empty (0 bytes).", reason="empty", filename=name)
    return data
