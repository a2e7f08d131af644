"""The tray polls for ticket changes without loading the My tickets window's modules; opening it loads them.

Run in a fresh interpreter: this test process has long imported the window for other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[3]
WINDOW_MODULES = ["intake_app.ui.tickets.window", "intake_app.ui.tickets.detail", "intake_app.ui.tickets.flow",
                  "intake_app.ui.tickets.update_dialog", "intake_app.ui.tickets.model"]

CODE = f"""
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from intake_app.app import AppOptions, IntakeApp
from intake_app.config.admin import AdminConfig
from intake_app.messages import MessageBridge
from intake_app.paths import user_paths
from intake_app.ui.tasks import TaskRunner
intake = IntakeApp(paths=user_paths().ensure(), admin=AdminConfig(), messages=MessageBridge(),
                   options=AppOptions(dialogs=False, tray=False), tasks=TaskRunner())
feature = intake.tickets_feature()
at_rest = sorted(m for m in {WINDOW_MODULES!r} if m in sys.modules)
window = feature.get_window()
opened = sorted(m for m in {WINDOW_MODULES!r} if m in sys.modules)
title = window.windowTitle()
intake.shutdown()
print(json.dumps([at_rest, opened, type(window).__name__, title]))
"""


def test_the_tickets_window_module_loads_on_first_use_only(tmp_path: Path) -> None:
    env = {**os.environ, "INTAKE_BASEDIR": str(tmp_path / "app")}
    result = subprocess.run([sys.executable, "-c", CODE], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr
    at_rest, opened, kind, title = json.loads(result.stdout.strip().splitlines()[-1])
    assert at_rest == []
    assert opened == sorted(WINDOW_MODULES)
    assert kind == "TicketsWindow" and "My tickets" in title
