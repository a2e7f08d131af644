"""The start path to the icon (issue "Fast to open, light at rest"), in real processes and in-process.

What may wait until the icon shows, and what must not change because it waits:

* the single-instance server listens right after the icon shows; the "is one running?" check stays
  before it (Qt-free). Two launches at once still end with one running app, the other's command
  handed to it; a launch that loses the race after its icon showed hands over and quits (exit 0);
* log rotation is set up after the icon, but records from before it are in the log file;
* Quit gets its Ctrl+Q right after the icon shows (and before the tray menu can open).
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import build_app, stop

from intake_app.app import AppOptions, IntakeApp
from intake_app.config.admin import AdminConfig
from intake_app.messages import MessageBridge
from intake_app.paths import AppPaths
from intake_app.ui.instance_client import send_command, server_name
from intake_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
APP = [sys.executable, "-m", "intake_app", "--no-dialogs"]


@pytest.fixture
def running() -> Iterator[list[subprocess.Popen[Any]]]:
    procs: list[subprocess.Popen[Any]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _log(paths: AppPaths) -> str:
    return paths.log_file.read_text("utf-8", errors="replace") if paths.log_file.exists() else ""


def _wait_for_log(paths: AppPaths, text: str, timeout: float = 60, count: int = 1) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = _log(paths)
        if log.count(text) >= count:
            return log
        time.sleep(0.1)
    pytest.fail(f"the log did not show {text!r} {count} time(s) within {timeout} s:\n{_log(paths)[-3000:]}")


# --- two launches at once ------------------------------------------------------------------------
@pytest.mark.parametrize("round_", [1, 2])
def test_two_launches_at_once_end_with_one_running_app(env: dict[str, str], paths: AppPaths, admin_file: Path,
                                                       running: list[subprocess.Popen[Any]], round_: int) -> None:
    """Both start in the same instant, so both usually find no instance and show an icon; the one that
    listens second hands its command to the other and exits 0 (whichever of the two that is)."""
    commands = {"tray": [], "report": ["report"]}
    procs = {name: subprocess.Popen([*APP, "--config", str(admin_file), *extra], env=env, cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for name, extra in commands.items()}
    running.extend(procs.values())
    deadline = time.monotonic() + 90
    while all(proc.poll() is None for proc in procs.values()):
        assert time.monotonic() < deadline, f"neither launch handed over:\n{_log(paths)[-3000:]}"
        time.sleep(0.1)
    (loser_command, loser), = [(name, proc) for name, proc in procs.items() if proc.poll() is not None]
    (winner,) = [proc for proc in procs.values() if proc is not loser]
    assert loser.returncode == 0, loser.stderr.read() if loser.stderr else ""
    log = _wait_for_log(paths, f"command {loser_command!r} handed over by pid {loser.pid}")
    assert f"handed {loser_command!r} to the running instance" in log
    log = _wait_for_log(paths, "single-instance server listening")
    assert log.count("single-instance server listening") == 1
    assert list(paths.runtime.glob("*.sock")) == [Path(server_name(paths.runtime))]
    assert send_command(server_name(paths.runtime), "tray") is True  # it answers the next launch...
    assert winner.poll() is None  # ...so it is still running: one app, listening once
    winner.send_signal(signal.SIGTERM)
    assert winner.wait(60) == 0
    assert not any(paths.runtime.glob("*.sock"))


# --- in-process: the listen right after the icon ------------------------------------------------------
SERVER = """
import sys
from PySide6.QtCore import QCoreApplication, QTimer
from intake_app.ui.single_instance import SingleInstance
app = QCoreApplication([])
instance = SingleInstance(sys.argv[1])
assert instance.listen()
instance.command_received.connect(lambda command, args: (print("got", command, flush=True), app.quit()))
QTimer.singleShot(60_000, app.quit)
print("listening", flush=True)
app.exec()
instance.close()
"""


def _app_claiming(paths: AppPaths, admin: AdminConfig, name: str, command: str = "tray") -> IntakeApp:
    return IntakeApp(paths=paths, admin=admin, options=AppOptions(dialogs=False, command=command, tray=False),
                     messages=MessageBridge(), tasks=TaskRunner(), instance_name=name)


def test_a_launch_that_finds_the_name_taken_after_its_icon_hands_over_and_quits(
        qtbot: Any, paths: AppPaths, offline_admin: AdminConfig, env: dict[str, str],
        running: list[subprocess.Popen[Any]], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    name = server_name(paths.runtime)
    server = subprocess.Popen([sys.executable, "-c", SERVER, name], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    running.append(server)
    assert server.stdout is not None and server.stdout.readline().strip() == "listening"
    app = _app_claiming(paths, offline_admin, name, command="report")
    try:
        with qtbot.waitSignal(app.stopped, timeout=20_000):
            app.start()  # the window shows first; the 0-ms step then finds the other instance
        assert server.stdout.readline().strip() == "got report"
        assert app.instance is None and app.tickets is None  # nothing of the slow start ran
        assert "handed 'report' to the running instance" in caplog.text
    finally:
        stop(app)
    assert server.wait(30) == 0


def test_a_launch_that_is_first_listens_right_after_its_icon(qtbot: Any, paths: AppPaths,
                                                             offline_admin: AdminConfig, env: dict[str, str]) -> None:
    name = server_name(paths.runtime)
    app = _app_claiming(paths, offline_admin, name)
    try:
        app.start()
        assert app.instance is None and not Path(name).exists()  # the icon first ...
        qtbot.waitUntil(lambda: app.instance is not None, timeout=10_000)  # ... then the server
        assert Path(name).exists()
        code = ("import sys\nfrom intake_app.ui.instance_client import send_command\n"
                f"sys.exit(0 if send_command({name!r}, 'tickets-window', ['--x']) else 3)\n")
        assert app.instance is not None
        with qtbot.waitSignal(app.instance.command_received, timeout=20_000) as blocker:
            proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
            qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
        assert proc.returncode == 0 and blocker.args == ["tickets-window", ["--x"]]
    finally:
        stop(app)
    assert not Path(name).exists()


def test_quit_gets_its_shortcut_right_after_the_icon(qtbot: Any, paths: AppPaths,
                                                     offline_admin: AdminConfig) -> None:
    app = build_app(paths, offline_admin, tray=False)  # the no-tray window: Ctrl+Q from the first moment
    try:
        app.start()
        assert app.actions.quit.shortcuts()
    finally:
        stop(app)
    app = _app_claiming(paths, offline_admin, server_name(paths.runtime))
    try:
        assert app.actions.quit.shortcuts() == []
        app.start()
        qtbot.waitUntil(lambda: bool(app.actions.quit.shortcuts()), timeout=10_000)
    finally:
        stop(app)


@pytest.mark.tray
def test_the_tray_menu_has_ctrl_q_even_before_the_app_set_it(qtbot: Any, tray_host: Any, paths: AppPaths,
                                                             offline_admin: AdminConfig) -> None:
    app = build_app(paths, offline_admin)
    try:
        app.start()  # no event loop yet: the 0-ms step that sets it has not run
        assert app.tray is not None and app.actions.quit.shortcuts() == []
        app.tray.menu.aboutToShow.emit()  # what QMenu emits before it paints
        assert app.actions.quit.shortcuts()
    finally:
        stop(app)


# --- what waits for the icon, seen in a real start ---------------------------------------------------
PROBE = """
import json, sys
from intake_app.ui import tray

