"""``intake_app.platform`` is Qt-free: the CLI and the app's start-up import it before any QApplication."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import intake_app.platform
from ship.conftest import ROOT


def test_platform_package_imports_without_pyside6() -> None:
    names = ["intake_app.platform", "intake_app.cli.autostart_cmd"] + [
        f"intake_app.platform.{m.name}" for m in pkgutil.iter_modules(intake_app.platform.__path__)]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    assert len(names) >= 8  # every per-OS module was imported, Windows' and macOS' included
