"""The service's slow housekeeping tick (``_ReadyServer`` with ``tick``): still a correct ``Date`` header, and a
stop request (SIGTERM, SIGINT, ``handle_exit``) ends the wait at once instead of at the next tick.

The bounds below are liveness limits (far above the expected figures), not measurements.
"""

from __future__ import annotations

import http.client
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from svc_service import ServeProcess

from intake_app.service.config import ServiceConfig
from intake_app.service.runtime import ServiceRuntime
from intake_app.service.server import (
    TICK_SECONDS,
    _ReadyServer,
    _uvicorn_config,
    bind,
    url_for,
)

STOP_LIMIT = 15.0  # seconds a stopped service may take to exit (graceful shutdown allows 5)
SLOW_TICK = 30.0  # the in-process server's tick: stopping must not wait for it


def fetch(url: str, path: str = "/api/v1/meta") -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def date_of(url: str) -> datetime:
    """The response's Date header; it must be an RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT")."""
    header = fetch(url).getheader("Date")
    assert header is not None and header.endswith(" GMT"), header
    assert datetime.strptime(header, "%a, %d %b %Y %H:%M:%S GMT")  # the fixed format, nothing else
    return parsedate_to_datetime(header)


def assert_date_is_now(url: str) -> datetime:
    before = datetime.now(UTC).replace(microsecond=0)
    date = date_of(url)
    after = datetime.now(UTC)
    # refreshed once per tick: at most a tick (and some scheduling) behind, never ahead of the clock
    assert before.timestamp() - TICK_SECONDS - 5 <= date.timestamp() <= after.timestamp(), (before, date, after)
    return date


def wait_for_a_newer_date(url: str, than: datetime, limit: float = 15.0) -> datetime:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        date = date_of(url)
        if date > than:
            return date
        time.sleep(0.2)
    raise AssertionError(f"the Date header stayed at {than} for {limit} s")


# --- `intake-app serve`, a real child process ----------------------------------------------------------
def test_serve_answers_with_a_current_date_that_keeps_moving(tmp_path: Path,
                                                             spawn_serve: Callable[..., ServeProcess]) -> None:
    service = spawn_serve("--data", str(tmp_path / "data"))
    response = fetch(service.url)
    assert response.status in (401, 403)  # no device token: refused, but answered by the app
    first = assert_date_is_now(service.url)
    later = wait_for_a_newer_date(service.url, first)  # the tick refreshes it
    assert later > first
    assert_date_is_now(service.url)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_on_a_signal_without_waiting_for_the_tick(tmp_path: Path, sig: signal.Signals,
                                                              spawn_serve: Callable[..., ServeProcess]) -> None:
    ready_file = tmp_path / "run" / "service.url"
    service = spawn_serve("--data", str(tmp_path / "data"), "--ready-file", str(ready_file))
    assert fetch(service.url).getheader("Date")  # serving; its loop is now idle, waiting for the next tick
    service.process.send_signal(sig)
    assert service.process.wait(STOP_LIMIT) == 0  # graceful: the runtime closed, exit status 0
    assert not ready_file.exists()  # removed on the way out
    with pytest.raises(OSError):
        fetch(service.url)


def test_serve_stops_on_a_signal_right_after_it_is_ready(tmp_path: Path,
                                                         spawn_serve: Callable[..., ServeProcess]) -> None:
    service = spawn_serve("--data", str(tmp_path / "data"))
    service.process.send_signal(signal.SIGTERM)  # possibly before the housekeeping loop has begun
    assert service.process.wait(STOP_LIMIT) == 0


# --- in process: handle_exit wakes the loop ---------------------------------------------------------------
class ThreadServer:
    def __init__(self, tmp_path: Path, tick: float) -> None:
        self.runtime = ServiceRuntime(ServiceConfig(data_dir=tmp_path / "svc"))
        self.sock = bind("127.0.0.1", 0)
        self.url = url_for(self.sock)
        self.ready = threading.Event()
        self.server = _ReadyServer(_uvicorn_config(self.runtime), self.ready.set, tick=tick)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       name="tick-test-uvicorn", daemon=True)

    def start(self) -> None:
        self.thread.start()
        assert self.ready.wait(30), "the service did not start"

    def wait_for_main_loop(self) -> None:
        deadline = time.monotonic() + 10
        while self.server._wake is None:
            assert time.monotonic() < deadline, "the housekeeping loop did not start"
            time.sleep(0.01)

    def close(self) -> None:
        if self.thread.is_alive():  # a failed test: do not leave it running
            self.server.should_exit = True
            self.server.handle_exit(signal.SIGTERM, None)
            self.thread.join(SLOW_TICK + 10)
        self.runtime.close()
        self.sock.close()


@pytest.fixture
def slow_tick_server(tmp_path: Path) -> Iterator[ThreadServer]:
    running = ThreadServer(tmp_path, SLOW_TICK)
    try:
        yield running
    finally:
        running.close()


def test_handle_exit_ends_a_long_tick_at_once(slow_tick_server: ThreadServer) -> None:
    slow_tick_server.start()
    slow_tick_server.wait_for_main_loop()
    assert fetch(slow_tick_server.url).getheader("Date")
    slow_tick_server.server.handle_exit(signal.SIGTERM, None)  # from another thread, as a signal handler would
    slow_tick_server.thread.join(10)  # far below the 30 s tick
    assert not slow_tick_server.thread.is_alive()
    assert slow_tick_server.server.should_exit


def test_handle_exit_before_the_loop_starts_still_stops_it(slow_tick_server: ThreadServer) -> None:
    slow_tick_server.server.handle_exit(signal.SIGINT, None)  # before run(): should_exit is already set
    slow_tick_server.start()
    slow_tick_server.thread.join(10)
    assert not slow_tick_server.thread.is_alive()


def test_a_slow_tick_still_serves_a_current_date(slow_tick_server: ThreadServer) -> None:
    """With a 30 s tick the header is set once at the start of the loop: right then, and never unset."""
    slow_tick_server.start()
    slow_tick_server.wait_for_main_loop()
    assert_date_is_now(slow_tick_server.url)
