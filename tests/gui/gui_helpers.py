"""Building the real app for a test, and small real widgets that stand in for other issues' windows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, QPoint, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QWidget

from intake_app.app import AppOptions, IntakeApp
from intake_app.config.admin import AdminConfig
from intake_app.messages import MessageBridge
from intake_app.paths import AppPaths
from intake_app.ui.single_instance import SingleInstance
from intake_app.ui.tasks import TaskRunner
from intake_app.ui.windows import WindowKeeper


class RecordingWindow(QWidget):
    """Stands in for a window another issue builds (the tickets window), recording what it got."""

    def __init__(self, shots: list[Any] | None = None) -> None:
        super().__init__()
        self.shots = list(shots or [])
        self.setWindowTitle("Recording window")
        self.resize(300, 200)


def build_app(paths: AppPaths, admin: AdminConfig, *, demo: bool = False, tray: bool | None = None,
              command: str = "tray", windows: WindowKeeper | None = None,
              instance: SingleInstance | None = None) -> IntakeApp:
    return IntakeApp(paths=paths, admin=admin, options=AppOptions(demo=demo, dialogs=False, command=command,
                                                                  tray=tray),
                     messages=MessageBridge(), tasks=TaskRunner(), instance=instance, windows=windows)


def stop(app: IntakeApp) -> None:
    """Shut the app down the way Quit does, and let Qt delete what it scheduled."""
    app.shutdown()
    app.tasks.deleteLater()
    app.deleteLater()
    QApplication.processEvents()


def tray_ready(app: IntakeApp) -> bool:
    """Docked by the tray host: a real size at a real position (not Qt's 0,0 placeholder)."""
    if app.tray is None:
        return False
    geometry = app.tray.tray.geometry()
    return geometry.width() > 0 and geometry.topLeft() != QPoint(0, 0)


def action_point(menu: Any, action: Any) -> QPoint:
    return menu.mapToGlobal(menu.actionGeometry(action).center())


class UrlCatcher(QObject):
    """Receives URLs QDesktopServices would open (``setUrlHandler``), so tests launch nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@contextmanager
def catch_urls(*schemes: str) -> Iterator[UrlCatcher]:
    catcher = UrlCatcher()
    for scheme in schemes:
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    try:
        yield catcher
    finally:
        for scheme in schemes:
            QDesktopServices.unsetUrlHandler(scheme)


def visible_top_level(kind: type | Callable[[QWidget], bool]) -> list[QWidget]:
    test = kind if not isinstance(kind, type) else (lambda w: isinstance(w, kind))
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and test(w)]
