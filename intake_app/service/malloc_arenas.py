"""One glibc malloc arena for the demo service: the tray app's child stays lighter at rest.

glibc gives each new thread its own malloc arena (up to 8 per core). The service's threads (relay,
sync, uvicorn's request pool, SQLite working in them) each keep an arena whose memory is still
partly in use, so it is never given back: ~1 MB per thread that ever served a request, ~8 MB after
a burst of eight. A demo service serves one person; sharing the main arena costs it nothing that
can be seen, so ``serve --demo`` asks for one. A production service keeps glibc's default (under
load, threads running SQLite outside the GIL would contend for a single arena).

Only glibc has ``mallopt(M_ARENA_MAX)``; elsewhere (Windows, macOS, musl) this is a no-op. The
platform facts are a parameter so that the decision can be tested on any machine.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's malloc.h


@dataclass(frozen=True)
class Facts:
    """What decides whether glibc's allocator is there to tune."""

    platform: str  # sys.platform
    libc: str  # "glibc 2.36" on glibc systems, "" elsewhere (musl has no CS_GNU_LIBC_VERSION)


def current_facts() -> Facts:
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):  # no confstr (Windows) or an unknown name (musl, macOS)
        libc = ""
    return Facts(sys.platform, libc)


def limit_arenas(arenas: int = 1, facts: Facts | None = None,
                 load_libc: Callable[[], Any] = lambda: ctypes.CDLL(None)) -> bool:
    """Cap glibc's malloc arenas for threads created from now on; True when the cap was set.

    Call it before the service starts its threads: a thread that already has an arena keeps it."""
    facts = facts or current_facts()
    if not facts.platform.startswith("linux") or not facts.libc.startswith("glibc"):
        return False
    try:
        mallopt = load_libc().mallopt
    except (OSError, AttributeError):
        return False
    done = bool(mallopt(ctypes.c_int(M_ARENA_MAX), ctypes.c_int(arenas)))
    log.debug("malloc arenas limited to %d: %s", arenas, done)
    return done
