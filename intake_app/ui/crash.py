"""The one crash path (STYLE habit 7).

Any uncaught exception, on the GUI thread (``sys.excepthook``; PySide6 routes
exceptions raised in slots there too) or on a Python thread
(``threading.excepthook``), is first written with its traceback to a file in the
log folder (so nothing is lost if showing a dialog fails), then shown in a
dialog where the user reads exactly what would go to the helpdesk and can copy
it. ``dialogs=False`` (``--no-dialogs``, tests) never opens a modal dialog; the
file and the log still get everything.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from intake_app import APP_ID, __version__
from intake_app.logsetup import scrub
from intake_app.paths import write_private

log = logging.getLogger(__name__)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def __getattr__(name: str) -> object:
    """``CrashDialog`` lives in ``crash_dialog`` (its widgets are not needed to start); still importable here."""
    if name == "CrashDialog":
        from intake_app.ui.crash_dialog import CrashDialog

        return CrashDialog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def crash_text(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
               *, thread_name: str = "") -> str:
    """What would be sent: app version, platform, thread and the traceback; no environment, secrets scrubbed."""
    import platform  # only after a crash: ~4 ms of imports and regexes at start otherwise

    lines = [
        f"{APP_ID} {__version__}",
        f"Python {platform.python_version()} on {platform.platform()}",
        f"Time: {datetime.now().astimezone().isoformat(timespec='seconds')}",
    ]
    if thread_name:
        lines.append(f"Thread: {thread_name}")
    lines += ["", *traceback.format_exception(exc_type, exc, tb)]
    return scrub("\n".join(line.rstrip("\n") for line in lines) + "\n")


class CrashHandler(QObject):
    """Installs the hooks; ``crashed(text, path)`` is emitted on the GUI thread after the file is written."""

    crashed = Signal(str, str)
    _from_thread = Signal(str, str)

    def __init__(self, log_dir: Path, *, dialogs: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_dir = Path(log_dir)
        self.dialogs = dialogs
        self.reports: list[Path] = []
        self._old_hooks: tuple[Callable[..., object], Callable[..., object]] | None = None
        self._showing = False
        self._from_thread.connect(self._show)  # queued: the handler lives on the GUI thread

    def install(self) -> None:
        self._old_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.handle
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        if self._old_hooks is not None:
            sys.excepthook, threading.excepthook = self._old_hooks  # type: ignore[assignment]
            self._old_hooks = None

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
               thread_name: str = "") -> Path | None:
        """Write the report file, log it, then show it (on the GUI thread)."""
        if issubclass(exc_type, KeyboardInterrupt):
            QCoreApplication.quit()
            return None
        text = crash_text(exc_type, exc, tb, thread_name=thread_name)
        path = self._write(text)
        log.critical("uncaught exception%s; report in %s\n%s",
                     f" in thread {thread_name}" if thread_name else "", path, text)
        app = QCoreApplication.instance()
        if app is not None and QThread.currentThread() == app.thread():
            self._show(text, str(path or ""))
        else:
            self._from_thread.emit(text, str(path or ""))
        return path

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback,
                    thread_name=args.thread.name if args.thread else "")

    def _write(self, text: str) -> Path | None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = self.log_dir / f"crash-{stamp}.txt"
        try:
            write_private(path, text.encode("utf-8"))
        except OSError:
            log.exception("could not write the crash report to %s", path)
            return None
        self.reports.append(path)
        return path

    @Slot(str, str)
    def _show(self, text: str, path: str) -> None:
        self.crashed.emit(text, path)
        if not self.dialogs or self._showing:  # one dialog at a time: a crash loop must not stack modals
            return
        self._showing = True
        try:
            from intake_app.ui.crash_dialog import CrashDialog

            CrashDialog(text, Path(path)).exec()
        finally:
            self._showing = False
