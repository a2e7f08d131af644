"""Opening and saving a ticket's attachments.

"Open" downloads the file on a worker into a folder only the user can read (a
fresh ``0700`` folder under ``temp_root``, the file ``0600``) and hands it to
the desktop's viewer; "Save as…" writes it where the user chose. The folder
is removed by :meth:`AttachmentFiles.cleanup` at quit.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from intake_app.paths import write_private
from intake_app.ui.tickets import texts
from intake_app.ui.tickets.texts import tr

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')


def safe_name(filename: str) -> str:
    """A file name that stays inside its folder on every platform."""
    name = _UNSAFE.sub("_", Path(filename.replace("\\", "/")).name).strip(" .")
    return name[:150] or "attachment"


class AttachmentFiles(QObject):
    """``opened(path)`` / ``saved(path)`` on success, ``failed(message)`` otherwise."""

    opened = Signal(str)
    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, runner: Any, api: Callable[[], Any], temp_root: Path | None = None,
                 open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._api = api
        self._temp_root = temp_root
        self._open_url = open_url
        self._folder: Path | None = None

    def folder(self) -> Path:
        """The private folder for opened attachments (made on first use)."""
        if self._folder is None:
            root = self._temp_root
            if root is not None:
                root.mkdir(parents=True, exist_ok=True)
            self._folder = Path(tempfile.mkdtemp(prefix="intake-attachments-", dir=root))  # mode 0700
        return self._folder

    def open(self, ref: str, key: str, filename: str) -> None:
        api = self._api()
        if api is None:
            self.failed.emit(tr("Not connected to the helpdesk service yet."))
            return
        target = self.folder() / key[:40] / safe_name(filename)

        def fetch() -> Path:
            data = api.attachment(ref, key)
            target.parent.mkdir(mode=0o700, exist_ok=True)
            write_private(target, data)
            return target

        self._runner.run_task(fetch, self._fetched, name="tickets.attachment.open")

    def save(self, ref: str, key: str, destination: str) -> None:
        api = self._api()
        if api is None:
            self.failed.emit(tr("Not connected to the helpdesk service yet."))
            return
        target = Path(destination)

        def fetch() -> Path:
            target.write_bytes(api.attachment(ref, key))
            return target

        self._runner.run_task(fetch, self._written, name="tickets.attachment.save")

    def cleanup(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _fetched(self, path: Path | None, error: BaseException | None) -> None:
        if error is not None or path is None:
            self.failed.emit(self._message(error))
            return
        if not self._open_url(QUrl.fromLocalFile(str(path))):
            self.failed.emit(tr("No program on this computer opens %1. Use “Save as…” instead.").replace(
                "%1", path.name))
            return
        self.opened.emit(str(path))

    def _written(self, path: Path | None, error: BaseException | None) -> None:
        if error is not None or path is None:
            self.failed.emit(self._message(error))
            return
        self.saved.emit(str(path))

    @staticmethod
    def _message(error: BaseException | None) -> str:
        if isinstance(error, OSError):
            return tr("The file could not be written (%1).").replace("%1", error.strerror or str(error))
        return texts.error_text(error or RuntimeError("no result"))
