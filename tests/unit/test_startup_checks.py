"""The checks the tray start makes before its icon, without Qt: the second-launch check over the
instance socket, the hand-read tray options, and the admin file lookup that stops at ``--config``."""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from intake_app import paths as app_paths
from intake_app.cli import _tray_args, build_parser
from intake_app.config.admin import find_admin_file
from intake_app.ui.instance_client import current_user, is_our_socket, send_command, server_name
from intake_app.ui.unix_peer import ensure_private_folder, peer_uid, private_temp_folder

unix_only = pytest.mark.skipif(os.name != "posix", reason="Unix sockets: Windows uses Qt's named pipes")


# --- the second-launch check --------------------------------------------------------------------
@unix_only
def test_nobody_there_is_false(tmp_path: Path) -> None:
    assert send_command(str(tmp_path / "none.sock"), "tray") is False


@unix_only
def test_a_stale_socket_is_false(tmp_path: Path) -> None:
    path = tmp_path / "stale.sock"
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))  # bound, never listening, closed: what a killed instance leaves
    stale.close()
    assert send_command(str(path), "tray") is False
    assert path.exists()  # the check never removes anything; the server does that when it listens


def _listening_socket(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    server.setblocking(False)
    return server


@unix_only
def test_another_users_socket_gets_no_command(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Someone else's socket at our path (a shared temp folder) hears nothing from us."""
    path = tmp_path / "i.sock"
    server = _listening_socket(path)
    os.chown(path, 65534, 65534)  # "nobody": we run as root here
    try:
        assert send_command(str(path), "report", ["secret"]) is False
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody ever connected
    finally:
        server.close()
    assert f"ignoring {path}: not a socket owned by this user" in caplog.text


@unix_only
@pytest.mark.parametrize("kind", ["symlink", "file", "fifo"])
def test_only_a_socket_file_itself_is_talked_to(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "i.sock"
    if kind == "symlink":  # even a link to a live socket of ours: the path itself must be the socket
        server = _listening_socket(tmp_path / "real.sock")
        path.symlink_to(tmp_path / "real.sock")
    elif kind == "file":
        path.write_text("not a socket", encoding="utf-8")
    else:
        os.mkfifo(path)
    assert send_command(str(path), "tray") is False
    if kind == "symlink":
        with pytest.raises(BlockingIOError):
            server.accept()
        server.close()


@unix_only
def test_our_socket_is_ours(tmp_path: Path) -> None:
    server = _listening_socket(tmp_path / "i.sock")
    assert is_our_socket(str(tmp_path / "i.sock")) and not is_our_socket(str(tmp_path / "none.sock"))
    server.close()


# --- who may use the socket (the per-OS facts) --------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_PEERCRED is Linux's")
def test_the_peer_uid_on_linux_is_the_kernels() -> None:
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        assert peer_uid(left) == os.getuid()


class _Xucred:
    """What macOS's getsockopt(SOL_LOCAL, LOCAL_PEERCRED) hands back (this is Linux: a fake)."""

    def __init__(self, uid: int) -> None:
        self.uid = uid
        self.asked: list[tuple[int, int, int]] = []

    def getsockopt(self, level: int, option: int, buflen: int) -> bytes:
        self.asked.append((level, option, buflen))
        return struct.pack("IIh16I", 0, self.uid, 1, 20, *([0] * 15))


def test_the_peer_uid_on_macos_is_read_from_xucred() -> None:
    fake = _Xucred(501)
    assert peer_uid(fake, platform="darwin") == 501
    assert fake.asked == [(0, 0x001, struct.calcsize("IIh16I"))]


def test_elsewhere_the_peer_is_unknown_and_the_folder_guards() -> None:
    assert peer_uid(_Xucred(501), platform="sunos5") is None


@unix_only
def test_the_private_temp_folder_is_made_0700(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    folder = private_temp_folder()
    assert folder == f"{tmp_path}/intake-app-{os.getuid()}"
    old = os.umask(0)
    try:
        assert ensure_private_folder(folder)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o700
    assert ensure_private_folder(folder)  # and again, once it is there


@unix_only
@pytest.mark.parametrize("bad", ["other-owner", "group-readable", "symlink", "file"])
def test_a_doubtful_private_folder_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture, bad: str) -> None:
    folder = tmp_path / "intake-app-0"
    if bad == "symlink":
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        folder.symlink_to(tmp_path / "elsewhere")
    elif bad == "file":
        folder.write_text("", encoding="utf-8")
    else:
        folder.mkdir(mode=0o700)
        if bad == "other-owner":
            os.chown(folder, 65534, 65534)
        else:
            os.chmod(folder, 0o750)
    assert ensure_private_folder(str(folder)) is False
    assert f"refusing the socket folder {folder}" in caplog.text


def test_a_bare_name_or_windows_is_left_to_qt() -> None:
    assert send_command("intake-app-dana-0123456789", "tray") is None


def _serve_once(path: Path, reply: bytes, got: list[bytes]) -> threading.Thread:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)

    def run() -> None:
        conn, _ = server.accept()
        with conn:
            data = b""
            while b"\n" not in data:
                data += conn.recv(4096)
            got.append(data)
            conn.sendall(reply)
        server.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@unix_only
def test_the_message_and_the_acknowledgement(tmp_path: Path) -> None:
    got: list[bytes] = []
    thread = _serve_once(tmp_path / "i.sock", b'{"ok": true}\n', got)
    assert send_command(str(tmp_path / "i.sock"), "report", ["--x"]) is True
    thread.join(10)
    message = json.loads(got[0])
    assert message == {"v": 1, "command": "report", "args": ["--x"], "pid": os.getpid()}


@unix_only
def test_a_refusal_is_false_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    thread = _serve_once(tmp_path / "i.sock", b'{"ok": false}\n', [])
    assert send_command(str(tmp_path / "i.sock"), "report") is False
    thread.join(10)
    assert "did not acknowledge 'report'" in caplog.text


def test_the_user_is_getpass_s_answer() -> None:
    import getpass

    assert current_user() == getpass.getuser()


def test_names_are_the_servers() -> None:
    from intake_app.ui import single_instance

    assert single_instance.server_name is server_name  # one implementation for both sides


def test_checking_loads_no_qt() -> None:
    code = ("import sys\nfrom intake_app.ui.instance_client import send_command, server_name\n"
            "from pathlib import Path\n"
            "send_command(server_name(Path(sys.argv[1])), 'tray')\n"
            "sys.exit(1 if any(m.startswith(('PySide6', 'shiboken6', 'getpass')) for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code, "/nonexistent"], check=False, timeout=60).returncode == 0


# --- the tray's options, read by hand ----------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["--config=", "--demo"], ["--basedir=-x"], ["--demo", "--demo"], ["--config", "a", "--config", "b"],
    ["--no-dialogs", "--basedir", "with space", "--config=x=y"],
], ids=lambda argv: " ".join(argv))
def test_hand_read_options_are_argparse_s(argv: list[str]) -> None:
    args = _tray_args(argv)
    assert args is not None and vars(args) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["--config"], ["--config", "--demo"], ["--basedir", "-1"], ["--demo=1"], ["--"], ["-"], ["--demo", "--"],
], ids=lambda argv: " ".join(argv))
def test_doubtful_options_go_to_argparse(argv: list[str]) -> None:
    assert _tray_args(argv) is None


# --- the admin file lookup ---------------------------------------------------------------------
def test_with_config_the_later_places_are_not_worked_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = tmp_path / "intake.toml"
    admin.write_text("", encoding="utf-8")

    def not_asked() -> Path:
        raise AssertionError("the system config dir was looked up")

    monkeypatch.setattr(app_paths, "site_config_dir", not_asked)
    assert find_admin_file(str(admin)) == admin


def test_a_start_with_a_base_dir_does_not_load_platformdirs(tmp_path: Path) -> None:
    code = ("import sys\nfrom intake_app.paths import user_paths\nuser_paths(sys.argv[1]).ensure()\n"
            "from intake_app.config.admin import load_admin_config\n"
            "open(sys.argv[2], 'w').write('[service]\\nurl = \"https://helpdesk.example\"\\n')\n"
            "load_admin_config(sys.argv[2])\n"
            "sys.exit(1 if 'platformdirs' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path / "b"), str(tmp_path / "intake.toml")],
                          check=False, timeout=60).returncode == 0
