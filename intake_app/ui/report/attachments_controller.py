"""Getting screenshots and files into the report: capture, paste, attach, black out.

Everything slow (screen grabs, reading files, decoding images) runs on a
worker; the strip only ever receives finished items. Each problem is one
sentence in the strip (an empty clipboard, a folder instead of a file, a file
that is too large), and nothing already attached is lost because of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from intake_app.core.filetypes import is_image
from intake_app.core.ticket import Attachment
from intake_app.diagnostics.errors import DiagnosticsError
from intake_app.diagnostics.images_in import load_attachment_file, load_image_bytes
from intake_app.ui.report import images
from intake_app.ui.report.capture_flow import CaptureController
from intake_app.ui.report.capture_widgets import CaptureStrip
from intake_app.ui.report.ports import LabelledPicture, ScreenGrabber
from intake_app.ui.report.redaction_editor import RedactionEditor
from intake_app.ui.report.shots import FileItem, ShotItem
from intake_app.ui.report.submit_flow import Runner, if_alive


class AttachmentsController(QObject):
    """Wires the strip's requests to capture, clipboard, files and the redaction editor."""

    busy_changed = Signal(bool)

    def __init__(self, strip: CaptureStrip, window: QWidget, runner: Runner, grabber: ScreenGrabber,
                 parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self.strip = strip
        self._window = window
        self._runner = runner
        self._grabber = grabber
        self.capture = CaptureController(window, runner, grabber, parent=self)
        self._shot_count = 0
        self.editor: RedactionEditor | None = None
        strip.capture_all.connect(self.capture.capture_all)
        strip.capture_screen.connect(self.capture.capture_screen)
        strip.capture_region.connect(self.capture.capture_region)
        strip.paste_image.connect(self.paste_image)
        strip.attach_files.connect(self.choose_files)
        strip.redact.connect(self.redact)
        self.capture.captured.connect(self._captured)
        self.capture.failed.connect(lambda message: strip.show_error(
            self.tr("The screenshot could not be taken: %1").replace("%1", message)))
        self.capture.finished.connect(lambda: strip.set_busy(False))
        for signal in (strip.capture_all, strip.capture_region):
            signal.connect(lambda: strip.set_busy(True))
        strip.capture_screen.connect(lambda _n: strip.set_busy(True))

    def load_monitors(self) -> None:
        grabber = self._grabber
        self._runner.run_task(grabber.monitors, if_alive(self, self._monitors_loaded), name="report.monitors")

    def stop(self) -> None:
        self.capture.stop()
        if self.editor is not None:
            self.editor.reject()

    # -- adding -------------------------------------------------------------------------------

    def add_pictures(self, pictures: Sequence[LabelledPicture], origin: str, *, select: bool = False) -> None:
        for pair in pictures:
            label, picture = pair
            self._shot_count += 1
            item = ShotItem(label=label, filename=f"screenshot-{self._shot_count}.png", origin=origin,
                            picture=picture, thumbnail=images.thumbnail_of(pair))
            self.strip.add_item(item, select=select)

    def paste_image(self) -> None:
        """Add the clipboard's image (e.g. after PrtScn or a snipping tool); checked on a worker."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasFormat("image/png"):
            data = bytes(mime.data("image/png"))  # the exact bytes the other program put there
        else:
            image = clipboard.image()
            data = images.qimage_png_bytes(image) if not image.isNull() else b""
        if not data:
            self.strip.show_error(self.tr("The clipboard has no image. Copy a screenshot first (for example "
                                          "with the Print Screen key), then paste it here."))
            return
        label = self.tr("Pasted image")

        def load() -> ShotItem:
            attachment = load_image_bytes(data)
            picture = images.decode(attachment.data, attachment.filename)
            return ShotItem(label=label, filename=attachment.filename, key=attachment.key, origin="paste",
                            picture=picture, original=attachment.data, thumbnail=images.make_thumbnail(picture))

        self._runner.run_task(load, if_alive(self, self._pasted), name="report.paste")

    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self._window, self.tr("Attach files"), str(Path.home()))
        if paths:
            self.attach_paths(paths)

    def attach_paths(self, paths: Sequence[str]) -> None:
        """Read the files on a worker; each bad one is reported, the good ones are attached."""
        def read() -> tuple[list[tuple[Attachment, Any, images.Thumbnail | None]], list[str]]:
            loaded, problems = [], []
            for path in paths:
                try:
                    attachment = load_attachment_file(path)  # safe read; images checked and stripped of EXIF
                    picture = (images.decode(attachment.data, attachment.filename)
                               if is_image(attachment.media_type) else None)
                except DiagnosticsError as exc:
                    problems.append(str(exc))
                    continue
                loaded.append((attachment, picture, images.make_thumbnail(picture) if picture is not None else None))
            return loaded, problems

        self._runner.run_task(read, if_alive(self, self._files_read), name="report.attach")

    def redact(self, item: ShotItem) -> None:
        """Open the black-out editor (window-modal, no nested event loop)."""
        if self.editor is not None:
            self.editor.raise_()
            return
        editor = RedactionEditor(item.image, item.boxes, item.label, self._window)
        self.editor = editor

        def finished(code: int) -> None:
            self.editor = None
            if code == QDialog.DialogCode.Accepted:
                item.boxes = editor.boxes()
                self.strip.refresh_item(item)
                count = len(item.boxes)
                self.strip.confirm(self.tr("%1 area(s) blacked out in %2.").replace("%1", str(count))
                                   .replace("%2", item.label) if count else self.tr("No areas blacked out."))
            editor.deleteLater()

        editor.finished.connect(finished)
        editor.open()

    # -- results ------------------------------------------------------------------------------

    def _captured(self, pictures: list[LabelledPicture], what: str) -> None:
        self.add_pictures(pictures, "region" if what == "region" else "capture", select=True)
        names = ", ".join(label for label, _ in pictures)
        if len(pictures) == 1:
            self.strip.confirm(self.tr("Screenshot taken: %1.").replace("%1", names))
        else:
            self.strip.confirm(self.tr("%1 screenshots taken: %2.").replace("%1", str(len(pictures)))
                               .replace("%2", names))

    def _files_read(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.strip.show_error(str(error))
            return
        loaded, problems = result
        for attachment, picture, thumbnail in loaded:
            name = attachment.filename
            if picture is not None:
                item: Any = ShotItem(label=name, filename=name, key=attachment.key, origin="file", picture=picture,
                                     original=attachment.data, thumbnail=thumbnail)
            else:
                item = FileItem(label=name, filename=name, key=attachment.key, origin="file", data=attachment.data)
            self.strip.add_item(item)
        if problems:
            self.strip.show_error("\n".join(problems))
        elif loaded:
            self.strip.confirm(self.tr("Attached: %1.").replace("%1", ", ".join(a.filename for a, _p, _t in loaded)))

    def _pasted(self, item: ShotItem | None, error: BaseException | None) -> None:
        if error is not None or item is None:
            self.strip.show_error(str(error))
            return
        self.strip.add_item(item)
        self.strip.confirm(self.tr("Image pasted from the clipboard."))

    def _monitors_loaded(self, monitors: Any, error: BaseException | None) -> None:
        self.strip.set_monitors(list(monitors or []) if error is None else [])