shown = tray.TrayIcon.show

def show(self):
    shown(self)
    import logging
    from pathlib import Path
    handlers = [type(h).__name__ for h in logging.getLogger().handlers if getattr(h, "_intake_handler", False)]
    log_file = Path(logging.getLogger().handlers[0].baseFilename)
    print(json.dumps({"loaded": sorted(m for m in ("logging.handlers", "PySide6.QtNetwork", "PySide6.QtSvg",
                                                   "intake_app.ui.single_instance", "platformdirs")
                                       if m in sys.modules),
                      "handlers": handlers, "log": log_file.read_text("utf-8")}), flush=True)

tray.TrayIcon.show = show
from intake_app.cli import main
sys.argv[0] = "intake-app"
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.tray
def test_a_deployed_start_defers_rotation_and_the_server_but_logs_from_the_first_line(
        tray_host: Any, env: dict[str, str], paths: AppPaths, tmp_path: Path, offline_admin: AdminConfig,
        running: list[subprocess.Popen[Any]]) -> None:
    admin_file = tmp_path / "intake.toml"
    admin_file.write_text(f'[service]\nurl = "{offline_admin.service_url}"\nenrolment_key = "test-enrolment-key"\n'
                          '[app]\nhotkey = ""\ncolour = "blue"\n', encoding="utf-8")  # an unknown key: a warning
    script = tmp_path / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), "--no-dialogs", "--config", str(admin_file)], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    running.append(proc)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else ""
    at_icon = json.loads(line)
    assert at_icon["loaded"] == []  # none of these before the icon
    assert at_icon["handlers"] == ["PrivateFileHandler"]
    assert "[app] colour: unknown key (ignored)" in at_icon["log"]  # logged before the icon, already in the file
    log = _wait_for_log(paths, "started with the tray icon")  # logged once it is the instance, as before
    assert log.index("unknown key (ignored)") < log.index("single-instance server listening") < log.index(
        "started with the tray icon")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    assert "intake-app stopped" in _log(paths)


# --- the icon without drawing classes -----------------------------------------------------------
@pytest.mark.parametrize("accent", ["#2f6fdf", "#2F6FDF", " #00aa7F ", "#ffffff", "teal", "#abc", "#12345g", "nope"])
def test_an_accent_is_read_as_qt_reads_it(accent: str) -> None:
    from PySide6.QtGui import QColor

    from intake_app.ui.icons import valid_accent

    color = QColor(accent.strip())
    assert valid_accent(accent) == (color.name().upper() if color.isValid() else None)


def test_the_default_icon_draws_nothing(qapp: Any) -> None:
    code = ("import sys\nfrom PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
            "from intake_app.ui.icons import app_icon\nicon = app_icon(accent='#2f6fdf')\n"
            "assert 24 in [s.width() for s in icon.availableSizes()]\n"
            "sys.exit(1 if 'PySide6.QtSvg' in sys.modules else 0)\n")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False, timeout=120).returncode == 0
