"""The app as real processes: no display, no tray, a second launch, the demo child, SIGTERM, a bad admin file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from intake_app.config.admin import AdminConfig
from intake_app.paths import AppPaths

ROOT = Path(__file__).resolve().parents[2]
APP = [sys.executable, "-m", "intake_app", "--no-dialogs"]


def _wait_for_log(paths: AppPaths, text: str, proc: subprocess.Popen[Any], timeout: float = 60,
                  count: int = 1) -> str:
    """Wait until the shared log holds ``text`` ``count`` times (the app's own lines, in order)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = paths.log_file.read_text("utf-8", errors="replace") if paths.log_file.exists() else ""
        if log.count(text) >= count:
            return log
        if proc.poll() is not None:
            pytest.fail(f"the app exited ({proc.returncode}) before logging {text!r}:\n{log[-3000:]}")
        time.sleep(0.1)
    pytest.fail(f"the app did not log {text!r} within {timeout} s")


@pytest.fixture
def running(env: dict[str, str]) -> Iterator[list[subprocess.Popen[Any]]]:
    procs: list[subprocess.Popen[Any]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


# --- without a display --------------------------------------------------------------------------
@pytest.mark.parametrize("command", [[], ["report"], ["tickets-window"]])
def test_no_display_is_one_sentence_and_exit_2(env: dict[str, str], command: list[str]) -> None:
    clean = {k: v for k, v in env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([*APP, *command], env=clean, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.strip().splitlines() == [
        "intake-app: cannot open a window because there is no graphical display (neither DISPLAY nor "
        "WAYLAND_DISPLAY is set); use the command line instead: intake-app submit --help"]


def test_a_display_that_does_not_answer_is_not_a_qt_abort(env: dict[str, str]) -> None:
    clean = {k: v for k, v in env.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([*APP, "report"], env={**clean, "DISPLAY": ":4321"}, capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert out.returncode == 2
    assert "the X display :4321 does not answer; use the command line instead" in out.stderr
    assert "Traceback" not in out.stderr and "Aborted" not in out.stderr


def test_display_problem_rules() -> None:
    from intake_app.cli.gui_cmd import display_problem

    assert display_problem({}, "win32") is None
    assert display_problem({}, "darwin") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert "neither DISPLAY nor WAYLAND_DISPLAY" in (display_problem({}, "linux") or "")
    assert "Wayland display wayland-9 does not answer" in (
        display_problem({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": "/nonexistent"}, "linux") or "")


def test_bad_admin_file_is_named_and_exits_2(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "intake.toml"
    bad.write_text('[service]\nurl = "ftp://helpdesk"\n', encoding="utf-8")
    out = subprocess.run([*APP, "--config", str(bad)], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 2
    assert str(bad) in out.stderr and "url" in out.stderr
    assert "Traceback" not in out.stderr


# --- on a display ---------------------------------------------------------------------------------
@pytest.mark.gui
def test_without_a_tray_host_the_window_takes_over(env: dict[str, str], bare_display: str,
                                                   offline_admin: AdminConfig, tmp_path: Path) -> None:
    """A bare X server (no tray host): Qt finds no tray, the app shows its window with the same actions."""
    script = tmp_path / "no_tray.py"
    script.write_text(
        "import json\n"
        "from PySide6.QtWidgets import QApplication, QSystemTrayIcon\n"
        "app = QApplication([])\n"
        "from pathlib import Path\n"
        "from intake_app.app import AppOptions, IntakeApp\n"
        "from intake_app.config.admin import AdminConfig\n"
        "from intake_app.messages import MessageBridge\n"
        "from intake_app.paths import user_paths\n"
        "from intake_app.ui.tasks import TaskRunner\n"
        f"admin = AdminConfig(service_url={offline_admin.service_url!r}, path=Path('intake.toml'))\n"
        "intake = IntakeApp(paths=user_paths().ensure(), admin=admin, options=AppOptions(dialogs=False),\n"
        "                   messages=MessageBridge(), tasks=TaskRunner())\n"
        "intake.start()\n"
        "app.processEvents()\n"
        "w = intake.window\n"
        "print(json.dumps({'tray_available': QSystemTrayIcon.isSystemTrayAvailable(), 'tray': intake.tray is not None,\n"
        "                  'window': w is not None and w.isVisible(), 'title': w.windowTitle() if w else '',\n"
        "                  'buttons': [b.defaultAction().objectName() for b in w.buttons.values()] if w else [],\n"
        "                  'menu': [a.objectName() for a in intake.actions.all_actions()]}))\n"
        "intake.shutdown()\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], env={**env, "DISPLAY": bare_display}, capture_output=True,
                         text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["tray_available"] is False and result["tray"] is False
    assert result["window"] is True and result["title"] == "Intake"
    assert result["buttons"] == result["menu"] and result["buttons"][0] == "action_report"


@pytest.mark.gui
def test_second_launch_hands_off_and_exits_0(env: dict[str, str], paths: AppPaths, admin_file: Path,
                                             running: list[subprocess.Popen[Any]]) -> None:
    first = subprocess.Popen([*APP, "--config", str(admin_file)], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running.append(first)
    _wait_for_log(paths, "started with", first)
    second = subprocess.run([*APP, "--config", str(admin_file), "report"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    log = _wait_for_log(paths, "report window shown with", first)
    assert "command 'report' handed over by pid" in log
    third = subprocess.run([*APP, "--config", str(admin_file)], env=env, cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
    assert third.returncode == 0, third.stderr  # a plain second `intake-app` also hands off
    _wait_for_log(paths, "command 'tray' handed over", first)
    first.send_signal(signal.SIGTERM)
    assert first.wait(60) == 0
    assert "intake-app stopped" in paths.log_file.read_text("utf-8")
    assert not any(paths.runtime.glob("*.sock"))  # the socket went with the instance


@pytest.mark.gui
def test_stale_socket_of_a_killed_instance_is_cleaned_up(env: dict[str, str], paths: AppPaths, admin_file: Path,
                                                         running: list[subprocess.Popen[Any]]) -> None:
    first = subprocess.Popen([*APP, "--config", str(admin_file)], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running.append(first)
    _wait_for_log(paths, "started with", first)
    first.kill()  # no clean-up at all: the socket file stays behind
    first.wait(30)
    assert any(paths.runtime.glob("*.sock"))
    second = subprocess.Popen([*APP, "--config", str(admin_file)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running.append(second)
    _wait_for_log(paths, "removing stale instance socket", second)
    log = _wait_for_log(paths, "started with", second, count=2)  # signal handlers are in place from here
    assert log.count("single-instance server listening") == 2
    second.send_signal(signal.SIGTERM)
    assert second.wait(60) == 0


@pytest.mark.gui
@pytest.mark.slow
def test_demo_mode_starts_the_service_and_sigterm_leaves_no_orphan(env: dict[str, str], paths: AppPaths,
                                                                   running: list[subprocess.Popen[Any]]) -> None:
    app = subprocess.Popen([*APP, "--demo"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running.append(app)
    _wait_for_log(paths, "connected to http://127.0.0.1", app, timeout=120)
    children = psutil.Process(app.pid).children(recursive=True)
    service = [c for c in children if "serve" in c.cmdline()]
    assert len(service) == 1 and service[0].is_running()
    app.send_signal(signal.SIGTERM)
    assert app.wait(60) == 0
    gone, alive = psutil.wait_procs(service, timeout=30)
    assert alive == [] and gone
    assert "demo service (pid" in paths.log_file.read_text("utf-8")


@pytest.mark.gui
@pytest.mark.slow
def test_screenshot_script_renders_every_window(tmp_path: Path) -> None:
    out = tmp_path / "shots"
    env = {k: v for k, v in os.environ.items() if k != "INTAKE_SCREENSHOTS_CHILD"}
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(out)], env=env,
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    names = {p.stem for p in out.glob("*.png")}
    assert {"tray-menu", "about-this-computer", "call-support", "settings", "report-form", "my-tickets",
            "crash-dialog", "no-tray-window"} <= names
    assert all(p.stat().st_size > 2000 for p in out.glob("*.png"))
