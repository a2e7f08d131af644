"""Layer boundaries (STYLE habit 1): Qt stays in ui/, the service never imports the client.

Two checks: import-linter's static contracts from pyproject.toml, and a runtime check
that importing every Qt-free module in a fresh interpreter loads no PySide6.
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import intake_app

QT_FREE = ("core", "config", "diagnostics", "client", "service", "cli", "platform")
ROOT = Path(__file__).resolve().parents[2]


def _modules() -> list[str]:
    names = ["intake_app.paths", "intake_app.errors"]
    for package in QT_FREE:
        path = Path(intake_app.__file__).parent / package
        names.append(f"intake_app.{package}")
        names += [m.name for m in pkgutil.walk_packages([str(path)], prefix=f"intake_app.{package}.")]
    return sorted(set(names))


def test_import_linter_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("import-linter is not installed (pip install -e .[dev])")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_qt_free_layers_import_without_pyside6() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"PySide6 imported by a Qt-free layer: {result.stdout}"
