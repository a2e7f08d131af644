"""The shared HTTP client: timeouts, the retry policy and typed errors, over real loopback HTTP."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from intake_app.service.connectors.base import HelpdeskNotFound, HelpdeskRejected, HelpdeskUnavailable
from intake_app.service.connectors.http import HttpClient, HttpRejected, RetryPolicy, parse_retry_after


class Scripted:
    """A loopback server answering from a script of (status, headers, body) and recording requests."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str], Any]] = []
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.seen.append((self.command, self.path, dict(self.headers)))
                status, headers, body = owner.script.pop(0) if owner.script else (200, {}, {"ok": True})
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    server = Scripted()
    yield server
    server.stop()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(scripted: Scripted, waits: list[float]) -> Iterator[HttpClient]:
    http = HttpClient(scripted.url, name="Desk", headers={"Authorization": "token SECRET-TOKEN"},
                      timeout=(2.0, 2.0), retry=RetryPolicy(attempts=3, backoff=0.25, max_wait=10), sleep=waits.append)
    yield http
    http.close()


def test_headers_and_json(client, scripted) -> None:
    scripted.script.append((200, {}, {"id": 7}))
    assert client.json("GET", "ticket/7") == {"id": 7}
    method, path, headers = scripted.seen[0]
    assert (method, path, headers["Authorization"]) == ("GET", "/api/ticket/7", "token SECRET-TOKEN")


def test_429_waits_for_retry_after_then_succeeds(client, scripted, waits) -> None:
    scripted.script += [(429, {"Retry-After": "4"}, {"message": "slow down"}), (200, {}, {"ok": 1})]
    assert client.json("POST", "ticket", json={"a": 1}) == {"ok": 1}
    assert waits == [4.0] and [s[0] for s in scripted.seen] == ["POST", "POST"]


def test_503_without_retry_after_backs_off_exponentially_then_gives_up(client, scripted, waits) -> None:
    scripted.script += [(503, {}, {"message": "maintenance"})] * 3
    with pytest.raises(HelpdeskUnavailable, match="HTTP 503: maintenance"):
        client.json("GET", "x")
    assert waits == [0.25, 0.5] and len(scripted.seen) == 3


def test_a_retry_after_beyond_max_wait_goes_back_to_the_caller(client, scripted, waits) -> None:
    scripted.script.append((429, {"Retry-After": "3600"}, {}))
    with pytest.raises(HelpdeskUnavailable) as caught:
        client.json("GET", "x")
    assert caught.value.retry_after == 3600.0 and waits == [] and "Try again in 3600 s" in str(caught.value)


def test_500_is_retried_for_get_and_put_but_not_for_post(client, scripted, waits) -> None:
    scripted.script += [(500, {}, {}), (200, {}, {"ok": 1}), (502, {}, {}), (200, {}, {"ok": 2})]
    assert client.json("GET", "a") == {"ok": 1}
    assert client.json("PUT", "a", json={}) == {"ok": 2}
    scripted.script.append((500, {}, {"message": "boom"}))
    with pytest.raises(HelpdeskUnavailable, match="HTTP 500"):
        client.json("POST", "a", json={})
    assert len(scripted.seen) == 5
    scripted.script += [(504, {}, {}), (200, {}, {"ok": 3})]
    assert client.json("PATCH", "a", json=[], idempotent=True) == {"ok": 3}


def test_4xx_are_typed_and_never_repeated(client, scripted) -> None:
    scripted.script += [(404, {}, {"message": "Not Found"}), (400, {}, {"message": "bad field"}),
                        (401, {}, {"message": "no"})]
    with pytest.raises(HelpdeskNotFound):
        client.json("GET", "a")
    with pytest.raises(HttpRejected) as caught:
        client.json("POST", "a", json={})
    assert caught.value.status == 400 and str(caught.value) == "Desk rejected the request (HTTP 400): bad field"
    with pytest.raises(HelpdeskRejected, match="refused the credentials") as denied:
        client.json("GET", "a")
    assert "SECRET-TOKEN" not in str(denied.value)
    assert len(scripted.seen) == 3


def test_non_json_answers_are_a_clear_rejection(client, scripted) -> None:
    scripted.script.append((200, {"Content-Type": "text/html"}, b"<html>login</html>"))
    with pytest.raises(HelpdeskRejected, match="not JSON"):
        client.json("GET", "a")


def test_a_closed_port_is_unavailable_after_retries(waits) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    http = HttpClient(f"http://127.0.0.1:{port}/", name="Desk", retry=RetryPolicy(attempts=2, backoff=0.1),
                      sleep=waits.append)
    try:
        with pytest.raises(HelpdeskUnavailable, match="Desk cannot be reached"):
            http.json("POST", "x", json={})
    finally:
        http.close()
    assert waits == [0.1]  # nothing reached the server, so even a POST is tried again


def test_a_slow_server_times_out(waits) -> None:
    with socket.socket() as listener:  # accepts the connection, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        http = HttpClient(f"http://127.0.0.1:{listener.getsockname()[1]}/", name="Desk", timeout=(1.0, 0.3),
                          retry=RetryPolicy(attempts=1), sleep=waits.append)
        try:
            with pytest.raises(HelpdeskUnavailable, match="did not answer in time|timed out"):
                http.json("GET", "x")
        finally:
            http.close()


def test_tls_verification_cannot_be_switched_off() -> None:
    with pytest.raises(ValueError, match="cannot be turned off"):
        HttpClient("https://x/", name="Desk", verify=False)


def test_one_session_per_thread(client, scripted) -> None:
    sessions = []

    def work() -> None:
        client.json("GET", "a")
        sessions.append(client._session())

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in sessions}) == 3


@pytest.mark.parametrize(("value", "expected"), [
    ("7", 7.0), ("0", 0.0), (None, None), ("soon", None),
    ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
])
def test_parse_retry_after(value, expected) -> None:
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert parse_retry_after(value, now) == expected
