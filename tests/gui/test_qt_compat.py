"""The PySide6 6.12.0 emit leak on Python 3.11: it aborts the process, and the guard prevents that."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from intake_app.ui.qt_compat import emit_steals_true

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = (
    "import sys\n"
    "from PySide6.QtCore import QObject, Signal\n"
    "from intake_app.ui.qt_compat import protect_bool_singletons\n"
    "emits = sys.getrefcount(True) + 100  # more than True has: the bare build must die\n"
    "if sys.argv[1] == 'guard':\n"
    "    assert protect_bool_singletons()\n"
    "class S(QObject):\n"
    "    sig = Signal()\n"
    "s = S()\n"
    "for _ in range(emits):\n"
    "    s.sig.emit()\n"
    "print('survived')\n"
)


def _run(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="True is immortal on Python 3.12+: the leak cannot hurt")
def test_the_guard_keeps_a_leaking_binding_alive() -> None:
    probe = subprocess.run([sys.executable, "-c", "from intake_app.ui.qt_compat import emit_steals_true as e;"
                            "print(e())"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    if probe.stdout.strip() != "True":
        pytest.skip("this PySide6 build does not leak references on emit: nothing to guard")
    bare = _run("bare")
    assert bare.returncode != 0 and "bool_dealloc" in bare.stderr  # what users of the bad build would get
    guarded = _run("guard")
    assert guarded.returncode == 0 and guarded.stdout.strip() == "survived", guarded.stderr


def test_the_probe_answers_without_side_effects() -> None:
    before = sys.getrefcount(True)
    answer = emit_steals_true()
    assert isinstance(answer, bool)
    # the reserve (if this process already has it) dwarfs the probe; without the leak nothing is lost
    assert answer or abs(sys.getrefcount(True) - before) < 16
