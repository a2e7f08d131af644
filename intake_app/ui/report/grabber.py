"""The screen grabber the report window uses: diagnostics' mss capture, labelled for people.

Captures go through diagnostics' shared :class:`~intake_app.diagnostics.screen_grabber.ScreenGrabber`
(one connection kept open on its own thread: mss objects belong to the thread that made them), so
every method may run on any worker thread. A given ``source`` (tests: their own display) is used
as before, one connection per call.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from intake_app.diagnostics import capture as diag_capture
from intake_app.diagnostics.geometry import Monitor
from intake_app.diagnostics.screen_grabber import shared_grabber
from intake_app.ui.report import images

LabelledPicture = tuple[str, Any]


def _label(index: int) -> str:
    if index == diag_capture.ALL_MONITORS:
        return QCoreApplication.translate("grabber", "All screens")
    if index == diag_capture.REGION:
        return QCoreApplication.translate("grabber", "Screen region")
    return QCoreApplication.translate("grabber", "Screen %1").replace("%1", str(index))


def label_screenshots(shots: list[diag_capture.Screenshot]) -> list[LabelledPicture]:
    """Screenshots from ``capture_now`` (taken when "Report a problem" was chosen) → labelled pictures.

    Call it on a worker: the pixels become Pillow RGB images here (~2 ms per 1080p screen once
    Pillow is imported; the app's warm-up imports it), and each gets the thumbnail the report's
    strip shows (:func:`images.make_thumbnail`, ~5-15 ms per screen), so the GUI thread gets
    ready pictures and only wraps the thumbnails in icons.
    """
    labelled: list[LabelledPicture] = []
    for shot in shots:
        picture = shot.image()
        labelled.append(images.Labelled(_label(shot.monitor_index), picture, images.make_thumbnail(picture)))
    return labelled


def capture_labelled() -> list[LabelledPicture]:
    """Every screen, grabbed now over the shared connection and labelled (what "Report a problem" shows)."""
    return label_screenshots(shared_grabber().capture_now())


class DiagnosticsGrabber:
    """:class:`~intake_app.ui.report.ports.ScreenGrabber` over ``intake_app.diagnostics``."""

    def __init__(self, source: diag_capture.ScreenSource | None = None) -> None:
        self._source = source

    def _capture(self, target: diag_capture.Target) -> list[diag_capture.Screenshot]:
        if self._source is not None:
            return diag_capture.capture(target, source=self._source)
        return shared_grabber().capture(target)

    def _monitors(self) -> list[Monitor]:
        if self._source is not None:
            return diag_capture.list_monitors(self._source)
        return shared_grabber().monitors()

    def monitors(self) -> list[tuple[int, str]]:
        result = []
        for monitor in self._monitors():
            size = f"{monitor.rect.width}×{monitor.rect.height}"
            text = _label(monitor.index) + f" ({size})"
            if monitor.is_primary:
                text += " – " + QCoreApplication.translate("grabber", "main screen")
            result.append((monitor.index, text))
        return result

    def grab_all(self) -> list[LabelledPicture]:
        return label_screenshots(self._capture("each"))

    def grab_monitor(self, number: int) -> LabelledPicture:
        return label_screenshots(self._capture(number))[0]

    def grab_desktop(self) -> LabelledPicture:
        shot = self._capture("all")[0]
        return _label(diag_capture.REGION), shot.image()
