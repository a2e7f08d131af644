"""The tray's start logs through a plain private file handler; rotation joins once the icon shows.

Nothing logged before :func:`enable_rotation` may be lost, written twice or left unscrubbed, and
``logging.handlers`` is not loaded until then.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from intake_app import logsetup
from intake_app.logsetup import (
    LOG_MAX_BYTES,
    PrivateFileHandler,
    enable_rotation,
    setup_logging,
    teardown_logging,
)
from intake_app.paths import AppPaths, user_paths


@pytest.fixture
def paths() -> Iterator[AppPaths]:
    root = logging.getLogger()
    level = root.level
    yield user_paths()
    teardown_logging()
    root.setLevel(level)


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "_intake_handler", False)]


def test_records_before_rotation_reach_the_file_at_once_private_and_scrubbed(paths: AppPaths) -> None:
    log_file = setup_logging(paths, "INFO", rotate=False)
    assert [type(h) for h in _ours()] == [PrivateFileHandler]
    logging.getLogger("intake_app.app").warning("early: token=%s", "tok-secret-1")
    text = log_file.read_text("utf-8")  # no flush, no rotation set up: it is in the file already
    assert "WARNING intake_app.app [MainThread] early: token=[REDACTED]" in text and "tok-secret-1" not in text
    if os.name == "posix":
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


def test_enable_rotation_keeps_what_was_written_and_rotates_from_then_on(paths: AppPaths) -> None:
    log_file = setup_logging(paths, "INFO", rotate=False)
    log = logging.getLogger("intake_app.test")
    log.info("before the icon")
    enable_rotation()
    rotating = logsetup.PrivateRotatingFileHandler
    assert [type(h) for h in _ours()] == [rotating]
    assert _ours()[0].maxBytes == LOG_MAX_BYTES  # type: ignore[attr-defined]
    log.info("after the icon")
    assert log_file.read_text("utf-8").count("before the icon") == 1
    line = "x" * 1000
    for _ in range(LOG_MAX_BYTES // 1000 + 50):
        log.info(line)
    rotated = paths.log / "intake.log.1"
    assert "before the icon" in rotated.read_text("utf-8") and "after the icon" in rotated.read_text("utf-8")
    if os.name == "posix":
        assert stat.S_IMODE(rotated.stat().st_mode) == 0o600
    enable_rotation()  # a second call changes nothing
    assert [type(h) for h in _ours()] == [rotating]


def test_the_level_and_a_console_handler_survive_the_switch(paths: AppPaths, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(paths, "WARNING", console=True, rotate=False)
    enable_rotation()
    assert logging.getLogger().level == logging.WARNING
    assert len(_ours()) == 2
    logging.getLogger("intake_app").warning("password=%s refused", "hunter2")
    logging.getLogger("intake_app").info("not at this level")
    assert "password=[REDACTED] refused" in capsys.readouterr().err
    text = paths.log_file.read_text("utf-8")
    assert "password=[REDACTED] refused" in text and "not at this level" not in text


def test_records_from_another_thread_during_the_switch_are_written_once(paths: AppPaths) -> None:
    setup_logging(paths, "INFO", rotate=False)
    log = logging.getLogger("intake_app.worker")
    started, stop = threading.Event(), threading.Event()
    sent: list[int] = []

    def worker() -> None:
        number = 0
        while not stop.is_set() or number < 200:
            log.info("record %06d", number)
            sent.append(number)
            number += 1
            if number == 50:
                started.set()

    thread = threading.Thread(target=worker)
    thread.start()
    started.wait(10)
    enable_rotation()
    stop.set()
    thread.join(30)
    text = paths.log_file.read_text("utf-8")
    for number in sent:
        assert text.count(f"record {number:06d}\n") == 1, number


def test_rotation_is_not_loaded_until_asked(tmp_path: object) -> None:
    code = ("import sys, logging\n"
            "from intake_app.logsetup import setup_logging, enable_rotation\n"
            "from intake_app.paths import user_paths\n"
            "setup_logging(user_paths().ensure(), rotate=False)\n"
            "logging.getLogger('x').info('one')\n"
            "before = 'logging.handlers' in sys.modules\n"
            "enable_rotation()\n"
            "sys.exit(10 * before + ('logging.handlers' not in sys.modules))\n")
    assert subprocess.run([sys.executable, "-c", code], check=False, timeout=60).returncode == 0


def test_a_late_record_to_the_replaced_handler_after_teardown_opens_no_file(paths: AppPaths) -> None:
    """A thread still holding the pre-rotation handler logs after exit's teardown: dropped, no fd reopened."""
    setup_logging(paths, "INFO", rotate=False)
    early = _ours()[0]
    enable_rotation()
    rotating = _ours()[0]
    teardown_logging()
    early.handle(logging.LogRecord("intake_app.late", logging.INFO, __file__, 1, "too late", None, None))
    assert rotating.stream is None  # type: ignore[attr-defined]  # closed, and not opened again
