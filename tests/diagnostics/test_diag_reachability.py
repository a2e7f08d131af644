"""Gateway/DNS reachability: real sockets on loopback; silence reads "unreachable" within the timeout."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest

from intake_app.diagnostics.probes_network import check_reachability, dns_answer, tcp_answer
from intake_app.diagnostics.settings import BUILTIN_PROBES, ProbeSettings, reachability_timeout
from intake_app.diagnostics.snapshot import collect_snapshot


def test_dns_server_that_answers(dns_server: Callable[[bool], int]) -> None:
    port = dns_server(True)
    assert dns_answer("127.0.0.1", 1.0, port) == "answered"
    result = check_reachability([], ["127.0.0.1"], 1.0, dns_port=port)
    assert result["dns"][0]["status"] == "reachable" and result["dns"][0]["detail"] == "answered"


@pytest.mark.timeout(10)
def test_silent_dns_server_reads_unreachable(dns_server: Callable[[bool], int]) -> None:
    port = dns_server(False)
    result = check_reachability([], ["127.0.0.1"], 0.2, dns_port=port)
    assert result["dns"] == [{"address": "127.0.0.1", "status": "unreachable",
                              "detail": "no answer within 200 ms"}]


def test_gateway_answering_with_a_refusal_is_reachable(free_port: int) -> None:
    assert tcp_answer("127.0.0.1", (free_port,), 1.0) == f"tcp/{free_port} refused"
    result = check_reachability(["127.0.0.1"], [], 1.0)
    assert result["gateways"][0]["status"] == "reachable"


def test_gateway_with_an_open_port() -> None:
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert tcp_answer("127.0.0.1", (port,), 1.0) == f"tcp/{port} open"


def test_bad_addresses_are_unreachable_not_errors() -> None:
    result = check_reachability(["not-an-address"], ["999.1.1.1"], 0.2)
    assert [r["status"] for r in result["gateways"] + result["dns"]] == ["unreachable", "unreachable"]


@pytest.mark.timeout(15)
def test_only_the_configured_servers_are_contacted() -> None:
    """The probe asks the facts for gateways and DNS servers; nothing else is contacted."""
    asked: list[str] = []

    def configured(kind: str) -> list[str]:
        asked.append(kind)
        return ["127.0.0.1"]

    facts = SimpleNamespace(default_gateways=lambda: configured("gw"), dns_servers=lambda: configured("dns"),
                            computer_name=lambda: "pc")
    settings = ProbeSettings(enabled={n: n == "reachability" for n in BUILTIN_PROBES})
    doc = collect_snapshot(settings, facts=facts).document
    assert sorted(asked) == ["dns", "gw"]
    result = doc["probes"]["reachability"]
    assert result["gateways"][0]["status"] == "reachable"
    assert result["dns"][0]["address"] == "127.0.0.1"  # port 53 on loopback: refused or silent, never a hang


def test_timeout_setting_is_clamped() -> None:
    assert reachability_timeout(ProbeSettings(reachability_timeout_seconds=30)) == pytest.approx(1.9)
    assert reachability_timeout(ProbeSettings(reachability_timeout_seconds=0)) == pytest.approx(0.05)
    assert reachability_timeout(object()) == pytest.approx(0.2)
