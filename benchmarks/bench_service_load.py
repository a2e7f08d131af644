"""The Intake service under 20 concurrent clients: tickets per second and latency percentiles.

    .venv/bin/python benchmarks/bench_service_load.py [--clients 20] [--seconds 15] [--quick] [--tree DIR] [--json PATH]

``intake-app serve`` (one uvicorn process, SQLite, local connector, its relay
and sync workers running) on loopback; a load process with ``--clients``
threads, each an enrolled device with its own ``client.api.ApiClient``
(requests session, keep-alive), runs two phases of ``--seconds`` each:

* **submit**: every client posts tickets (multipart, a draft plus a 40 KB PNG
  attachment: ``POST /tickets``) back to back → accepted tickets per second and
  the latency of each POST → 202 (p50, p99);
* **poll**: every client lists its tickets (``GET /tickets``, with the ETag the
  app sends, so mostly 304) back to back, as the tray does every refresh.

Also the service's CPU use during each phase (one core = 100 %). A figure to
report, with no goal: the machine's other load changes it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h

LOAD = r"""
import json, os, sys, threading, time, io
from PIL import Image
from intake_app.client.api import ApiClient
from intake_app.core.ticket import Attachment, AttachmentKind, Contact, ContactMethod, TicketDraft

url, key, clients, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
png = io.BytesIO()
Image.frombytes("RGB", (128, 128), os.urandom(128 * 128 * 3)).save(png, "PNG")
png = png.getvalue()
apis = []
for n in range(clients):
    with ApiClient(url) as anon:
        token = anon.enroll(key, device_name=f"LOAD-{n:02d}", user_name=f"Load {n}",
                            user_email=f"load{n}@bench.invalid")["token"]
    apis.append(ApiClient(url, token=token))

def draft(n):
    return TicketDraft(summary=f"Load test ticket from client {n}", description="Load.", device_name=f"LOAD-{n:02d}",
                       contact=Contact(f"Load {n}", f"load{n}@bench.invalid", "", "Bench Ltd"),
                       contact_method=ContactMethod.EMAIL, contact_method_detail=f"load{n}@bench.invalid")

for n, api in enumerate(apis):  # warm: one ticket each, one listing each
    api.submit_draft(draft(n), [Attachment("shot.png", png, AttachmentKind.SCREENSHOT)])
    api.tickets()
print("READY", flush=True)
lock = threading.Lock()

def work(n, api, phase, deadline, latencies, errors):
    mine, bad = [], []
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            if phase == "submit":
                api.submit_draft(draft(n), [Attachment("shot.png", png, AttachmentKind.SCREENSHOT)])
            else:
                api.tickets()
        except Exception as exc:
            bad.append(type(exc).__name__)
            continue
        mine.append((time.perf_counter() - start) * 1000)
    with lock:
        latencies.extend(mine); errors.extend(bad)

for line in sys.stdin:  # one phase per line: "submit" or "poll"
    phase, latencies, errors = line.strip(), [], []
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=work, args=(n, api, phase, deadline, latencies, errors))
               for n, api in enumerate(apis)]
    t0 = time.monotonic()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.monotonic() - t0
    print(json.dumps({"latencies": latencies, "errors": errors, "elapsed": elapsed}), flush=True)
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def start_load(service: h.Service, clients: int, seconds: float) -> subprocess.Popen[str]:
    """The load process: enrols ``clients`` devices (the service allows 30 per address and minute), warms up."""
    env = h.tree_env(dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring"))
    proc = subprocess.Popen([h.PYTHON, "-c", LOAD, service.url, service.key, str(clients), str(seconds)],
                            env=env, cwd=h.TREE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        raise RuntimeError(f"load client failed: {line}{proc.stderr.read()[-3000:] if proc.stderr else ''}")
    return proc


def phase(service: h.Service, load: subprocess.Popen[str], name: str) -> dict[str, Any]:
    assert load.stdin and load.stdout and service.proc
    server = psutil.Process(service.proc.pid)
    cpu0, t0 = sum(server.cpu_times()[:2]), time.monotonic()
    load.stdin.write(name + "\n")
    load.stdin.flush()
    out = load.stdout.readline()
    cpu = (sum(server.cpu_times()[:2]) - cpu0) / (time.monotonic() - t0) * 100
    if not out.startswith("{"):
        raise RuntimeError(f"load client failed in phase {name}: {out}")
    data = json.loads(out)
    lat = data["latencies"]
    return {"phase": name, "requests": len(lat), "per_s": len(lat) / data["elapsed"], "p50_ms": percentile(lat, 50),
            "p90_ms": percentile(lat, 90), "p99_ms": percentile(lat, 99), "max_ms": max(lat, default=float("nan")),
            "errors": len(data["errors"]), "error_kinds": sorted(set(data["errors"])), "service_cpu_pct": cpu}


def run(args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.seconds or (4.0 if args.quick else 15.0)
    clients = args.clients
    work = h.workdir("load")
    with h.Service(work) as service:
        load = start_load(service, clients, seconds)
        try:
            submit = phase(service, load, "submit")
            poll = phase(service, load, "poll")
        finally:
            assert load.stdin
            load.stdin.close()
            load.wait(60)
    figures = [
        h.Figure(f"service: tickets accepted per second, {clients} concurrent clients", "/s", [submit["per_s"]],
                 "report", note=f"{submit['requests']} tickets in {seconds:.0f} s, {submit['errors']} errors, "
                 f"service CPU {submit['service_cpu_pct']:.0f} %"),
        h.Figure("service: POST /tickets → 202, p50", "ms", [submit["p50_ms"]], "report"),
        h.Figure("service: POST /tickets → 202, p99", "ms", [submit["p99_ms"]], "report"),
        h.Figure(f"service: GET /tickets (ETag) per second, {clients} clients", "/s", [poll["per_s"]], "report",
                 note=f"{poll['errors']} errors, service CPU {poll['service_cpu_pct']:.0f} %"),
        h.Figure("service: GET /tickets, p99", "ms", [poll["p99_ms"]], "report"),
    ]
    return {"name": "service_load", "clients": clients, "seconds": seconds, "phases": [submit, poll],
            "figures": [f.to_dict() for f in figures], "_figures": figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    h.add_common_arguments(parser, runs=1)
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--seconds", type=float, help="length of each phase (default 15; --quick: 4)")
    args = parser.parse_args(argv)
    h.set_tree(args.tree)
    result = run(args)
    h.print_table(f"Service under load ({result['clients']} clients, {result['seconds']:.0f} s per phase)",
                  result.pop("_figures"))
    if args.json:
        h.write_json(Path(args.json), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
