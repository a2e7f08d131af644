"""Fixtures for the GUI tests: a real tray host, a bare X display, leak checks (STYLE habit 4).

* ``tray_host`` (session): ``trayer``, a real XEmbed system tray, on the test Xvfb.
* ``bare_display``: a second Xvfb with no tray host, for no-tray runs in a subprocess
  (Qt keeps one X connection per process, so that check cannot share this process).
* ``no_leaks`` (autouse): fails a test that leaves a QTimer running, a single-shot
  timer pending, a QThread running, QThreadPool work active or a new Python
  thread alive (napari's ``_dangling_qthreads`` / ``_dangling_qtimers``, adapted).

Importing this file also applies ``ui.qt_compat.protect_bool_singletons``: with
PySide6 6.12.0 on Python 3.11 each signal emit steals a reference to ``True``,
and a whole GUI test session emits enough to make CPython abort at exit.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from intake_app.config.admin import AdminConfig
from intake_app.config.profile import UserProfile, save_profile
from intake_app.paths import AppPaths, user_paths
from intake_app.ui.qt_compat import protect_bool_singletons

protect_bool_singletons()

TRAYER = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "24",
          "--transparent", "false", "--tint", "0x202020"]


def _has_x_display() -> bool:
    return bool(os.environ.get("DISPLAY")) and os.environ.get("QT_QPA_PLATFORM", "xcb") == "xcb"


@pytest.fixture(scope="session")
def tray_host(qapp: Any) -> Iterator[subprocess.Popen[bytes]]:
    """trayer on the current $DISPLAY; waits until Qt sees a system tray."""
    if not _has_x_display():
        pytest.skip("needs an X display (pytest-xvfb's Xvfb); this run is offscreen")
    if shutil.which("trayer") is None:
        pytest.skip("trayer (the XEmbed tray host) is not installed: apt-get install trayer")
    from PySide6.QtWidgets import QSystemTrayIcon

    proc = subprocess.Popen(TRAYER, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not QSystemTrayIcon.isSystemTrayAvailable():
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("trayer did not come up as a system tray")
        time.sleep(0.05)
    yield proc
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def bare_display() -> Iterator[str]:
    """A fresh Xvfb with no tray host (and no window manager); yields its DISPLAY value."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed: apt-get install xvfb")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        pytest.fail("Xvfb did not report its display number")
    yield f":{number}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def xdotool() -> Callable[..., None]:
    """Run ``xdotool`` (real X input through XTEST) on the test display."""
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed: apt-get install xdotool")

    def run(*args: object) -> None:
        subprocess.run(["xdotool", *map(str, args)], check=True, timeout=20)

    return run


@pytest.fixture
def paths(isolated_basedir: Path) -> AppPaths:
    return user_paths(isolated_basedir).ensure()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens: connecting fails fast as "offline" (no balloon)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def offline_admin(paths: AppPaths, refused_url: str, tmp_path: Path) -> AdminConfig:
    """A deployed configuration whose service is down: the app runs, enrolment waits, no demo child."""
    save_profile(paths, UserProfile(name="Dana Tester", email="dana@example.com"))
    return AdminConfig(service_url=refused_url, enrolment_key="test-enrolment-key", hotkey="",
                       path=tmp_path / "intake.toml")


# --- leak checks (STYLE habit 4) ---------------------------------------------------------------
class _LeakWatch:
    def __init__(self) -> None:
        self.timers: list[Any] = []
        self.single_shots: list[dict[str, Any]] = []
        self.pools: list[Any] = []
        self.qthreads: list[Any] = []

    def problems(self) -> list[str]:
        import shiboken6

        found = []
        for timer in self.timers:
            if shiboken6.isValid(timer) and timer.isActive():
                found.append(f"QTimer {timer.objectName() or timer!r} (parent {timer.parent()!r}) still running")
        for entry in self.single_shots:
            context = entry["context"]
            if not entry["done"] and (context is None or shiboken6.isValid(context)):
                found.append(f"single-shot timer for {entry['what']} never fired")
        for pool in self.pools:
            if shiboken6.isValid(pool) and pool.activeThreadCount() > 0:
                found.append(f"QThreadPool {pool!r} still has {pool.activeThreadCount()} running worker(s)")
        for thread in self.qthreads:
            if shiboken6.isValid(thread) and thread.isRunning():
                found.append(f"QThread {thread!r} still running")
        return found


@pytest.fixture(autouse=True)
def no_leaks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[_LeakWatch]:
    """Fail the test if it leaves timers, thread pools, QThreads or Python threads behind."""
    if request.node.get_closest_marker("gui") is None:
        yield _LeakWatch()
        return
    from PySide6.QtCore import QObject, QThread, QThreadPool, QTimer

    watch = _LeakWatch()
    before = set(threading.enumerate())
    start, single_shot = QTimer.start, QTimer.singleShot
    pool_start, thread_start = QThreadPool.start, QThread.start

    def timer_start(self: Any, *args: Any) -> None:
        watch.timers.append(self)
        start(self, *args)

    def tracked_single_shot(*args: Any) -> None:
        entry: dict[str, Any] = {"done": False, "context": None, "what": ""}
        args_list = list(args)
        for index, arg in enumerate(args_list):
            if isinstance(arg, QObject) and entry["context"] is None and not callable(arg):
                entry["context"] = arg
            if callable(arg) and not isinstance(arg, QObject):
                fn = arg
                entry["what"] = getattr(fn, "__qualname__", repr(fn))

                def wrapped(fn: Callable[[], Any] = fn) -> Any:
                    entry["done"] = True
                    return fn()

                args_list[index] = wrapped
        watch.single_shots.append(entry)
        single_shot(*args_list)

    def tracked_pool_start(self: Any, *args: Any) -> None:
        watch.pools.append(self)
        pool_start(self, *args)

    def tracked_thread_start(self: Any, *args: Any) -> None:
        watch.qthreads.append(self)
        thread_start(self, *args)

    monkeypatch.setattr(QTimer, "start", timer_start)
    monkeypatch.setattr(QTimer, "singleShot", staticmethod(tracked_single_shot))
    monkeypatch.setattr(QThreadPool, "start", tracked_pool_start)
    monkeypatch.setattr(QThread, "start", tracked_thread_start)
    yield watch
    problems = watch.problems()
    leaked_threads = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    problems += [f"Python thread {t.name} still alive" for t in leaked_threads]
    if problems:
        pytest.fail("the test leaked: " + "; ".join(problems), pytrace=False)


# --- the app as a child process (test_processes, test_startup_path) ---------------------------------
@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The child app's environment: this test's base dir (inherited) and a file keyring it can share."""
    root = Path(__file__).resolve().parents[2]
    return {**os.environ, "PYTHON_KEYRING_BACKEND": "helpers.memkeyring.FileKeyring",
            "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
            "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests")])}


@pytest.fixture
def admin_file(tmp_path: Path, offline_admin: AdminConfig) -> Path:
    """An admin file for a child app: the offline service URL, no global hotkey."""
    path = tmp_path / "intake.toml"
    path.write_text(f'[service]\nurl = "{offline_admin.service_url}"\nenrolment_key = "test-enrolment-key"\n'
                    '[app]\nhotkey = ""\n', encoding="utf-8")
    return path
