"""Who is sending an outbox item, and whether that sender is still alive.

The tray and a CLI command may drain the same outbox. A sender claims a row by
writing its claimant id (``host:pid:start-time``) into it. A claim is *stale*
when its process is gone (same host, pid dead or reused: the start time differs)
or when it is older than :data:`STALE_AFTER_S` whatever the host (a frozen
process, a network share). A stale row goes back to ``queued``: resending is
safe because the service dedupes on the client ticket id.
"""

from __future__ import annotations

import os
import socket
from functools import lru_cache

STALE_AFTER_S = 15 * 60.0  # longer than the slowest upload of a 64 MiB body we expect to finish


def _start_time(pid: int) -> str:
    import psutil  # only senders need it

    try:
        return f"{psutil.Process(pid).create_time():.2f}"
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return ""


@lru_cache(maxsize=1)
def _host() -> str:
    return socket.gethostname().replace(":", "_")


def my_claimant_id() -> str:
    """This process's claimant id (computed per call: a fork must not inherit its parent's)."""
    pid = os.getpid()
    return f"{_host()}:{pid}:{_start_time(pid)}"


def claim_is_dead(claimant: str | None) -> bool:
    """True when ``claimant`` is a process on this host that no longer exists (or was replaced)."""
    if not claimant:
        return True
    parts = claimant.split(":")
    if len(parts) != 3 or parts[0] != _host():
        return False  # another computer: only the age rule applies
    try:
        pid = int(parts[1])
    except ValueError:
        return True
    if pid == os.getpid():
        return parts[2] != _start_time(pid)
    started = _start_time(pid)
    if not started:
        return True
    # a zombie or a live process whose start time differs is not the one that claimed the row
    return started != parts[2] or _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return True
