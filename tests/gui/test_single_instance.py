"""Single-instance naming and the server's handling of stale sockets and garbage."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtNetwork import QLocalSocket

from intake_app.ui.single_instance import SingleInstance, server_name

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


def test_names_include_user_and_session(tmp_path: Path) -> None:
    unix = server_name(tmp_path, user="dana", session=":0", platform="linux")
    assert unix == str(tmp_path / "intake-app-dana-s_0.sock")
    other = server_name(tmp_path, user="lee", session=":0", platform="linux")
    assert other != unix
    windows = server_name(Path("C:/Users/dana/AppData"), user="CORP\\dana", session="3", platform="win32")
    assert windows.startswith("intake-app-CORP_dana-s3-") and "/" not in windows
    assert windows != server_name(Path("C:/Users/dana/AppData"), user="CORP\\dana", session="4", platform="win32")


def test_too_long_socket_paths_use_a_short_name(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 120)
    name = server_name(deep, user="dana", session="", platform="linux")
    assert "/" not in name and name.startswith("intake-app-dana-") and len(name) < 40


def test_a_stale_socket_file_is_removed(qapp: Any, tmp_path: Path) -> None:
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(name)  # bound, never listening, closed: what a killed instance leaves
    stale.close()
    assert Path(name).exists()
    instance = SingleInstance(name)
    assert instance.send("report") is False
    assert instance.listen() is True
    instance.close()
    assert not Path(name).exists()


def test_a_live_instance_is_not_replaced(qapp: Any, tmp_path: Path) -> None:
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    first = SingleInstance(name)
    assert first.listen()
    second = SingleInstance(name)
    assert second.listen() is False  # someone answers: do not steal the name
    first.close()
    second.close()


def test_commands_from_another_process_arrive(qtbot: Any, tmp_path: Path) -> None:
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    instance = SingleInstance(name)
    assert instance.listen()
    code = ("import sys\nfrom intake_app.ui.single_instance import SingleInstance\n"
            f"sys.exit(0 if SingleInstance({name!r}).send('tickets-window', ['--x']) else 3)\n")
    with qtbot.waitSignal(instance.command_received, timeout=20_000) as blocker:
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
    assert proc.returncode == 0 and blocker.args == ["tickets-window", ["--x"]]
    instance.close()


def test_garbage_is_dropped_and_the_server_keeps_working(qtbot: Any, tmp_path: Path) -> None:
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    instance = SingleInstance(name)
    assert instance.listen()
    with qtbot.assertNotEmitted(instance.command_received, wait=300):
        raw = socket.socket(socket.AF_UNIX)
        raw.connect(name)
        raw.sendall(b"this is not json\n")
        raw.setblocking(False)
        closed = []

        def hung_up() -> bool:  # the server (on this thread) reads the line and hangs up on us
            try:
                closed.append(raw.recv(64) == b"")
            except BlockingIOError:
                return False
            return closed[-1]

        qtbot.waitUntil(hung_up, timeout=5000)
        raw.close()
    probe = QLocalSocket()
    probe.connectToServer(name)
    assert probe.waitForConnected(2000)
    probe.abort()
    instance.close()
