#!/usr/bin/env python3
"""Render the tray menu and each window to PNG files in docs/screenshots/ (``make screenshots``).

Runs on its own Xvfb (1600x900) with ``trayer`` as the system tray, so it works on a
headless machine and never touches your desktop. The app is the real one, built
from a throw-away base dir with a deployed-looking configuration whose service is
not reachable (no network needed) and a sample MSP policy (phone, links) applied.
The Report-a-problem window is the real ``ReportWindow``; if it offers
``screenshot_steps()`` (an iterator of ``(name, widget)`` pairs, each step set up
before it is yielded), every step is rendered, else the form as it opens.

Usage: ``.venv/bin/python scripts/screenshots.py [--out docs/screenshots]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD_FLAG = "INTAKE_SCREENSHOTS_CHILD"


def _start_display() -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x900x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        xvfb.kill()
        raise SystemExit("screenshots: Xvfb did not start (apt-get install xvfb)")
    return xvfb, f":{number}"


def parent(out: Path) -> int:
    """Start Xvfb and trayer, run the renderer in a child process on that display, clean up."""
    for tool in ("Xvfb", "trayer"):
        if shutil.which(tool) is None:
            print(f"screenshots: {tool} is not installed (apt-get install xvfb trayer)", file=sys.stderr)
            return 2
    xvfb, display = _start_display()
    env = {**os.environ, "DISPLAY": display, CHILD_FLAG: "1"}
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("QT_QPA_PLATFORM", None)
    trayer = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                               "--height", "24", "--transparent", "false", "--tint", "0x303030"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        with tempfile.TemporaryDirectory(prefix="intake-shots-") as base:
            env["INTAKE_BASEDIR"] = base
            return subprocess.run([sys.executable, __file__, "--out", str(out)], env=env, cwd=ROOT).returncode
    finally:
        trayer.terminate()
        xvfb.terminate()
        trayer.wait(10)
        xvfb.wait(10)


def child(out: Path) -> int:  # noqa: PLR0915 - a linear script of shots
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEventLoop, QPoint, QRect, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

    from intake_app.app import AppOptions, IntakeApp
    from intake_app.config.admin import AdminConfig
    from intake_app.config.profile import UserProfile, save_profile
    from intake_app.core.policy import Link, Policy
    from intake_app.messages import MessageBridge
    from intake_app.paths import user_paths
    from intake_app.ui.crash import CrashDialog
    from intake_app.ui.tasks import TaskRunner

    from intake_app.ui.qt_compat import protect_bool_singletons

    qapp = QApplication(sys.argv[:1])
    qapp.setApplicationName("intake-app")
    protect_bool_singletons()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def until(check, timeout_ms: int = 15_000) -> bool:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            if check():
                return True
            wait(50)
        return False

    def save_widget(name: str, widget: QWidget) -> None:
        widget.show()
        widget.raise_()
        wait(300)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        written.append(path)

    def save_region(name: str, rect: QRect) -> None:
        path = out / f"{name}.png"
        QGuiApplication.primaryScreen().grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height()).save(str(path))
        written.append(path)

    paths = user_paths().ensure()
    save_profile(paths, UserProfile(name="Dana Example", email="dana@example.com", phone="+1 555 0100"))
    admin = AdminConfig(service_url="http://127.0.0.1:9", enrolment_key="screenshots", path=paths.config / "x.toml")
    policy = Policy(company="Example Dental LLC", support_phone="(713) 782-4357",
                    tray_links=(Link("Service portal", "https://portal.example.com"),
                                Link("Start a remote session", "https://remote.example.com/join")))
    if not until(QSystemTrayIcon.isSystemTrayAvailable, 10_000):
        print("screenshots: trayer did not come up", file=sys.stderr)
        return 1
    app = IntakeApp(paths=paths, admin=admin, options=AppOptions(dialogs=False), messages=MessageBridge(),
                    tasks=TaskRunner())
    app.start()
    until(lambda: app.link.outbox is not None)  # the report window needs the outbox
    app.link.stop()  # no retries against the unreachable service while we take pictures
    app.link.policy = policy
    app.link.policy_changed.emit(policy)
    app.tickets_feature().needs_user_changed.emit(1)
    tray = app.tray
    assert tray is not None
    until(lambda: tray.tray.geometry().topLeft() != QPoint(0, 0) and tray.tray.geometry().width() > 0)
    until(lambda: app.facts is not None)
    icon = tray.tray.geometry()
    tray.menu.popup(QPoint(icon.right() - 260, icon.bottom() + 4))
    until(tray.menu.isVisible)
    wait(300)
    menu = tray.menu.geometry()
    save_region("tray-menu", icon.united(menu).adjusted(-8, -4, 8, 8))
    tray.menu.hide()

    app.notifier.notify("Ticket 1042 needs you", "Dana from the helpdesk asked a question. Click to answer.")
    wait(600)
    balloon = next((w for w in QApplication.topLevelWidgets()
                    if w.metaObject().className() == "QBalloonTip" and w.isVisible()), None)
    if balloon is not None:
        save_region("tray-notification", balloon.geometry().united(icon).adjusted(-8, -4, 8, 8))
        balloon.hide()

    app.show_about()
    until(lambda: app.windows.about is not None)
    save_widget("about-this-computer", app.windows.about)  # type: ignore[arg-type]
    app.show_support()
    save_widget("call-support", app.windows.support)  # type: ignore[arg-type]
    app.show_settings()
    save_widget("settings", app.windows.settings)  # type: ignore[arg-type]
    for window in (app.windows.about, app.windows.support, app.windows.settings):
        window.hide()  # type: ignore[union-attr]

    try:
        import intake_app.ui.report.window  # noqa: F401 - the colleague's window, when present
    except ImportError as exc:
        print(f"screenshots: no report window yet ({exc})", file=sys.stderr)
    else:
        app.request_report()
        until(lambda: app.windows.report is not None and app.windows.report.isVisible())
        report = app.windows.report
        assert report is not None
        report.resize(1000, 760)
        wait(1500)  # system information and thumbnails arrive from workers
        steps = getattr(report, "screenshot_steps", None)
        if callable(steps):
            for name, widget in steps():
                save_widget(f"report-{name}", widget)
        else:
            save_widget("report-form", report)

    app.show_tickets()
    if app.tickets is not None and app.tickets.window is not None:
        app.tickets.window.resize(900, 600)
        save_widget("my-tickets", app.tickets.window)
        app.tickets.window.hide()

    crash = CrashDialog("intake-app 0.1.0\nPython 3.11 on Linux\n\nTraceback (most recent call last):\n"
                        "  File \"sync.py\", line 12, in refresh\nValueError: example crash\n",
                        paths.log / "crash-20260101-120000.txt")
    save_widget("crash-dialog", crash)
    crash.hide()
    app.shutdown()

    fallback = IntakeApp(paths=paths, admin=admin, options=AppOptions(dialogs=False, tray=False),
                         messages=MessageBridge(), tasks=TaskRunner())
    fallback.start()
    fallback.link.stop()
    fallback.link.policy_changed.emit(policy)
    fallback.notifier.notify("Intake", "No system tray on this desktop: the app runs in this window.")
    assert fallback.window is not None
    save_widget("no-tray-window", fallback.window)
    fallback.shutdown()
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out = args.out.resolve()
    return child(out) if os.environ.get(CHILD_FLAG) else parent(out)


if __name__ == "__main__":
    sys.exit(main())
