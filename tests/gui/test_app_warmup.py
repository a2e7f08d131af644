"""The app's start-up deferrals: the report's device name from "identify my PC", and the warm-up.

* ``IntakeApp._computer_name()``: the computer name gathered on a worker at start (``app.facts``), the host
  name until then; the report window starts with it and runs no probe on the GUI thread.
* ``_warm_up()`` (``WARM_UP_MS`` after the background start): the screen grab's modules on a worker, the
  report window's modules on the GUI thread; skipped once quitting or while a report is open.

The app is the real one (real task runner, real report window, real Xvfb screen). ``RecordingRunner`` is
the real :class:`TaskRunner` that also notes the name of each task it is given.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from gui_helpers import RecordingWindow, stop

import intake_app.diagnostics
from intake_app.app import WARM_UP_MS, AppOptions, IntakeApp, _warm_capture
from intake_app.config.admin import AdminConfig
from intake_app.config.probes import ProbeSettings
from intake_app.messages import MessageBridge
from intake_app.paths import AppPaths
from intake_app.ui.about import ComputerFacts
from intake_app.ui.tasks import TaskRunner
from intake_app.ui.windows import WindowKeeper

pytestmark = pytest.mark.gui

T = TypeVar("T")
WARM_TASK = "warm-up.capture"
DIAGNOSTICS_DIR = str(Path(intake_app.diagnostics.__file__).parent)


class RecordingRunner(TaskRunner):
    """The real runner; ``names`` lists every task handed to it, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def run_task(self, fn: Callable[[], T], on_done: Any = None, *, serial: bool = False, name: str = "") -> bool:
        self.names.append(name)
        return super().run_task(fn, on_done, serial=serial, name=name)


@pytest.fixture
def apps() -> Iterator[list[IntakeApp]]:
    made: list[IntakeApp] = []
    yield made
    for app in made:
        stop(app)


@pytest.fixture
def make_app(apps: list[IntakeApp], paths: AppPaths,
             offline_admin: AdminConfig) -> Callable[..., IntakeApp]:
    # the reachability probe leaves a socket open (ResourceWarning; reported to diagnostics): off here
    probes = ProbeSettings(enabled={**ProbeSettings().enabled, "reachability": False})
    admin = AdminConfig(**{**offline_admin.__dict__, "probes": probes})

    def make(windows: WindowKeeper | None = None) -> IntakeApp:
        app = IntakeApp(paths=paths, admin=admin, options=AppOptions(dialogs=False, tray=False),
                        messages=MessageBridge(), tasks=RecordingRunner(), windows=windows)
        apps.append(app)
        return app

    return make


def names(app: IntakeApp) -> list[str]:
    assert isinstance(app.tasks, RecordingRunner)
    return app.tasks.names


@contextmanager
def diagnostics_calls_on_this_thread() -> Iterator[list[str]]:
    """Every call into ``intake_app/diagnostics`` made on the calling (GUI) thread meanwhile."""
    seen: list[str] = []

    def profile(frame: Any, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.startswith(DIAGNOSTICS_DIR):
            seen.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_code.co_name}")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield seen
    finally:
        sys.setprofile(previous)


# --- the device name ------------------------------------------------------------------------------
def test_computer_name_is_the_host_name_until_identify_answers(qtbot: Any, make_app: Callable[..., IntakeApp]) -> None:
    app = make_app(WindowKeeper(capture=list))
    assert app.facts is None
    assert app._computer_name() == socket.gethostname()
    app.start()
    qtbot.waitUntil(lambda: app.facts is not None, timeout=20_000)  # "identify my PC", on a worker
    assert "identify" in names(app)
    assert app._computer_name() == app.facts.computer and app._computer_name()


def test_the_report_starts_with_the_identified_name_and_probes_nothing_on_the_gui_thread(
        qtbot: Any, make_app: Callable[..., IntakeApp]) -> None:
    from intake_app.ui.report.window import ReportWindow

    app = make_app(WindowKeeper(capture=list))
    app.start()
    qtbot.waitUntil(lambda: app.facts is not None and app.link.outbox is not None, timeout=20_000)
    app.facts = ComputerFacts(computer="PC-FROM-IDENTIFY", user="dana", addresses=("192.0.2.7",))
    assert app.report_services().computer_name() == "PC-FROM-IDENTIFY"
    with diagnostics_calls_on_this_thread() as calls, qtbot.waitSignal(app.report_opened, timeout=20_000):
        app.request_report()
    window = app.windows.report
    assert isinstance(window, ReportWindow)
    assert window.form.problem.device_name.text() == "PC-FROM-IDENTIFY"
    assert calls == []
    qtbot.waitUntil(lambda: not window.system_info.collecting, timeout=20_000)  # its snapshot, on a worker


