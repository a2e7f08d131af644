"""The two single-instance channels (Python Unix sockets, Qt local sockets) speak one protocol, and the
running tray on Linux does not load QtNetwork for it."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from intake_app.ui.single_instance import (
    MAX_MESSAGE,
    SingleInstance,
    default_transport,
    server_name,
)
from intake_app.ui.single_instance_unix import socket_path

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


def test_each_system_gets_its_channel() -> None:
    assert default_transport("linux") == "unix"
    assert default_transport("darwin") == "unix"
    assert default_transport("win32") == "qt"


@pytest.mark.parametrize(("server", "client"), [("unix", "qt"), ("qt", "unix"), ("qt", "qt"), ("unix", "unix")])
def test_either_channel_hands_over_to_the_other(qtbot: Any, tmp_path: Path, server: str, client: str) -> None:
    """An instance started before an upgrade still hears a launch of the new version, and the reverse."""
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    instance = SingleInstance(name, transport=server)  # type: ignore[arg-type]
    assert instance.listen()
    code = ("import sys\nfrom intake_app.ui.single_instance import SingleInstance\n"
            f"sys.exit(0 if SingleInstance({name!r}, transport={client!r}).send('report', ['a b']) else 3)\n")
    with qtbot.waitSignal(instance.command_received, timeout=20_000) as blocker:
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
    assert proc.returncode == 0 and blocker.args == ["report", ["a b"]]
    instance.close()
    assert not Path(name).exists()


def test_a_bare_name_lives_in_a_private_temp_subfolder(qtbot: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A too-long runtime path sends the socket to the shared temp folder: into this user's 0700 folder
    there (not beside everyone's files, where Qt would put a bare name)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    folder = tmp_path / f"intake-app-{os.getuid()}"
    assert socket_path("intake-app-dana-0123456789") == f"{folder}/intake-app-dana-0123456789"
    assert socket_path("/run/user/1000/x.sock") == "/run/user/1000/x.sock"
    instance = SingleInstance("intake-app-dana-0123456789", transport="unix")
    assert instance.listen()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "intake-app-dana-0123456789").stat().st_mode) == 0o600
    code = ("import sys\nfrom intake_app.ui.single_instance import SingleInstance\n"
            "sys.exit(0 if SingleInstance('intake-app-dana-0123456789', transport='unix').send('report') else 3)\n")
    with qtbot.waitSignal(instance.command_received, timeout=20_000):
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp_path)})
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
    assert proc.returncode == 0
    instance.close()
    assert not (folder / "intake-app-dana-0123456789").exists()


def test_an_endless_message_is_cut_off(qtbot: Any, tmp_path: Path) -> None:
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    instance = SingleInstance(name, transport="unix")
    assert instance.listen()
    with qtbot.assertNotEmitted(instance.command_received, wait=300):
        raw = socket.socket(socket.AF_UNIX)
        raw.connect(name)
        raw.sendall(b"x" * (MAX_MESSAGE + 4096))  # no newline, ever
        raw.setblocking(False)
        ended: list[bool] = []

        def hung_up() -> bool:
            try:
                while chunk := raw.recv(65536):
                    del chunk
                ended.append(True)
            except BlockingIOError:
                return False
            except ConnectionResetError:
                ended.append(True)
            return bool(ended)

        qtbot.waitUntil(hung_up, timeout=5000)
        raw.close()
    with qtbot.waitSignal(instance.command_received, timeout=5000) as blocker:  # and it still serves
        good = socket.socket(socket.AF_UNIX)
        good.connect(name)
        good.sendall(b'{"v": 1, "command": "report", "args": []}\n')
    good.settimeout(5)
    assert good.recv(64) == b'{"ok": true}\n' and blocker.args == ["report", []]
    good.close()
    instance.close()


def test_a_second_launch_finds_nobody_when_the_socket_is_gone(qapp: Any, tmp_path: Path) -> None:
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    assert SingleInstance(name, transport="unix").send("report") is False
    assert not Path(name).exists()


def test_the_listening_tray_does_not_load_qtnetwork(tmp_path: Path) -> None:
    name = str(tmp_path / "i.sock")
    code = ("import json, sys\n"
            "from PySide6.QtCore import QCoreApplication\n"
            "app = QCoreApplication([])\n"
            "import intake_app.app\n"
            "from intake_app.ui.single_instance import SingleInstance\n"
            f"instance = SingleInstance({name!r})\n"
            "listening = instance.listen()\n"
            "instance.close()\n"
            "print(json.dumps([listening, 'PySide6.QtNetwork' in sys.modules]))\n")
    result = subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, False]
