"""Work-arounds for known bugs of the Qt binding, each detected at run time, never assumed.

PySide6 6.12.0 on Python 3.11: ``Signal.emit()`` hands back ``True`` without a
reference of its own, so every emit (from any module) takes one reference away
from the ``True`` singleton. Python 3.12+ makes ``True`` immortal, so nothing
happens there; on 3.11 the count reaches zero after a few thousand emits and
CPython aborts ("Fatal Python error: bool_dealloc"), at exit or, in a tray app
that runs for days, in the middle of the day. 6.11.x does not have the bug.

:func:`protect_bool_singletons` probes for the leak and, only when it is there,
gives ``True`` and ``False`` a reserve of references so large that no process
can use it up. Pinning the binding (``PySide6-Essentials != 6.12.0``) is the
real fix; this keeps users of the bad build safe until then.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

PROBE_EMITS = 64
RESERVE = min(1 << 40, sys.maxsize // 4)  # references added to True and False (a count, not memory)


class _Probe(QObject):
    fired = Signal()


def emit_steals_true() -> bool:
    """True when emitting a signal takes a reference from ``True`` (the PySide6 6.12.0 bug)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBE_EMITS):
        probe.fired.emit()
    lost = before - sys.getrefcount(True)
    probe.deleteLater()
    return lost >= PROBE_EMITS // 2


def protect_bool_singletons() -> bool:
    """Add the reserve when the leak is present (never on Python 3.12+); True when it was added."""
    if sys.version_info >= (3, 12) or not emit_steals_true():
        return False
    for singleton in (True, False):
        # ob_refcnt is the first field of every object in CPython's release builds
        ctypes.c_ssize_t.from_address(id(singleton)).value += RESERVE
    log.warning("PySide6 %s leaks a reference to True on every signal emit; a reserve was added "
                "(install a PySide6-Essentials other than 6.12.0 to fix it for good)", PYSIDE_VERSION)
    return True
