"""The crash path: the traceback goes to a file first, then (unless suppressed) a dialog shows it."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from intake_app.ui.crash import CrashDialog, CrashHandler, crash_text

pytestmark = pytest.mark.gui


def _raise_and_catch() -> tuple[type[BaseException], BaseException, Any]:
    try:
        raise RuntimeError("token=abc123secret should not matter; this is the bug")
    except RuntimeError:
        info = sys.exc_info()
    assert info[0] is not None and info[1] is not None
    return info  # type: ignore[return-value]


def test_uncaught_exception_is_written_first_and_no_dialog_when_suppressed(qtbot: Any, tmp_path: Path) -> None:
    handler = CrashHandler(tmp_path / "log", dialogs=False)
    with qtbot.waitSignal(handler.crashed) as blocker:
        path = handler.handle(*_raise_and_catch())
    assert path is not None and path.exists() and path.parent == tmp_path / "log"
    text = path.read_text("utf-8")
    assert "RuntimeError: token=[REDACTED] should not matter" in text and "intake-app 0." in text
    assert "abc123secret" not in text  # scrubbed like the log
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert blocker.args == [text, str(path)]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()]


def test_hooks_are_installed_and_restored(tmp_path: Path) -> None:
    old_sys, old_thread = sys.excepthook, threading.excepthook
    handler = CrashHandler(tmp_path, dialogs=False)
    handler.install()
    try:
        assert sys.excepthook == handler.handle
        assert threading.excepthook == handler._thread_hook
    finally:
        handler.uninstall()
    assert sys.excepthook is old_sys and threading.excepthook is old_thread


def test_a_thread_crash_is_written_and_reported_on_the_gui_thread(qtbot: Any, tmp_path: Path) -> None:
    handler = CrashHandler(tmp_path, dialogs=False)
    handler.install()
    try:
        def worker() -> None:
            raise ValueError("worker went wrong")

        with qtbot.waitSignal(handler.crashed, timeout=5000) as blocker:
            thread = threading.Thread(target=worker, name="sync-worker")
            thread.start()
            thread.join()
    finally:
        handler.uninstall()
    text, path = blocker.args
    assert "Thread: sync-worker" in text and "ValueError: worker went wrong" in text
    assert Path(path).read_text("utf-8") == text


def test_the_dialog_shows_what_would_be_sent(qtbot: Any, tmp_path: Path) -> None:
    handler = CrashHandler(tmp_path, dialogs=True)
    seen: dict[str, str] = {}

    def inspect_and_close() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible())
        seen["details"] = dialog.details.toPlainText()
        dialog.reject()

    QTimer.singleShot(200, inspect_and_close)
    path = handler.handle(*_raise_and_catch())
    assert path is not None and seen["details"] == path.read_text("utf-8")


def test_keyboard_interrupt_is_not_a_crash(tmp_path: Path) -> None:
    handler = CrashHandler(tmp_path, dialogs=False)
    assert handler.handle(KeyboardInterrupt, KeyboardInterrupt(), None) is None
    assert handler.reports == []


def test_crash_text_has_no_environment() -> None:
    text = crash_text(*_raise_and_catch(), thread_name="MainThread")
    assert "PATH=" not in text and "INTAKE_BASEDIR" not in text
    assert text.splitlines()[0].startswith("intake-app ")
