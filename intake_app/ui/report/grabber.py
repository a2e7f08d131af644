"""The screen grabber the report window uses: diagnostics' mss capture, labelled for people.

Each call opens its own mss connection (mss objects belong to the thread that
made them), so every method may run on a worker thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from intake_app.diagnostics import capture as diag_capture

LabelledPicture = tuple[str, Any]


def _label(index: int) -> str:
    if index == diag_capture.ALL_MONITORS:
        return QCoreApplication.translate("grabber", "All screens")
    if index == diag_capture.REGION:
        return QCoreApplication.translate("grabber", "Screen region")
    return QCoreApplication.translate("grabber", "Screen %1").replace("%1", str(index))


def label_screenshots(shots: list[diag_capture.Screenshot]) -> list[LabelledPicture]:
    """Screenshots from ``capture_now`` (taken when "Report a problem" was chosen) → labelled pictures."""
    return [(_label(shot.monitor_index), shot.image()) for shot in shots]


class DiagnosticsGrabber:
    """:class:`~intake_app.ui.report.ports.ScreenGrabber` over ``intake_app.diagnostics.capture``."""

    def __init__(self, source: diag_capture.ScreenSource | None = None) -> None:
        self._source = source

    def monitors(self) -> list[tuple[int, str]]:
        result = []
        for monitor in diag_capture.list_monitors(self._source):
            size = f"{monitor.rect.width}×{monitor.rect.height}"
            text = _label(monitor.index) + f" ({size})"
            if monitor.is_primary:
                text += " – " + QCoreApplication.translate("grabber", "main screen")
            result.append((monitor.index, text))
        return result

    def grab_all(self) -> list[LabelledPicture]:
        return label_screenshots(diag_capture.capture("each", source=self._source))

    def grab_monitor(self, number: int) -> LabelledPicture:
        return label_screenshots([diag_capture.capture_monitor(number, self._source)])[0]

    def grab_desktop(self) -> LabelledPicture:
        shot = diag_capture.capture_all(self._source)
        return _label(diag_capture.REGION), shot.image()