# --- the warm-up --------------------------------------------------------------------------------------
def test_warm_up_runs_after_the_start_and_the_first_report_then_opens_without_diagnostics_calls(
        qtbot: Any, make_app: Callable[..., IntakeApp], caplog: pytest.LogCaptureFixture) -> None:
    from intake_app.ui.report.window import ReportWindow

    app = make_app(WindowKeeper())  # the real screen grab and the real report window
    app.start()
    qtbot.waitUntil(app._warm.isActive, timeout=10_000)  # armed by the background start
    assert app._warm.isSingleShot() and app._warm.interval() == WARM_UP_MS
    assert WARM_TASK not in names(app)
    qtbot.waitUntil(lambda: WARM_TASK in names(app), timeout=WARM_UP_MS + 10_000)
    assert names(app).count(WARM_TASK) == 1 and not app._warm.isActive()
    assert "intake_app.ui.report.window" in sys.modules
    qtbot.waitUntil(lambda: app.tasks.pending() == 0 and app.facts is not None
                    and app.link.outbox is not None, timeout=20_000)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and WARM_TASK in r.getMessage()]

    with diagnostics_calls_on_this_thread() as calls, qtbot.waitSignal(app.report_opened, timeout=20_000) as opened:
        app.request_report()
    assert opened.args[0] >= 1  # the pytest-xvfb screen, grabbed on a worker
    window = app.windows.report
    assert isinstance(window, ReportWindow) and window.isVisible()
    assert window.form.problem.device_name.text() == app.facts.computer
    assert calls == []
    qtbot.waitUntil(lambda: not window.system_info.collecting, timeout=20_000)


def test_warm_up_is_skipped_while_a_report_is_open(qtbot: Any, make_app: Callable[..., IntakeApp]) -> None:
    app = make_app(WindowKeeper(capture=list, report_factory=lambda _app, shots: RecordingWindow(shots)))
    app.start()
    with qtbot.waitSignal(app.report_opened, timeout=10_000):
        app.request_report()  # before the warm-up timer fires
    qtbot.waitUntil(lambda: app._warm.isActive() or WARM_TASK in names(app), timeout=10_000)
    qtbot.waitUntil(lambda: not app._warm.isActive(), timeout=WARM_UP_MS + 10_000)  # it fired: nothing to warm
    app._warm_up()
    assert WARM_TASK not in names(app)


def test_warm_up_is_skipped_once_quitting(qtbot: Any, make_app: Callable[..., IntakeApp]) -> None:
    app = make_app(WindowKeeper(capture=list))
    app.start()
    qtbot.waitUntil(app._warm.isActive, timeout=10_000)
    with qtbot.waitSignal(app.stopped, timeout=20_000):
        app.quit()
    assert not app._warm.isActive()  # stopped with the other timers
    app._warm_up()  # e.g. a timeout already queued when Quit was chosen
    assert WARM_TASK not in names(app)


def test_warm_capture_loads_the_grab_on_this_display(qapp: Any) -> None:
    """The worker half of the warm-up, called directly: one real mss connection to the test X server."""
    from intake_app.diagnostics.capture import list_monitors

    assert _warm_capture() is None
    assert len(list_monitors()) >= 1


def test_warm_capture_without_a_display_logs_one_line_and_does_not_fail(tmp_path: Path) -> None:
    """A Wayland-only session or a headless run: the warm-up says why in the log, no error, no traceback."""

    code = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stderr)\n"
            "from intake_app.app import _warm_capture\n_warm_capture()\nprint('warmed')")
    env = {**os.environ, "DISPLAY": ":987", "XAUTHORITY": str(tmp_path / "none")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "warmed"
    assert "screen grabber not warmed up" in done.stderr and "Traceback" not in done.stderr
