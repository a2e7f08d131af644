"""Capture with the window out of the way: hide, let the screen settle, grab, restore.

The app's own window is never in a screenshot (SPEC §2). Hiding is
asynchronous on every platform (the compositor repaints what was under it),
so the grab waits ``settle_ms`` on a timer owned here, which is stopped when
the window closes. The grab itself runs on a worker (SPEC §8: capture never
freezes the UI). A region is chosen on a frozen full-desktop grab.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRect, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from intake_app.ui.report import images
from intake_app.ui.report.ports import ScreenGrabber
from intake_app.ui.report.region_selector import RegionSelector
from intake_app.ui.report.submit_flow import Runner, if_alive

log = logging.getLogger(__name__)

SETTLE_MS = 150


class CaptureController(QObject):
    """``captured(list[(label, picture)], what)`` or ``failed(message)``; ``finished`` after either."""

    captured = Signal(list, str)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, window: QWidget, runner: Runner, grabber: ScreenGrabber, settle_ms: int = SETTLE_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self._window = window
        self._runner = runner
        self._grabber = grabber
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(settle_ms)
        self._timer.timeout.connect(self._grab)
        self._job: tuple[Callable[[], Any], str] | None = None
        self._hidden: list[QWidget] = []
        self.selector: RegionSelector | None = None
        self.busy = False

    def capture_all(self) -> None:
        self._start(lambda: self._grabber.grab_all(), "all")

    def capture_screen(self, number: int) -> None:
        self._start(lambda: [self._grabber.grab_monitor(number)], "screen")

    def capture_region(self) -> None:
        self._start(lambda: [self._grabber.grab_desktop()], "region")

    def stop(self) -> None:
        """The window is closing: no grab after this, and the window stays as it is."""
        self._timer.stop()
        self._job = None
        if self.selector is not None:
            self.selector.close()
            self.selector = None

    # -- steps ------------------------------------------------------------------------------

    def _start(self, job: Callable[[], Any], what: str) -> None:
        if self.busy:
            return
        self.busy = True
        self._job = (job, what)
        self._hidden = [w for w in QApplication.topLevelWidgets()
                        if w.isVisible() and (w is self._window or w.window() is self._window
                                              or w.parentWidget() is self._window)]
        for widget in self._hidden:
            widget.hide()
        self._timer.start()

    def _grab(self) -> None:
        if self._job is None:
            return
        job, what = self._job
        self._runner.run_task(job, if_alive(self, lambda result, error: self._grabbed(result, error, what)),
                              name="report.capture")

    def _grabbed(self, result: Any, error: BaseException | None, what: str) -> None:
        self._job = None
        if error is not None:
            self._restore()
            self._fail(str(error) or type(error).__name__)
            return
        shots = list(result or [])
        if what == "region" and shots:
            self._choose_region(shots[0])
            return
        self._restore()
        self.busy = False
        self.captured.emit(shots, what)
        self.finished.emit()

    def _choose_region(self, shot: tuple[str, Any]) -> None:
        label, picture = shot
        geometry = QGuiApplication.primaryScreen().virtualGeometry()
        selector = RegionSelector(images.to_qimage(picture), geometry)
        self.selector = selector

        def chosen(rect: QRect) -> None:
            self.selector = None
            self._restore()
            self.busy = False
            cropped = images.crop(picture, (rect.x(), rect.y(), rect.width(), rect.height()))
            self.captured.emit([(label, cropped)], "region")
            self.finished.emit()

        def cancelled() -> None:
            self.selector = None
            self._restore()
            self.busy = False
            self.finished.emit()

        selector.chosen.connect(chosen)
        selector.cancelled.connect(cancelled)
        selector.show()
        selector.activateWindow()
        selector.raise_()
        selector.setFocus()

    def _fail(self, message: str) -> None:
        self.busy = False
        self.failed.emit(message)
        self.finished.emit()

    def _restore(self) -> None:
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        self._window.raise_()
        self._window.activateWindow()
