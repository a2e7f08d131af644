"""Start-up stays light: the GUI modules load no HTTP, client, diagnostics or service code up front,
and the running tray never loads FastAPI or SQLAlchemy (the demo service is a separate process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["requests", "urllib3", "intake_app.client", "intake_app.diagnostics", "mss", "psutil", "PIL",
         "fastapi", "sqlalchemy", "uvicorn", "starlette", "intake_app.service"]
NEVER = ["fastapi", "sqlalchemy", "uvicorn", "starlette", "alembic", "intake_app.service"]


def _loaded(code: str, env: dict[str, str] | None = None) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=ROOT,
                         env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_gui_loads_nothing_heavy() -> None:
    code = ("import json, sys\nimport intake_app.app, intake_app.ui.tray, intake_app.cli.gui_cmd\n"
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n")
    assert _loaded(code) == []


@pytest.mark.gui
@pytest.mark.slow
def test_the_running_demo_tray_never_loads_the_service_stack(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "app = QApplication([])\n"
        "from intake_app.app import AppOptions, IntakeApp\n"
        "from intake_app.config.admin import AdminConfig\n"
        "from intake_app.messages import MessageBridge\n"
        "from intake_app.paths import user_paths\n"
        "from intake_app.ui.tasks import TaskRunner\n"
        "intake = IntakeApp(paths=user_paths().ensure(), admin=AdminConfig(), messages=MessageBridge(),\n"
        "                   options=AppOptions(demo=True, dialogs=False, tray=False), tasks=TaskRunner())\n"
        "loop = QEventLoop(); intake.link.connected.connect(lambda _c: loop.quit())\n"
        "intake.link.connect_failed.connect(lambda why: (print(why, file=sys.stderr), loop.quit()))\n"
        "QTimer.singleShot(120_000, loop.quit)\n"
        "intake.start(); loop.exec()\n"
        "ok = intake.link.context is not None\n"
        "intake.shutdown()\n"
        f"print(json.dumps([ok] + sorted(m for m in {NEVER!r} if m in sys.modules)))\n"
    )
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "helpers.memkeyring.FileKeyring",
           "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    assert _loaded(code, env) == [True]
