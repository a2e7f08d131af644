"""The composition root in-process: hotkey → report, hand-off, capture before the window, no-tray window."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from gui_helpers import RecordingWindow, build_app, stop, tray_ready
from intake_app.app import HOTKEY_STATUS_FILE, IntakeApp
from intake_app.config.admin import AdminConfig
from intake_app.paths import AppPaths
from intake_app.ui.fallback_window import FallbackWindow
from intake_app.ui.single_instance import SingleInstance, server_name
from intake_app.ui.windows import WindowKeeper

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def apps() -> Iterator[list[IntakeApp]]:
    made: list[IntakeApp] = []
    yield made
    for app in made:
        stop(app)


def _recording_keeper(**kwargs: Any) -> WindowKeeper:
    return WindowKeeper(report_factory=lambda _app, shots: RecordingWindow(shots), **kwargs)


@pytest.mark.tray
def test_hotkey_from_the_admin_file_opens_the_report(qtbot: Any, tray_host: Any, apps: list[IntakeApp],
                                                     paths: AppPaths, offline_admin: AdminConfig,
                                                     xdotool: Callable[..., None]) -> None:
    admin = AdminConfig(**{**offline_admin.__dict__, "hotkey": "Ctrl+F12"})
    app = build_app(paths, admin, windows=_recording_keeper())
    apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: app.hotkey.status.active, timeout=5000)
    status = json.loads((paths.runtime / HOTKEY_STATUS_FILE).read_text())
    assert status["hotkey"] == "Ctrl+F12" and status["active"] is True
    with qtbot.waitSignal(app.report_opened, timeout=10_000):
        xdotool("key", "ctrl+F12")
    assert app.windows.report is not None and app.windows.report.isVisible()


def test_the_window_waits_for_the_screen_grab(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                              offline_admin: AdminConfig) -> None:
    """The grab runs first; only then may our window appear (it must never be in the shot)."""
    grabbing, release = threading.Event(), threading.Event()

    def capture() -> list[str]:
        grabbing.set()
        release.wait(10)
        return ["screen-1", "screen-2"]

    app = build_app(paths, offline_admin, tray=False, windows=_recording_keeper(capture=capture))
    apps.append(app)
    app.start()
    app.request_report()
    assert grabbing.wait(5)
    qtbot.wait(100)  # the GUI thread keeps running while the worker grabs...
    assert app.windows.report is None  # ...and no report window exists yet
    app.request_report()  # a second request while grabbing is ignored, not queued
    with qtbot.waitSignal(app.report_opened, timeout=5000) as blocker:
        release.set()
    assert blocker.args == [2]
    assert app.windows.report.shots == ["screen-1", "screen-2"]  # type: ignore[union-attr]
    app.request_report()  # while it is open: raised again, not grabbed again
    qtbot.wait(50)
    assert app.windows.report.isVisible()  # type: ignore[union-attr]


def test_a_failed_grab_still_opens_the_window_and_says_why(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                                           offline_admin: AdminConfig) -> None:
    def capture() -> list[Any]:
        raise OSError("no screen")

    app = build_app(paths, offline_admin, tray=False, windows=_recording_keeper(capture=capture))
    apps.append(app)
    app.start()
    with qtbot.waitSignal(app.report_opened, timeout=5000) as blocker:
        app.request_report()
    assert blocker.args == [0]
    assert "could not be captured (no screen)" in app.window.message.text()  # type: ignore[union-attr]


def test_real_report_window_gets_the_screens(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                             offline_admin: AdminConfig) -> None:
    from intake_app.config.probes import ProbeSettings
    from intake_app.ui.report.window import ReportWindow

    # the reachability probe leaves a socket open (ResourceWarning; reported to diagnostics): off here
    probes = ProbeSettings(enabled={**ProbeSettings().enabled, "reachability": False})
    app = build_app(paths, AdminConfig(**{**offline_admin.__dict__, "probes": probes}), tray=False)
    apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: app.link.outbox is not None, timeout=10_000)
    with qtbot.waitSignal(app.report_opened, timeout=20_000) as blocker:
        app.request_report()
    assert blocker.args[0] >= 1
    window = app.windows.report
    assert isinstance(window, ReportWindow) and window.isVisible()
    strip = window.attachments.strip
    qtbot.waitUntil(lambda: len(strip.items) >= 1, timeout=10_000)
    assert strip.items[0].label == "Screen 1" and strip.items[0].origin == "asked"  # offered to keep or drop


def test_second_launch_hands_report_to_this_instance(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                                     offline_admin: AdminConfig) -> None:
    instance = SingleInstance(server_name(paths.runtime))
    assert instance.listen()
    app = build_app(paths, offline_admin, tray=False, windows=_recording_keeper(capture=lambda: []),
                    instance=instance)
    apps.append(app)
    app.start()
    code = ("import sys\nfrom intake_app.ui.single_instance import SingleInstance\n"
            f"sys.exit(0 if SingleInstance({instance.name!r}).send('report') else 3)\n")
    with qtbot.waitSignal(app.report_opened, timeout=20_000):
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
    assert proc.returncode == 0


def test_no_tray_window_has_the_same_actions(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                             offline_admin: AdminConfig) -> None:
    app = build_app(paths, offline_admin, tray=False, windows=_recording_keeper(capture=lambda: []))
    apps.append(app)
    app.start()
    window = app.window
    assert isinstance(window, FallbackWindow) and window.isVisible() and app.tray is None
    qtbot.waitExposed(window)
    names = [b.defaultAction().objectName() for b in window.buttons.values()]
    assert names == [a.objectName() for a in app.actions.all_actions()]
    texts = [b.text().replace("&", "") for b in window.buttons.values()]
    assert texts[0] == "Report a problem" and texts[-1] == "Quit"  # a button shows the action's iconText
    assert window.buttons["action_report"].accessibleName() == "Report a problem…"
    window.buttons["action_about"].click()
    qtbot.waitUntil(lambda: app.windows.about is not None and app.windows.about.isVisible(), timeout=10_000)
    app.tickets_feature().needs_user_changed.emit(2)
    assert window.buttons["action_tickets"].text().replace("&", "") == "My tickets (2 need you)"
    app.messages.warning("Ctrl+F12 is taken.")
    qtbot.waitUntil(lambda: "Ctrl+F12 is taken." in window.message.text(), timeout=5000)
    with qtbot.waitSignal(app.stopped, timeout=20_000):
        window.close()  # no tray: closing the window quits


def test_demo_mode_is_visible_in_titles(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                        offline_admin: AdminConfig) -> None:
    app = build_app(paths, offline_admin, tray=False, windows=_recording_keeper(capture=lambda: []))
    app.demo = True  # the title logic only; the demo service itself is tested in test_processes
    apps.append(app)
    assert app.title() == "Intake — Demo: tickets stay on this computer"
    assert app.title("About this computer").endswith("Demo: tickets stay on this computer")


@pytest.mark.tray
def test_second_plain_launch_says_already_running(qtbot: Any, tray_host: Any, apps: list[IntakeApp],
                                                  paths: AppPaths, offline_admin: AdminConfig) -> None:
    app = build_app(paths, offline_admin, windows=_recording_keeper(capture=lambda: []))
    apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: tray_ready(app), timeout=10_000)
    with qtbot.waitSignal(app.notifier.shown, timeout=5000) as blocker:
        app.handle_command("tray", [])
    assert "already running" in blocker.args[1]
    QApplication.processEvents()


@pytest.mark.slow
def test_demo_mode_tray_starts_the_service_and_quit_stops_it(qtbot: Any, apps: list[IntakeApp],
                                                            paths: AppPaths) -> None:
    import psutil

    app = build_app(paths, AdminConfig(), demo=True, tray=False, windows=_recording_keeper(capture=lambda: []))
    apps.append(app)
    app.start()
    assert app.window is not None and app.window.windowTitle() == "Intake — Demo: tickets stay on this computer"
    with qtbot.waitSignal(app.link.connected, timeout=120_000):
        pass
    service = psutil.Process(app.link.demo_service.pid)
    assert service.is_running() and "serve" in service.cmdline()
    qtbot.waitUntil(lambda: app.link.policy.company != "", timeout=30_000)  # /meta answered by the demo
    with qtbot.waitSignal(app.stopped, timeout=60_000):
        app.actions.quit.trigger()
    gone, alive = psutil.wait_procs([service], timeout=30)
    assert alive == [] and gone


def test_last_policy_is_used_while_offline_and_a_damaged_one_ignored(qtbot: Any, apps: list[IntakeApp],
                                                                     paths: AppPaths,
                                                                     offline_admin: AdminConfig) -> None:
    from intake_app.core.policy import Link, Policy
    from intake_app.ui.service_link import POLICY_CACHE

    app = build_app(paths, offline_admin, tray=False, windows=_recording_keeper(capture=lambda: []))
    apps.append(app)
    assert not app.actions.support.isEnabled()  # deployed and never online: no number known yet
    cached = Policy(company="Acme", support_phone="+1 555 0100", tray_links=(Link("Portal", "https://p.example"),))
    (paths.cache / POLICY_CACHE).write_text(json.dumps(cached.to_dict()), encoding="utf-8")
    app.start()
    qtbot.waitUntil(lambda: app.actions.support_phone == "+1 555 0100", timeout=5000)
    assert [a.text() for a in app.actions.links] == ["Portal"]
    assert app.actions.support.isEnabled()

    (paths.cache / POLICY_CACHE).write_text("{not json", encoding="utf-8")
    app.link.load_cached_policy()  # ignored with a log line; nothing changes
    assert app.actions.support_phone == "+1 555 0100"


def test_crash_without_dialogs_becomes_a_notification(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                                      offline_admin: AdminConfig) -> None:
    from intake_app.messages import MessageBridge
    from intake_app.app import AppOptions
    from intake_app.ui.crash import CrashHandler
    from intake_app.ui.tasks import TaskRunner

    crash = CrashHandler(paths.log, dialogs=False)
    app = IntakeApp(paths=paths, admin=offline_admin, options=AppOptions(dialogs=False, tray=False),
                    messages=MessageBridge(), tasks=TaskRunner(), crash=crash,
                    windows=_recording_keeper(capture=lambda: []))
    apps.append(app)
    app.start()
    try:
        raise RuntimeError("slot blew up")
    except RuntimeError:
        info = sys.exc_info()
    with qtbot.waitSignal(app.notifier.shown, timeout=5000) as blocker:
        crash.handle(*info)  # type: ignore[arg-type]
    assert blocker.args[0] == "Something went wrong" and str(paths.log) in blocker.args[1]


def test_my_tickets_opens_the_tickets_window(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                             offline_admin: AdminConfig) -> None:
    from intake_app.ui.tickets.window import TicketsWindow

    app = build_app(paths, offline_admin, tray=False, command="tickets-window",
                    windows=_recording_keeper(capture=lambda: []))
    apps.append(app)
    app.start()  # `intake-app tickets-window`: the window opens once the app is up
    qtbot.waitUntil(lambda: app.tickets is not None and app.tickets.window is not None
                    and app.tickets.window.isVisible(), timeout=10_000)
    window = app.tickets.window
    assert isinstance(window, TicketsWindow) and "My tickets" in window.windowTitle()
    window.hide()
    app.actions.tickets.trigger()  # the same window again, from the menu
    assert app.tickets.window is window and window.isVisible()
