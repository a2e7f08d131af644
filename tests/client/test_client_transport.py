"""The API client's own behaviour against a scripted loopback server: retries, timeouts, bad answers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from client_helpers import Scripted, ScriptedServer, SleepLog
from intake_app.client.api import ApiClient
from intake_app.client.errors import (
    NotEnrolledError, OfflineError, ProtocolError, RejectedError, ServerError, UnauthorizedError,
)
from intake_app.client.retry import RetryPolicy, parse_retry_after
from intake_app.client.transport import Transport, api_root
from intake_app.errors import ConfigError

FAST = RetryPolicy(attempts=3, base=0.01, cap=0.02, max_wait=30)


def transport(url: str, sleeps: SleepLog, **kw: object) -> Transport:
    return Transport(url, token="tok-secret-123456", retry=FAST, sleep=sleeps, **kw)  # type: ignore[arg-type]


def test_503_with_retry_after_is_retried_after_the_servers_pause(scripted: ScriptedServer) -> None:
    sleeps = SleepLog()
    scripted.json(503, {"error": {"code": "helpdesk_unavailable", "message": "later"}}, **{"Retry-After": "2"})
    scripted.json(200, {"ok": True})
    reply = transport(scripted.url, sleeps).request("GET", "/meta")
    assert reply.data == {"ok": True}
    assert len(scripted.seen) == 2
    assert sleeps.waits == [2.0]


def test_retry_after_longer_than_we_wait_gives_up_at_once_and_reports_it(scripted: ScriptedServer) -> None:
    sleeps = SleepLog()
    scripted.json(429, {"error": {"code": "rate_limited", "message": "Slow down."}}, **{"Retry-After": "120"})
    with pytest.raises(RejectedError) as info:
        transport(scripted.url, sleeps).request("POST", "/tickets", json_body={}, idempotent=True)
    assert info.value.retry_after == 120
    assert info.value.retryable
    assert len(scripted.seen) == 1
    assert sleeps.waits == []


def test_503_every_time_ends_in_server_error_after_the_policys_attempts(scripted: ScriptedServer) -> None:
    sleeps = SleepLog()
    for _ in range(3):
        scripted.json(503, {"error": {"code": "internal", "message": "x"}})
    with pytest.raises(ServerError) as info:
        transport(scripted.url, sleeps).request("GET", "/tickets")
    assert info.value.status == 503
    assert len(scripted.seen) == 3
    assert len(sleeps.waits) == 2
    assert all(0 < w <= FAST.cap for w in sleeps.waits)


def test_a_plain_post_is_not_repeated_after_a_502(scripted: ScriptedServer) -> None:
    """502 may come from a proxy after the service acted: repeating a reply could post it twice."""
    scripted.add(Scripted(502, b"<html>Bad gateway</html>", {"Content-Type": "text/html"}))
    with pytest.raises(ServerError):
        transport(scripted.url, SleepLog()).request("POST", "/tickets/1/replies", json_body={"text": "hi"})
    assert len(scripted.seen) == 1


def test_a_plain_post_is_repeated_after_a_503(scripted: ScriptedServer) -> None:
    scripted.json(503, {"error": {"code": "helpdesk_unavailable", "message": "x"}})
    scripted.json(201, {"ticket": {}})
    reply = transport(scripted.url, SleepLog()).request("POST", "/tickets/1/replies", json_body={"text": "hi"})
    assert reply.status == 201
    assert [s.body for s in scripted.seen] == [b'{"text": "hi"}'] * 2


def test_a_stalled_server_times_out_as_offline(scripted: ScriptedServer) -> None:
    scripted.add(Scripted(stall=True), Scripted(stall=True))
    t = Transport(scripted.url, retry=RetryPolicy(attempts=2, base=0.01, cap=0.01), timeout=(1.0, 0.3),
                  sleep=SleepLog())
    with pytest.raises(OfflineError) as info:
        t.request("GET", "/tickets")
    assert "can't be reached" in str(info.value)
    assert len(scripted.seen) == 2


def test_connection_refused_is_offline_and_a_post_may_be_repeated(refused_url: str) -> None:
    sleeps = SleepLog()
    with pytest.raises(OfflineError) as info:
        transport(refused_url, sleeps).request("POST", "/tickets/1/replies", json_body={"text": "x"})
    assert info.value.never_sent
    assert len(sleeps.waits) == 2  # never reached the service: safe to try again


def test_html_instead_of_json_is_a_protocol_error(scripted: ScriptedServer) -> None:
    scripted.add(Scripted(200, b"<!doctype html><title>Hotel Wi-Fi login</title>", {"Content-Type": "text/html"}))
    with pytest.raises(ProtocolError) as info:
        transport(scripted.url, SleepLog(), ).request("POST", "/verify/start", json_body={})
    assert "web page" in str(info.value)


def test_truncated_json_is_a_protocol_error(scripted: ScriptedServer) -> None:
    scripted.add(Scripted(200, b'{"tickets": [{"reference": "INT-0'))
    with pytest.raises(ProtocolError) as info:
        transport(scripted.url, SleepLog()).request("POST", "/x", json_body={})
    assert "incomplete" in str(info.value)


def test_a_body_cut_off_before_content_length_is_a_protocol_error_after_retries(scripted: ScriptedServer) -> None:
    cut = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
           b'{"tickets": [')
    scripted.add(*[Scripted(raw=cut)] * 3)
    with pytest.raises((ProtocolError, OfflineError)) as info:
        transport(scripted.url, SleepLog()).request("GET", "/tickets")
    assert info.value.retryable
    assert len(scripted.seen) == 3


def test_401_means_enrol_again(scripted: ScriptedServer) -> None:
    scripted.json(401, {"error": {"code": "unauthorized", "message": "Unknown token."}})
    with pytest.raises(UnauthorizedError) as info:
        transport(scripted.url, SleepLog()).request("GET", "/me")
    assert "enrol" in str(info.value).lower()
    assert not info.value.retryable


def test_422_carries_the_servers_message_and_field_problems(scripted: ScriptedServer) -> None:
    scripted.json(422, {"error": {"code": "validation_failed", "message": "Some details need fixing.",
                                  "details": {"summary": "Please give a short summary of the problem.",
                                              "contact.email": "“x” is not an e-mail address."}}})
    with pytest.raises(RejectedError) as info:
        transport(scripted.url, SleepLog()).request("POST", "/tickets", json_body={}, idempotent=True)
    err = info.value
    assert err.status == 422 and err.code == "validation_failed" and not err.retryable
    assert err.problems["summary"] == "Please give a short summary of the problem."
    assert "contact.email" in str(err)
    assert len(scripted.seen) == 1


def test_fastapi_default_validation_shape_is_understood(scripted: ScriptedServer) -> None:
    scripted.json(422, {"detail": [{"loc": ["body", "email"], "msg": "field required", "type": "missing"}]})
    with pytest.raises(RejectedError) as info:
        transport(scripted.url, SleepLog()).request("POST", "/verify/start", json_body={})
    assert info.value.problems == {"email": "field required"}


def test_404_and_409_are_rejections_with_the_servers_words(scripted: ScriptedServer) -> None:
    scripted.json(404, {"error": {"code": "not_found", "message": "No such ticket."}})
    scripted.json(409, {"error": {"code": "conflict", "message": "Only an open P3 ticket can be escalated."}})
    t = transport(scripted.url, SleepLog())
    with pytest.raises(RejectedError, match="No such ticket") as first:
        t.request("GET", "/tickets/9")
    with pytest.raises(RejectedError, match="open P3") as second:
        t.request("POST", "/tickets/9/escalation", json_body={"reason": ""})
    assert (first.value.code, second.value.code) == ("not_found", "conflict")


def test_etag_304_returns_the_cached_body(scripted: ScriptedServer) -> None:
    scripted.json(200, {"tickets": [{"reference": "INT-1"}]}, ETag='"v1"')
    scripted.add(Scripted(304, b"", {"ETag": '"v1"'}))
    t = transport(scripted.url, SleepLog())
    first = t.request("GET", "/tickets", params={"scope": "mine"}, use_etag=True)
    second = t.request("GET", "/tickets", params={"scope": "mine"}, use_etag=True)
    assert second.from_cache and second.data == first.data
    assert "If-None-Match" not in scripted.seen[0].headers
    assert scripted.seen[1].headers["If-None-Match"] == '"v1"'


def test_the_token_goes_in_the_header_and_never_in_the_log(scripted: ScriptedServer,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    scripted.json(503, {})
    scripted.json(200, {})
    transport(scripted.url, SleepLog()).request("GET", "/me")
    assert scripted.seen[0].headers["Authorization"] == "Bearer tok-secret-123456"
    assert "tok-secret-123456" not in caplog.text


def test_api_client_refuses_authenticated_calls_without_a_token(scripted: ScriptedServer) -> None:
    with ApiClient(scripted.url) as api, pytest.raises(NotEnrolledError):
        api.tickets()
    assert scripted.seen == []


def test_service_urls_are_normalised_and_bad_ones_are_config_errors() -> None:
    assert api_root("https://help.example.com/") == "https://help.example.com/api/v1"
    assert api_root("https://help.example.com/api/v1") == "https://help.example.com/api/v1"
    with pytest.raises(ConfigError):
        api_root("help.example.com")


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("soon") is None


def test_tls_is_verified_and_a_private_ca_bundle_is_trusted(tls_scripted: tuple[ScriptedServer, Path]) -> None:
    server, ca_file = tls_scripted
    server.json(200, {"ok": True})
    with pytest.raises(OfflineError) as info:  # self-signed: not trusted by the system store
        Transport(server.url, retry=RetryPolicy(attempts=1)).request("GET", "/meta")
    assert "certificate could not be verified" in str(info.value)
    reply = Transport(server.url, ca_bundle=str(ca_file), retry=RetryPolicy(attempts=1)).request("GET", "/meta")
    assert reply.data == {"ok": True}
