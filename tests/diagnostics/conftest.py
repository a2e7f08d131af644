"""Fixtures for the diagnostics tests: real X displays with known pictures, loopback servers,
and running code as an unprivileged user (root reads every file, so "permission denied" needs
a real other user to happen for real).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from diagnostics.diag_support import HERE, NOBODY, PatternRect, has_x_display
from intake_app.diagnostics.capture import MssSource
from intake_app.diagnostics.errors import CaptureError


# --- pictures on screen ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def x_session_client() -> Iterator[None]:
    """One X connection held for the whole run, as a desktop session's window manager holds one.

    pytest-xvfb's Xvfb runs without ``-noreset``: when its last client disconnects the server
    resets, and a connection attempted in that moment fails. A real session never does that.
    """
    if not has_x_display():
        yield
        return
    deadline = time.monotonic() + 10
    while True:
        try:
            source = MssSource().__enter__()
            break
        except CaptureError:  # caught the server mid-reset: try again
            if time.monotonic() > deadline:
                pytest.fail(f"cannot connect to the X display {os.environ.get('DISPLAY')}")
            time.sleep(0.05)
    yield
    source.__exit__(None, None, None)


@pytest.fixture
def show_pattern() -> Iterator[Callable[[list[PatternRect], str | None], None]]:
    """Show coloured rectangles on a display (default: $DISPLAY) until the test ends."""
    procs: list[subprocess.Popen[str]] = []

    def show(rects: list[PatternRect], display: str | None = None) -> None:
        env = dict(os.environ, QT_QPA_PLATFORM="xcb")
        if display:
            env["DISPLAY"] = display
        env.pop("QT_SCALE_FACTOR", None)
        proc = subprocess.Popen([sys.executable, str(HERE / "pattern_window.py"), json.dumps(rects)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        line = proc.stdout.readline() if proc.stdout else ""
        if line.strip() != "READY":
            proc.kill()
            pytest.fail(f"the pattern window did not come up: {line!r} {proc.stderr.read() if proc.stderr else ''}")

    yield show
    for proc in procs:
        proc.terminate()
        proc.communicate(timeout=10)  # also closes the pipes


@pytest.fixture
def own_xvfb() -> Iterator[Callable[[int, int], str]]:
    """Start Xvfb displays of a given size on free display numbers (``-noreset``: RandR
    monitors set with ``xrandr --setmonitor`` survive when xrandr disconnects)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed: apt-get install xvfb")
    procs: list[subprocess.Popen[bytes]] = []

    def start(width: int, height: int) -> str:
        read_fd, write_fd = os.pipe()
        proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
                                 "-nolisten", "tcp", "-noreset"],
                                pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.fail("Xvfb did not report its display number")
        return f":{number}"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


# --- loopback servers ------------------------------------------------------------------------------
class _Reply(BaseHTTPRequestHandler):
    body = b""
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_reply() -> Iterator[Callable[[bytes], tuple[str, list[str]]]]:
    """A loopback HTTP server answering every GET with the given body; returns (url, hits)."""
    servers: list[HTTPServer] = []

    def serve(body: bytes) -> tuple[str, list[str]]:
        hits: list[str] = []
        handler = type("Reply", (_Reply,), {"body": body, "hits": hits})
        server = HTTPServer(("127.0.0.1", 0), handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/ip", hits

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class _DnsHandler(socketserver.BaseRequestHandler):
    answer = True

    def handle(self) -> None:
        data, sock = self.request
        if self.answer and len(data) >= 12:  # echo the question back as a response (QR bit set, NOERROR)
            sock.sendto(data[:2] + bytes([data[2] | 0x80, 0x00]) + data[4:], self.client_address)


@pytest.fixture
def dns_server() -> Iterator[Callable[[bool], int]]:
    """A loopback UDP DNS server that answers (or silently drops) every query; returns its port."""
    servers: list[socketserver.UDPServer] = []

    def start(answer: bool = True) -> int:
        server = socketserver.ThreadingUDPServer(("127.0.0.1", 0), type("H", (_DnsHandler,), {"answer": answer}))
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return int(server.server_address[1])

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- another user ------------------------------------------------------------------------------------
@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder every user may enter (tmp_path's parents are root-only)."""
    path = Path(tempfile.mkdtemp(prefix="intake-diag-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def as_other_user() -> Callable[[Callable[[], Any]], Any]:
    """Run a function as an unprivileged user (uid 65534) in a forked child; returns its result
    or re-raises its exception. As a non-root user, runs it directly (permissions already bite)."""
    if os.geteuid() != 0:
        return lambda fn: fn()
    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork to drop privileges")

    def run(fn: Callable[[], Any]) -> Any:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: drop to nobody, run, send back (ok, value)
            os.close(read_fd)
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                payload = pickle.dumps((True, fn()))
            except BaseException as exc:  # noqa: BLE001
                payload = pickle.dumps((False, exc))
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
            os._exit(0)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as pipe:
            ok, value = pickle.loads(pipe.read())
        os.waitpid(pid, 0)
        if not ok:
            raise value
        return value

    return run
