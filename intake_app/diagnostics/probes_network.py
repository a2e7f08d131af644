"""Network probes: interfaces, gateway/DNS reachability (bounded), public IP (opt-in).

Reachability only ever contacts the gateways and DNS servers configured on this
computer, all at once, each with a short timeout, so an unreachable one reads
"unreachable" quickly instead of stalling the report.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import select
import socket
import struct
import time
from typing import Any

import psutil

from intake_app.diagnostics.probing import ProbeContext, Unavailable, run_isolated
from intake_app.diagnostics.settings import MAX_REACHABILITY_SECONDS

GATEWAY_PORTS = (53, 80, 443)  # a refused connection proves the host answered just as well
_REFUSED = {errno.ECONNREFUSED, getattr(errno, "WSAECONNREFUSED", 10061)}
PUBLIC_IP_TIMEOUT = 2.0


def probe_network(ctx: ProbeContext) -> dict[str, Any]:
    addrs = psutil.net_if_addrs()
    stats = psutil.net_if_stats()
    interfaces: dict[str, Any] = {}
    for name, entries in sorted(addrs.items()):
        st = stats.get(name)
        iface: dict[str, Any] = {"up": bool(st and st.isup), "ipv4": [], "ipv6": [], "mac": ""}
        if st:
            iface["speed_mbps"] = st.speed
            iface["mtu"] = st.mtu
        for entry in entries:
            if entry.family == socket.AF_INET:
                iface["ipv4"].append(_with_prefix(entry.address, entry.netmask))
            elif entry.family == socket.AF_INET6:
                iface["ipv6"].append(_with_prefix(entry.address, entry.netmask))
            elif entry.family == psutil.AF_LINK and entry.address:
                iface["mac"] = entry.address.replace("-", ":").lower()
        interfaces[name] = iface
    return {"interfaces": interfaces}


def _with_prefix(address: str, netmask: str | None) -> str:
    if not netmask:
        return address
    try:
        plain = address.split("%", 1)[0]
        prefix = ipaddress.ip_network(f"{plain}/{netmask}", strict=False).prefixlen
    except ValueError:
        return address
    return f"{address}/{prefix}"


def tcp_answer(host: str, ports: tuple[int, ...] = GATEWAY_PORTS, timeout: float = 0.25) -> str | None:
    """Does ``host`` answer a TCP connection on any of ``ports``? A refusal counts as an answer."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    family, _, _, _, sockaddr = infos[0]
    pending: dict[socket.socket, int] = {}
    try:
        for port in ports:
            sock = socket.socket(family, socket.SOCK_STREAM)
            pending[sock] = port  # registered first so ``finally`` closes it even if connect raises
            sock.setblocking(False)
            sock.connect_ex((sockaddr[0], port, *sockaddr[2:]))
        deadline = time.monotonic() + timeout
        while pending and (left := deadline - time.monotonic()) > 0:
            # Windows reports a failed connect in the "exceptional" set, POSIX as writable
            _, writable, failed = select.select([], list(pending), list(pending), left)
            for sock in {*writable, *failed}:
                port = pending.pop(sock)
                err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                sock.close()
                if err == 0:
                    return f"tcp/{port} open"
                if err in _REFUSED:
                    return f"tcp/{port} refused"
        return None
    finally:
        for sock in pending:
            sock.close()


def dns_answer(server: str, timeout: float = 0.25, port: int = 53) -> str | None:
    """Send one DNS query (root NS, nothing about us) and wait for any reply with our id."""
    infos = socket.getaddrinfo(server, port, type=socket.SOCK_DGRAM, flags=socket.AI_NUMERICHOST)
    family, _, _, _, sockaddr = infos[0]
    query_id = int.from_bytes(os.urandom(2), "big")
    query = struct.pack(">HHHHHH", query_id, 0x0100, 1, 0, 0, 0) + b"\x00" + struct.pack(">HH", 2, 1)
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        sock.sendto(query, sockaddr)
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, _ = sock.recvfrom(4096)
            except (TimeoutError, ConnectionResetError):  # Windows: ICMP port unreachable -> reset
                return None
            if len(data) >= 4 and int.from_bytes(data[:2], "big") == query_id:
                rcode = data[3] & 0x0F
                return "answered" if rcode == 0 else f"answered (rcode {rcode})"
    return None


def _check(kind: str, address: str, timeout: float, dns_port: int) -> dict[str, Any]:
    start = time.monotonic()
    try:
        detail = tcp_answer(address, timeout=timeout) if kind == "gateway" else dns_answer(address, timeout, dns_port)
    except OSError as exc:  # no route, bad address family, ...
        return {"address": address, "status": "unreachable", "detail": exc.strerror or str(exc)}
    if detail is None:
        return {"address": address, "status": "unreachable", "detail": f"no answer within {timeout * 1000:.0f} ms"}
    return {"address": address, "status": "reachable", "detail": detail,
            "ms": round((time.monotonic() - start) * 1000, 1)}


def check_reachability(gateways: list[str], dns_servers: list[str], timeout: float,
                       dns_port: int = 53) -> dict[str, Any]:
    """All checks at once; the result never takes much longer than ``timeout`` (cap: 2 s)."""
    jobs = {f"gateway {a}": (lambda a=a: _check("gateway", a, timeout, dns_port)) for a in gateways}
    jobs |= {f"dns {a}": (lambda a=a: _check("dns", a, timeout, dns_port)) for a in dns_servers}
    results = run_isolated(jobs, deadline_seconds=min(timeout + 0.1, MAX_REACHABILITY_SECONDS))

    def pick(prefix: str, addresses: list[str]) -> list[dict[str, Any]]:
        out = []
        for a in addresses:
            r = results[f"{prefix} {a}"]
            out.append(r if "status" in r else {"address": a, "status": "unreachable", "detail": r.get("unavailable", "")})
        return out

    return {"gateways": pick("gateway", gateways), "dns": pick("dns", dns_servers),
            "timeout_ms": round(timeout * 1000)}


def probe_reachability(ctx: ProbeContext) -> dict[str, Any]:
    gateways, servers = ctx.platform.default_gateways(), ctx.platform.dns_servers()
    if not gateways and not servers:
        raise Unavailable("no default gateway or DNS server configured")
    return check_reachability(gateways, servers, ctx.reach_timeout)


def fetch_public_ip(url: str, timeout: float = PUBLIC_IP_TIMEOUT) -> str:
    """GET ``url``; the body is the address as text or JSON ``{"ip": ...}``."""
    import urllib.request  # noqa: PLC0415 - 60 ms of imports (http, ssl, email) only when enabled

    if not url.lower().startswith(("https://", "http://")):
        raise Unavailable("the public IP address URL must start with https://")
    request = urllib.request.Request(url, headers={"Accept": "text/plain, application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            body = response.read(256).decode("ascii", errors="replace").strip()
    except OSError as exc:  # URLError, timeouts, refused
        raise Unavailable(f"could not reach {url.split('?', 1)[0]}: {getattr(exc, 'reason', exc)}") from None
    if body.startswith("{"):
        try:
            body = str(json.loads(body).get("ip", ""))
        except (ValueError, AttributeError):
            body = ""
    try:
        return str(ipaddress.ip_address(body))
    except ValueError:
        raise Unavailable("the public IP address service sent no address") from None


def probe_public_ip(ctx: ProbeContext) -> dict[str, Any]:
    return {"address": fetch_public_ip(ctx.public_ip_url), "source": ctx.public_ip_url.split("?", 1)[0]}
