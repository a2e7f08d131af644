"""Fixtures for the report window tests: real task runner, real outbox, real draft store.

Every window is closed and the runner shut down after the test, which then fails
if a worker, a pool thread or one of the window's timers is still alive
(STYLE habit 4).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QThreadPool, QTimer

from intake_app.client.outbox import Outbox
from intake_app.config.profile import UserProfile
from intake_app.core.policy import Policy
from intake_app.core.ticket import ContactMethod
from intake_app.diagnostics.settings import ProbeSettings
from intake_app.paths import AppPaths, user_paths
from intake_app.ui.report.draft_store import DraftStore
from intake_app.ui.report.grabber import DiagnosticsGrabber
from intake_app.ui.report.ports import ReportServices
from intake_app.ui.report.window import ReportWindow
from intake_app.ui.tasks import TaskRunner

# The reachability probe talks to the real network (gateway, DNS): not the report window's business,
# and flaky here. Every other probe runs for real.
PROBES = ProbeSettings(enabled={"reachability": False, "public_ip": False})
PROFILE = UserProfile(name="Dana Example", email="dana@example.com", phone="+1 713 555 0100",
                      contact_method=ContactMethod.EMAIL)


@pytest.fixture
def paths(isolated_basedir: Path) -> AppPaths:
    return user_paths(isolated_basedir).ensure()


@pytest.fixture
def runner(qapp: Any) -> Iterator[TaskRunner]:
    baseline = {t for t in threading.enumerate() if not t.daemon}
    task_runner = TaskRunner()
    yield task_runner
    assert task_runner.shutdown(20_000), "background work still running at the end of the test"
    assert task_runner.pending() == 0
    assert QThreadPool.globalInstance().waitForDone(5000)
    leaked = {t for t in threading.enumerate() if not t.daemon and t.is_alive()} - baseline
    assert not leaked, f"threads left running: {leaked}"


@pytest.fixture
def outbox(paths: AppPaths) -> Iterator[Outbox]:
    box = Outbox.open(paths)
    yield box
    box.close()


WindowFactory = Callable[..., ReportWindow]


@pytest.fixture
def make_window(qtbot: Any, runner: TaskRunner, outbox: Outbox, paths: AppPaths) -> Iterator[WindowFactory]:
    windows: list[ReportWindow] = []

    def make(shots: Any = (), *, api: Any = None, policy: Policy | None = None, profile: Any = PROFILE,
             wait: bool = True, qtbot_owns: bool = True, **extra: Any) -> ReportWindow:
        services = ReportServices(runner=runner, outbox=outbox, drafts=DraftStore(paths.drafts),
                                  grabber=extra.pop("grabber", DiagnosticsGrabber()), api=api,
                                  policy=policy or Policy(), profile=profile,
                                  probe_settings=extra.pop("probe_settings", PROBES), **extra)
        window = ReportWindow(services, shots)
        if qtbot_owns:  # False for a test that deletes the window itself
            qtbot.addWidget(window)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        if wait:
            qtbot.waitUntil(lambda: not window.system_info.collecting and not window.restoring, timeout=15_000)
        return window

    yield make
    windows = [w for w in windows if shiboken6.isValid(w)]  # a test may delete one, as the app does
    for window in windows:
        window.close()
    for window in windows:
        active = [t for t in window.findChildren(QTimer) if t.isActive()]
        assert not active, f"timers still running after close: {[t.objectName() or t for t in active]}"
