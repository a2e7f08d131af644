"""Load on the Intake service: N desktops submit tickets with screenshots and poll, at the same time.

    .venv/bin/python benchmarks/load_service.py [--clients 20] [--seconds 30] [--max-tickets 3000]
                                                [--attachment-kb 300] [--poll-interval 0.5] [--json PATH]

The script starts ``intake-app serve`` itself on 127.0.0.1 (port 0, its own temporary data folder,
the local connector, relay and sync running), creates a company and key with ``intake-app admin``,
and runs ``--clients`` threads. Each is one enrolled desktop with its own keep-alive HTTP session
that, until ``--seconds`` are over (or ``--max-tickets`` were accepted in all):

* submits a ticket built by the real client (``client.multipart.build_ticket_request``: the bytes
  the outbox sends) with two PNG-like attachments of ``--attachment-kb`` each: ``POST /tickets`` → 202;
* between submissions polls ``GET /tickets`` every ``--poll-interval`` s with the ETag it last got
  (``If-None-Match``), as the tray's refresh does (3 polls per ticket).

Printed: accepted tickets/s, submit latency p50/p99, poll latency p50/p99, the share of polls
answered 304, the service's CPU; then, after the relay has drained (bounded wait), the helpdesk
(the local connector's tables) is checked: every accepted ticket exactly once, with both
attachments exactly once, byte for byte. Only loopback; bounded in time and count. A figure to
report (docs/hardening.md), not a test: it exits 1 only if the exactly-once check fails.
(benchmarks/bench_service_load.py, from the benchmark issue, measures submit and poll phases
separately with small attachments.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil
import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from intake_app.client.multipart import build_ticket_request  # noqa: E402 - after the path setup
from intake_app.core.ticket import Attachment, AttachmentKind, Contact, ContactMethod, TicketDraft  # noqa: E402

KEY = "load-test-key-9f3"
COMPANY = "Load Test Ltd"
PNG_HEAD = b"\x89PNG\r\n\x1a\n"


@dataclass
class Stats:
    submit_s: list[float] = field(default_factory=list)
    poll_s: list[float] = field(default_factory=list)
    not_modified: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, list[str]] = field(default_factory=dict)  # client ticket id -> attachment sha256s
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def start_service(data: Path, log_level: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    env = {k: v for k, v in os.environ.items() if k != "INTAKE_CONFIG"}
    env["INTAKE_BASEDIR"] = str(data.parent / "base")
    for args in (["company", "add", COMPANY, "--catch-all-name", "Desk", "--catch-all-email", "desk@load.invalid"],
                 ["key", "add", COMPANY, "--key", KEY]):
        subprocess.run([sys.executable, "-m", "intake_app", "admin", "--data", str(data), *args], env=env,
                       cwd=REPO, check=True, capture_output=True, timeout=120)
    ready, log = data.parent / "ready", data.parent / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "intake_app", "serve", "--host", "127.0.0.1", "--port", "0",
                                 "--data", str(data), "--ready-file", str(ready), "--log-level", log_level],
                                env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while not (ready.exists() and ready.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"intake-app serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    url = ready.read_text().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"refusing to load anything but loopback: {url}")
    return proc, url, log


def enrol(api: str, number: int) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{api}/enroll", timeout=30, json={
        "enrolment_key": KEY, "device_name": f"LOAD-{number:03d}", "user_name": f"Load {number}",
        "user_email": f"load{number}@load.invalid"})
    answer.raise_for_status()
    session.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    return session


def desktop(number: int, session: requests.Session, api: str, args: argparse.Namespace, deadline: float,
            stats: Stats) -> None:
    size = args.attachment_kb * 1024
    shots = [Attachment(f"screen {n}.png", PNG_HEAD + os.urandom(size - len(PNG_HEAD)), AttachmentKind.SCREENSHOT)
             for n in (1, 2)]
    digests = sorted(hashlib.sha256(a.data).hexdigest() for a in shots)
    etag = ""
    sent = 0
    while time.monotonic() < deadline:
        with stats.lock:
            if len(stats.accepted) >= args.max_tickets:
                break
        sent += 1
        draft = TicketDraft(summary=f"Load ticket {sent} from desktop {number}", description="Load test.",
                            device_name=f"LOAD-{number:03d}",
                            contact=Contact(f"Load {number}", f"load{number}@load.invalid", "", COMPANY),
                            contact_method=ContactMethod.EMAIL, contact_method_detail=f"load{number}@load.invalid")
        built = build_ticket_request(draft, shots)
        started = time.monotonic()
        try:
            answer = session.post(f"{api}/tickets", data=built.body, timeout=(5, 60),
                                  headers={"Content-Type": built.content_type})
        except requests.RequestException as exc:
            stats.error(f"submit {type(exc).__name__}")
            continue
        took = time.monotonic() - started
        if answer.status_code != 202:
            stats.error(f"submit HTTP {answer.status_code}")
            continue
        with stats.lock:
            stats.submit_s.append(took)
            stats.accepted[draft.client_ticket_id] = digests
        for _ in range(3):
            if time.monotonic() >= deadline:
                break
            time.sleep(args.poll_interval)
            started = time.monotonic()
            try:
                listed = session.get(f"{api}/tickets", timeout=(5, 30),
                                     headers={"If-None-Match": etag} if etag else {})
            except requests.RequestException as exc:
                stats.error(f"poll {type(exc).__name__}")
                continue
            took = time.monotonic() - started
            if listed.status_code not in (200, 304):
                stats.error(f"poll HTTP {listed.status_code}")
                continue
            etag = listed.headers.get("ETag", etag)
            with stats.lock:
                stats.poll_s.append(took)
                stats.not_modified += listed.status_code == 304


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def helpdesk_check(data: Path, accepted: dict[str, list[str]], wait_s: float) -> dict[str, Any]:
    """Wait for the relay to drain, then count: each ticket once, each attachment once and intact."""
    db_url = f"file:{data / 'intake.sqlite3'}?mode=ro"
    deadline = time.monotonic() + wait_s
    drained_after = None
    started = time.monotonic()
    while time.monotonic() < deadline:
        with sqlite3.connect(db_url, uri=True, timeout=30) as db:
            waiting = db.execute("SELECT COUNT(*) FROM tickets WHERE relay_state = 'accepted'").fetchone()[0]
        if waiting == 0:
            drained_after = time.monotonic() - started
            break
        time.sleep(0.5)
    with sqlite3.connect(db_url, uri=True, timeout=30) as db:
        tickets = dict(db.execute("SELECT client_ticket_id, COUNT(*) FROM local_tickets GROUP BY client_ticket_id"))
        files: dict[str, list[str]] = {}
        for cid, digest, stored in db.execute(
                "SELECT t.client_ticket_id, a.sha256, a.stored_name FROM local_attachments a "
                "JOIN local_tickets t ON a.ticket_id = t.id"):
            files.setdefault(cid, []).append(digest)
            on_disk = data / "connector" / "files" / stored
            if hashlib.sha256(on_disk.read_bytes()).hexdigest() != digest:
                files[cid].append("DAMAGED")
    missing = [c for c in accepted if tickets.get(c, 0) == 0]
    twice = [c for c, n in tickets.items() if n > 1]
    unknown = [c for c in tickets if c not in accepted]
    bad_files = [c for c, d in accepted.items() if sorted(files.get(c, [])) != d]
    return {"drained_after_s": round(drained_after, 2) if drained_after is not None else None,
            "helpdesk_tickets": sum(tickets.values()), "missing": len(missing),
            "duplicated": len(twice), "unexpected": len(unknown), "attachment_mismatches": len(bad_files),
            "exactly_once": not (missing or twice or unknown or bad_files) and drained_after is not None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-tickets", type=int, default=3000)
    parser.add_argument("--attachment-kb", type=int, default=300)
    parser.add_argument("--poll-interval", type=float, default=0.5)
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    parser.add_argument("--log-level", default="INFO",
                        help="the service's (INFO writes an access-log line per request)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    args.clients = max(1, min(args.clients, 200))
    args.seconds = max(1.0, min(args.seconds, 300.0))
    args.attachment_kb = max(1, min(args.attachment_kb, 20 * 1024))

    with tempfile.TemporaryDirectory(prefix="intake-load-") as scratch:
        data = Path(scratch) / "service"
        proc, url, _ = start_service(data, args.log_level)
        api = f"{url}/api/v1"
        stats = Stats()
        try:
            sessions = [enrol(api, n) for n in range(args.clients)]
            service = psutil.Process(proc.pid)
            cpu_before = service.cpu_times()
            started = time.monotonic()
            deadline = started + args.seconds
            threads = [threading.Thread(target=desktop, args=(n, s, api, args, deadline, stats), daemon=True)
                       for n, s in enumerate(sessions)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(args.seconds + 120)
            elapsed = time.monotonic() - started
            cpu_after = service.cpu_times()
            check = helpdesk_check(data, stats.accepted, args.drain_timeout)
            for session in sessions:
                session.close()
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()

    cpu = (cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system) / elapsed * 100
    figures = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()}, {psutil.cpu_count()} CPUs, "
                   f"{psutil.virtual_memory().total // 2**30} GiB, load {os.getloadavg()[0]:.1f}",
        "command": " ".join([Path(sys.executable).name, "benchmarks/load_service.py", *(argv or sys.argv[1:])]),
        "clients": args.clients, "seconds": round(elapsed, 1), "attachments": f"2 × {args.attachment_kb} KB",
        "tickets_accepted": len(stats.accepted), "tickets_per_s": round(len(stats.accepted) / elapsed, 1),
        "submit_p50_ms": round(percentile(stats.submit_s, 50) * 1000, 1),
        "submit_p99_ms": round(percentile(stats.submit_s, 99) * 1000, 1),
        "polls": len(stats.poll_s), "poll_p50_ms": round(percentile(stats.poll_s, 50) * 1000, 1),
        "poll_p99_ms": round(percentile(stats.poll_s, 99) * 1000, 1),
        "not_modified_ratio": round(stats.not_modified / len(stats.poll_s), 3) if stats.poll_s else None,
        "service_cpu_percent": round(cpu, 1), "errors": stats.errors, **check,
    }
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if stats.submit_s:
        print(f"{'submit_mean_ms':<{width}}  {statistics.mean(stats.submit_s) * 1000:.1f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if check["exactly_once"] else 1


if __name__ == "__main__":
    sys.exit(main())
