"""Keep the resting tray app small: keep no source text in memory.

The tray app idles for hours, so what it holds at rest is what users see in
their task manager (issue "Fast to open, light at rest"; the measured
breakdown is in ``docs/benchmarks.md``; glibc's ``malloc_trim`` was measured
too and returns under 0.3 MB at rest, so it is not called).

* :func:`keep_source_lines_out_of_memory` before PySide6 is imported: running
  from source, PySide6's import hook reads the source of every module imported
  after it (``inspect.getsource``, looking for ``from __feature__ import``) and
  :mod:`linecache` keeps every line of it. Measured: 2-11 MB of the idle app's
  RSS that nothing reads again, and fragmented in among the modules' code, so
  clearing the cache later gives none of it back. A bundle has no sources and
  keeps nothing either way. Tracebacks still show source lines: they are read
  again from the file when needed.

Qt-free and the same on every OS.
"""

from __future__ import annotations

import functools
import linecache
import weakref
from collections.abc import Callable
from typing import Any

_guards: weakref.WeakSet[Callable[..., list[str]]] = weakref.WeakSet()  # the wrappers installed


def keep_source_lines_out_of_memory(module: Any = linecache) -> bool:
    """From now on, source lines read through ``linecache`` are returned but not kept.

    Call before importing PySide6. Idempotent; returns False when it was already in effect.
    ``module`` is :mod:`linecache` (tests pass a stand-in with the same two names).
    """
    original: Callable[..., list[str]] = module.updatecache
    if original in _guards:
        return False
    cache: dict[str, tuple[object, ...]] = module.cache

    @functools.wraps(original)
    def updatecache(filename: str, module_globals: object = None) -> list[str]:
        lines = original(filename, module_globals)
        entry = cache.get(filename)
        if _rereadable(entry):
            del cache[filename]
        return lines

    _guards.add(updatecache)
    module.updatecache = updatecache
    for name, entry in list(cache.items()):  # what was read before this call
        if _rereadable(entry):
            cache.pop(name, None)
    return True


def _rereadable(entry: tuple[object, ...] | None) -> bool:
    """A full entry read from a file (size, mtime, lines, name): dropping it costs only a re-read.

    Kept: lazy-loader 1-tuples (small) and entries with no mtime, which code generators put
    there for sources that exist nowhere on disk (they could not be read again).
    """
    return entry is not None and len(entry) == 4 and entry[1] is not None
