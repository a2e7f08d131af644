"""The Unix single-instance socket keeps other users out and survives a bad path or a busy system:
a 0600 socket, foreign peers dropped, an unusable path means no server (not a crash), accept() errors
do not spin, a silent client does not hold its connection, and close() removes only its own socket."""

from __future__ import annotations

import errno
import logging
import os
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from intake_app.ui.single_instance import MAX_MESSAGE, SingleInstance, message, server_name
from intake_app.ui.single_instance_unix import UnixTransport

pytestmark = [pytest.mark.gui, pytest.mark.skipif(os.name != "posix", reason="Unix sockets")]


class _Lines:
    """The handler a transport calls per line: records it and asks for the acknowledgement."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def __call__(self, line: bytes) -> Any:
        return lambda: self.lines.append(line)


def _hung_up(raw: socket.socket) -> bool:
    try:
        while raw.recv(4096):
            pass
    except BlockingIOError:
        return False
    except ConnectionResetError:
        pass
    return True


def _connect(path: str) -> socket.socket:
    raw = socket.socket(socket.AF_UNIX)
    raw.connect(path)
    return raw


def test_the_socket_is_0600_even_with_a_permissive_umask(qapp: Any, tmp_path: Path) -> None:
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    instance = SingleInstance(name, transport="unix")
    old = os.umask(0)
    try:
        assert instance.listen()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.lstat(name).st_mode) == 0o600
    instance.close()


def test_a_directory_at_the_socket_path_means_no_server(qapp: Any, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    Path(name).mkdir()
    instance = SingleInstance(name, transport="unix")
    assert instance.listen() is False  # no exception: the app runs on without a server
    assert f"cannot remove {name} to listen there" in caplog.text and "Is a directory" in caplog.text
    assert instance.send("report") is False and Path(name).is_dir()
    instance.close()


def test_another_users_socket_is_neither_used_nor_replaced(qapp: Any, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    foreign = socket.socket(socket.AF_UNIX)
    foreign.bind(name)
    foreign.listen(1)
    foreign.setblocking(False)
    os.chown(name, 65534, 65534)
    inode = os.lstat(name).st_ino
    instance = SingleInstance(name, transport="unix")
    try:
        assert instance.send("report") is False
        assert instance.listen() is False
        with pytest.raises(BlockingIOError):
            foreign.accept()  # neither the send nor the "is it alive?" probe connected
        assert os.lstat(name).st_ino == inode
        assert "the socket there belongs to uid 65534" in caplog.text
    finally:
        instance.close()
        foreign.close()


def test_a_peer_of_another_uid_is_dropped(qtbot: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    lines = _Lines()
    transport = UnixTransport(str(tmp_path / "i.sock"), MAX_MESSAGE, peer_uid_of=lambda sock: 65534)
    assert transport.listen(lines, 1.0)
    raw = _connect(transport.path)
    raw.sendall(message("report"))
    raw.setblocking(False)
    qtbot.waitUntil(lambda: _hung_up(raw), timeout=5000)
    raw.close()
    assert lines.lines == [] and "instance connection from uid 65534 dropped" in caplog.text
    transport.close()


def test_our_own_peer_is_served(qtbot: Any, tmp_path: Path) -> None:
    lines = _Lines()
    transport = UnixTransport(str(tmp_path / "i.sock"), MAX_MESSAGE, peer_uid_of=lambda sock: os.getuid())
    assert transport.listen(lines, 1.0)
    raw = _connect(transport.path)
    raw.sendall(message("report"))
    qtbot.waitUntil(lambda: bool(lines.lines), timeout=5000)
    raw.settimeout(5)
    assert raw.recv(64) == b'{"ok": true}\n'
    raw.close()
    transport.close()


class _FailingAccept:
    """accept() that fails once with EMFILE (out of descriptors), then is the real one."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, server: socket.socket) -> tuple[socket.socket, Any]:
        self.calls += 1
        if self.calls == 1:
            raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))
        return server.accept()


def test_an_accept_error_pauses_instead_of_spinning(qtbot: Any, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    accept, lines = _FailingAccept(), _Lines()
    transport = UnixTransport(str(tmp_path / "i.sock"), MAX_MESSAGE, accept=accept, retry_ms=600_000)
    assert transport.listen(lines, 1.0)
    raw = _connect(transport.path)  # stays pending: the listening socket stays readable
    raw.sendall(message("report"))
    qtbot.waitUntil(lambda: accept.calls == 1, timeout=5000)
    assert not transport.accepting
    qtbot.wait(200)  # events run; a level-triggered notifier left on would call accept again and again
    assert accept.calls == 1 and lines.lines == []
    assert "accepting an instance connection failed" in caplog.text
    transport.close()
    raw.close()


def test_after_an_accept_error_it_accepts_again(qtbot: Any, tmp_path: Path) -> None:
    accept, lines = _FailingAccept(), _Lines()
    transport = UnixTransport(str(tmp_path / "i.sock"), MAX_MESSAGE, accept=accept, retry_ms=50)
    assert transport.listen(lines, 1.0)
    raw = _connect(transport.path)
    raw.sendall(message("report"))
    qtbot.waitUntil(lambda: bool(lines.lines), timeout=10_000)  # the retry timer switched it back on
    assert transport.accepting and accept.calls >= 2
    raw.close()
    transport.close()


def test_a_client_that_never_finishes_its_line_is_dropped(qtbot: Any, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    lines = _Lines()
    transport = UnixTransport(str(tmp_path / "i.sock"), MAX_MESSAGE, idle_ms=50)
    assert transport.listen(lines, 1.0)
    silent = _connect(transport.path)
    silent.sendall(b'{"v": 1, "comm')  # and then nothing
    silent.setblocking(False)
    qtbot.waitUntil(lambda: _hung_up(silent), timeout=10_000)
    silent.close()
    assert "sent no whole line" in caplog.text and lines.lines == []
    good = _connect(transport.path)  # and it still serves the next one
    good.sendall(message("report"))
    qtbot.waitUntil(lambda: bool(lines.lines), timeout=5000)
    good.close()
    transport.close()


def test_close_leaves_a_socket_that_replaced_ours(qapp: Any, tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A launch that found our socket unanswered (it judged it stale) removed it and bound its own:
    our close() must not remove that one, or a third launch would start a second instance."""
    caplog.set_level(logging.INFO)
    name = server_name(tmp_path, user="dana", session="t", platform="linux")
    first = SingleInstance(name, transport="unix")
    assert first.listen()
    os.unlink(name)
    newer = socket.socket(socket.AF_UNIX)
    newer.bind(name)
    newer.listen(1)
    inode = os.lstat(name).st_ino
    first.close()
    assert os.lstat(name).st_ino == inode and "another instance's socket replaced" in caplog.text
    newer.close()
