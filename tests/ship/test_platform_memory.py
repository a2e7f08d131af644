"""``intake_app.platform.memory``: the source-line cache that keeps nothing.

The real effects run in a fresh interpreter each, so what other tests allocated or
imported in this process cannot make them pass or fail.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from ship.conftest import ROOT

from intake_app.platform import memory


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


_SOURCES = (
    "import json, linecache, sys, traceback\n"
    "{setup}"
    "import PySide6.QtCore\n"
    "import intake_app.core.policy, email.mime.text\n"  # imported after PySide6: its hook reads their source
    "full = sorted(name for name, entry in linecache.cache.items() if len(entry) != 1)\n"
    "try:\n"
    "    json.loads('not json')\n"
    "except ValueError:\n"
    "    shown = traceback.format_exc()\n"
    "print(json.dumps([len(full), 'raise JSONDecodeError' in shown]))\n"
)


def test_without_the_guard_pyside6_fills_the_line_cache() -> None:
    """Why the guard exists: this is the memory it saves (from source; a bundle has no sources)."""
    kept, _shown = __import__("json").loads(_run(_SOURCES.format(setup="")))
    assert kept >= 2


def test_with_the_guard_no_source_lines_stay_and_tracebacks_still_show_them() -> None:
    setup = ("from intake_app.platform.memory import keep_source_lines_out_of_memory\n"
             "assert keep_source_lines_out_of_memory() is True\n"
             "assert keep_source_lines_out_of_memory() is False\n")
    kept, shown = __import__("json").loads(_run(_SOURCES.format(setup=setup)))
    assert kept == 0
    assert shown is True


class FakeLinecache:
    """The two names of :mod:`linecache` the guard touches, with entries as linecache makes them."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[Any, ...]] = {"old.py": (3, 1.0, ["a\n"], "old.py"), "lazy.py": (lambda: "x",)}
        self.reads: list[str] = []

    def updatecache(self, filename: str, module_globals: Any = None) -> list[str]:
        self.reads.append(filename)
        if filename == "lazy.py":
            return []
        lines = [f"{filename} line\n"]
        self.cache[filename] = (10, 2.0, lines, filename)
        return lines


def test_the_guard_keeps_lazy_entries_and_drops_lines_already_read() -> None:
    fake = FakeLinecache()
    assert memory.keep_source_lines_out_of_memory(fake) is True
    assert list(fake.cache) == ["lazy.py"]  # read before the call: dropped too
    assert fake.updatecache("new.py") == ["new.py line\n"]
    assert fake.updatecache("lazy.py") == []
    assert list(fake.cache) == ["lazy.py"] and fake.reads == ["new.py", "lazy.py"]


def test_the_guard_keeps_sources_that_exist_nowhere_on_disk() -> None:
    """Code generators (dataclasses, attrs) put their source in the cache with no mtime: it could not be
    read again, so a traceback through that code would lose its lines if the guard dropped it."""
    fake = FakeLinecache()
    fake.cache["<attrs generated init>"] = (40, None, ["def __init__(self): ...\n"], "<attrs generated init>")
    assert memory.keep_source_lines_out_of_memory(fake) is True
    assert sorted(fake.cache) == ["<attrs generated init>", "lazy.py"]
