"""The tray icon on a real tray host (trayer): docked and painted, real clicks, its menu."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QApplication

from gui_helpers import RecordingWindow, action_point, build_app, catch_urls, stop, tray_ready
from intake_app.app import IntakeApp
from intake_app.config.admin import AdminConfig
from intake_app.core.policy import Link, Policy
from intake_app.paths import AppPaths
from intake_app.ui.icons import DEFAULT_ACCENT, Badge
from intake_app.ui.windows import WindowKeeper

pytestmark = [pytest.mark.gui, pytest.mark.tray]


@pytest.fixture
def app(qtbot: Any, tray_host: Any, paths: AppPaths, offline_admin: AdminConfig) -> Iterator[IntakeApp]:
    windows = WindowKeeper(report_factory=lambda _app, shots: RecordingWindow(shots))
    intake = build_app(paths, offline_admin, windows=windows)
    intake.start()
    assert intake.tray is not None and intake.window is None
    qtbot.waitUntil(lambda: tray_ready(intake), timeout=10_000)
    yield intake
    QApplication.activePopupWidget() and QApplication.activePopupWidget().close()
    stop(intake)


def _accent_share(app: IntakeApp) -> float:
    g = app.tray.tray.geometry()  # type: ignore[union-attr]
    image = QGuiApplication.primaryScreen().grabWindow(0, g.x(), g.y(), g.width(), g.height()).toImage()
    accent = QColor(DEFAULT_ACCENT)
    hits = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if abs(c.red() - accent.red()) + abs(c.green() - accent.green()) + abs(c.blue() - accent.blue()) < 60:
                hits += 1
    return hits / max(1, image.width() * image.height())


def test_icon_is_docked_and_its_pixels_are_on_screen(qtbot: Any, app: IntakeApp) -> None:
    geometry = app.tray.tray.geometry()  # type: ignore[union-attr]
    assert geometry.width() >= 16 and geometry.height() >= 16
    qtbot.waitUntil(lambda: _accent_share(app) > 0.25, timeout=5000)  # our blue, painted by the X server


def test_left_click_requests_a_report_with_the_screens(qtbot: Any, app: IntakeApp,
                                                       xdotool: Callable[..., None]) -> None:
    center = app.tray.tray.geometry().center()  # type: ignore[union-attr]
    with qtbot.waitSignal(app.report_opened, timeout=10_000) as blocker:
        xdotool("mousemove", center.x(), center.y(), "click", "1")
    assert blocker.args[0] >= 1  # at least one screen grabbed before the window appeared
    window = app.windows.report
    assert isinstance(window, RecordingWindow) and window.isVisible()
    label, picture = window.shots[0]  # labelled on the capture worker, as the report window shows it
    assert label and picture.width == 1920  # the pytest-xvfb screen, in memory


def test_right_click_menu_about_this_computer(qtbot: Any, app: IntakeApp, xdotool: Callable[..., None]) -> None:
    tray = app.tray
    assert tray is not None
    center = tray.tray.geometry().center()
    with qtbot.waitSignal(tray.menu.aboutToShow, timeout=5000):
        xdotool("mousemove", center.x(), center.y(), "click", "3")
    qtbot.waitUntil(tray.menu.isVisible, timeout=5000)
    labels = [a.text().replace("&", "") for a in tray.menu.actions() if not a.isSeparator()]
    assert labels[:2] == ["Report a problem…", "My tickets"]
    assert labels[2].startswith("About this computer") and labels[3].startswith("Call support")
    assert labels[-2:] == ["Settings…", "Quit"]
    point = action_point(tray.menu, app.actions.about)
    with qtbot.waitSignal(app.actions.about.triggered, timeout=5000):
        xdotool("mousemove", point.x(), point.y(), "click", "1")
    qtbot.waitUntil(lambda: app.windows.about is not None and app.windows.about.isVisible(), timeout=10_000)
    about = app.windows.about
    assert about.fields["computer"].text() == app.facts.computer  # type: ignore[union-attr]


def test_tooltip_identifies_the_computer(qtbot: Any, app: IntakeApp) -> None:
    qtbot.waitUntil(lambda: app.facts is not None, timeout=10_000)
    tip = app.tray.tray.toolTip()  # type: ignore[union-attr]
    assert tip.splitlines()[0] == "Intake"
    assert f"Computer: {app.facts.computer}" in tip
    if app.facts.addresses:
        assert app.facts.addresses[0] in tip


def test_tickets_that_need_the_user_show_in_menu_and_icon(app: IntakeApp) -> None:
    app.tickets_feature().needs_user_changed.emit(1)
    assert app.actions.tickets.text().replace("&", "") == "My tickets (1 needs you)"
    assert Badge.ATTENTION in app.tray.badges  # type: ignore[union-attr]
    app.tickets_feature().needs_user_changed.emit(0)
    assert app.actions.tickets.text().replace("&", "") == "My tickets"
    assert Badge.ATTENTION not in app.tray.badges  # type: ignore[union-attr]


def test_policy_brings_phone_and_msp_links(qtbot: Any, app: IntakeApp) -> None:
    policy = Policy(company="Acme", support_phone="+1 555 0100",
                    tray_links=(Link("Service portal", "https://portal.example.com"),
                                Link("Remote help", "https://remote.example.com/join")))
    app.link.policy = policy
    app.link.policy_changed.emit(policy)
    labels = [a.text() for a in app.tray.menu.actions() if not a.isSeparator()]  # type: ignore[union-attr]
    assert "Service portal" in labels and "Remote help" in labels
    assert app.actions.support.text().replace("&", "") == "Call support: +1 555 0100"
    with catch_urls("https") as caught:
        app.actions.links[0].trigger()
    assert caught.urls == ["https://portal.example.com"]
    app.actions.support.trigger()
    support = app.windows.support
    assert support is not None and support.isVisible()
    assert support.number.text() == "+1 555 0100"


def test_balloon_click_runs_the_callback(qtbot: Any, app: IntakeApp) -> None:
    clicked: list[bool] = []
    app.notifier.notify("Ticket 1042 changed", "A technician replied.", lambda: clicked.append(True))

    def balloon() -> Any:
        return next((w for w in QApplication.topLevelWidgets()
                     if w.metaObject().className() == "QBalloonTip" and w.isVisible()), None)

    qtbot.waitUntil(lambda: balloon() is not None, timeout=5000)
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(balloon(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clicked == [True], timeout=5000)
    assert app.notifier.history[-1] == ("Ticket 1042 changed", "A technician replied.")


def test_quit_hides_the_icon_and_stops_everything(qtbot: Any, app: IntakeApp) -> None:
    with qtbot.waitSignal(app.stopped, timeout=20_000):
        app.actions.quit.trigger()
    assert not app.tray.tray.isVisible()  # type: ignore[union-attr]
    assert app.tasks.closed and not app.hotkey.status.active
