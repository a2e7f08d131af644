"""Shared pieces of the hardening tests (a unique module name: tests/ folders share sys.path).

* :class:`Zygote` / :class:`ForkedService`: ``intake-app serve`` processes forked from a
  pre-imported parent (``hard_zygote.py``), so a kill test can restart the service dozens of times;
* :func:`seed_company`: a company and its enrolment key, through the service's own code;
* :class:`Computer`: one simulated desktop: its own base dir, the real client ``Outbox`` and ``ApiClient``;
* :class:`HelpdeskView`: what the local helpdesk (the service database) holds, read-only.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psutil

from intake_app.client.api import ApiClient
from intake_app.client.outbox import Outbox
from intake_app.client.retry import RetryPolicy
from intake_app.core.priorities import Priority
from intake_app.core.ticket import Attachment, AttachmentKind, Contact, ContactMethod, TicketDraft
from intake_app.paths import AppPaths, user_paths

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
COMPANY = "Hardening Ltd"
KEY = "hardening-enrolment-key-7Qx"
PNG_HEAD = b"\x89PNG\r\n\x1a\n"
ServiceFactory = Callable[..., Any]  # conftest's make_service(**config changes) -> RunningServer


def child_env(base: Path, **extra: str) -> dict[str, str]:
    """Environment for our subprocesses: their own base dir, no admin file from the outside."""
    env = {k: v for k, v in os.environ.items() if k not in ("INTAKE_CONFIG", "PYTEST_CURRENT_TEST")}
    env.update({"INTAKE_BASEDIR": str(base), "PYTHONPATH": f"{REPO / 'tests'}{os.pathsep}{REPO}",
                "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll until ``predicate()`` is truthy (a bounded wait for background work, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout:.0f} s")
        time.sleep(interval)


# ---- the service ----------------------------------------------------------------------------------

def seed_company(data_dir: Path, config: Path | None = None, company: str = COMPANY, key: str = KEY) -> None:
    """Company + enrolment key in a service data folder, by the code ``intake-app admin`` runs."""
    from intake_app.service.config import load_config
    from intake_app.service.runtime import ServiceRuntime

    runtime = ServiceRuntime(load_config(config, data_dir=data_dir))
    try:
        if runtime.companies.find_by_name(company) is None:
            found = runtime.companies.add(company, Contact("Front desk", "desk@hardening.example", "", company))
            runtime.companies.add_key(found, key, "hardening")
    finally:
        runtime.close()


class Zygote:
    """The pre-imported parent of the forked services (see ``hard_zygote.py``)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, str(HERE / "hard_zygote.py")], env=env, cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._read() == {"ready": True}

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the zygote died (exit {self.proc.wait(10)})")
        return json.loads(line)  # type: ignore[no-any-return]

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def spawn(self, args: list[str], log: Path, env: dict[str, str]) -> int:
        return int(self._ask({"spawn": args, "log": str(log), "env": env})["pid"])

    def wait(self, pid: int, timeout: float = 30) -> int | None:
        return self._ask({"wait": pid, "timeout": timeout})["status"]  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@dataclass
class ForkedService:
    """``intake-app serve`` forked by the zygote; keeps its port across restarts."""

    zygote: Zygote
    data_dir: Path
    env: dict[str, str]
    extra_args: tuple[str, ...] = ()
    port: int = 0
    pid: int | None = None
    url: str = ""
    starts: int = 0
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-serve.log"

    def start(self, timeout: float = 60) -> ForkedService:
        ready = self.data_dir.parent / f"{self.data_dir.name}.ready"
        ready.unlink(missing_ok=True)
        args = ["serve", "--port", str(self.port), "--data", str(self.data_dir), "--ready-file", str(ready),
                "--sync-interval", "0.5", *self.extra_args]
        self.pid = self.zygote.spawn(args, self.log_path, self.env)
        self.starts += 1
        deadline = time.monotonic() + timeout
        while not (ready.exists() and ready.read_text().strip()):
            if not _alive(self.pid) or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"the service did not start:\n{self.log()}")
            time.sleep(0.02)
        self.url = ready.read_text().strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def kill(self) -> int | None:
        """SIGKILL, then reap; returns the wait status."""
        pid, self.pid = self.pid, None
        if pid is None:
            return None
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.zygote.wait(pid)

    def stop(self) -> int | None:
        pid, self.pid = self.pid, None
        if pid is None:
            return None
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        return self.zygote.wait(pid, timeout=30)

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# ---- the client side ----------------------------------------------------------------------------

FAST_RETRY = RetryPolicy(attempts=2, base=0.05, cap=0.2, max_wait=2)


@dataclass
class Computer:
    """One desktop: its own folders, the real durable outbox, an API client with a device token."""

    name: str
    paths: AppPaths
    outbox: Outbox
    api: ApiClient
    email: str

    @classmethod
    def enrol(cls, base: Path, url: str, name: str, key: str = KEY, timeout: tuple[float, float] = (2.0, 10.0),
              retry: RetryPolicy = FAST_RETRY) -> Computer:
        paths = user_paths(base).ensure()
        email = f"{name.lower()}@hardening.example"
        api = ApiClient(url, timeout=timeout, retry=retry)
        answer = api.enroll(key, device_name=f"PC-{name.upper()}", user_name=name, user_email=email)
        api.set_token(answer["token"])
        return cls(name, paths, Outbox.open(paths), api, email)

    def draft(self, summary: str, attachments: list[Attachment] = (), **changes: Any) -> TicketDraft:  # type: ignore[assignment]
        return make_draft(self.name, self.email, summary=summary, attachments=attachments, **changes)

    def close(self) -> None:
        self.outbox.close()
        self.api.close()


def make_draft(name: str = "Ann", email: str = "ann@hardening.example", *, summary: str = "Printer jams",
               attachments: list[Attachment] = (), **changes: Any) -> TicketDraft:  # type: ignore[assignment]
    draft = TicketDraft(
        summary=summary, description="Printing the payroll report.", error_details="Error 0x0000011b\tspooler",
        device_name=f"PC-{name.upper()}", contact=Contact(name, email, "+1 713 555 0100", COMPANY),
        contact_method=ContactMethod.EMAIL, contact_method_detail=email, requested_priority=Priority.NORMAL,
        attachments=tuple(a.info() for a in attachments),
        created_at=datetime.now(timezone.utc) - timedelta(seconds=2))
    return draft.with_changes(**changes) if changes else draft


def png_like(size: int, rng: random.Random, key: str | None = None, name: str = "screen.png") -> Attachment:
    """A PNG-looking payload of ``size`` bytes (random after the signature: it does not compress)."""
    data = PNG_HEAD + rng.randbytes(max(0, size - len(PNG_HEAD)))
    return Attachment(name, data, AttachmentKind.SCREENSHOT, **({"key": key} if key else {}))


def log_attachment(size: int, rng: random.Random) -> Attachment:
    lines = b"".join(f"{n:06d} ERROR spooler job {rng.randrange(10**6)}\tfailed\n".encode() for n in range(size // 40))
    return Attachment("spooler.log", lines or b"x")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- the local helpdesk, read-only ----------------------------------------------------------------

class HelpdeskView:
    """The local connector's tickets and files, and the service's own rows, read straight from disk."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        db = sqlite3.connect(f"file:{self.data_dir / 'intake.sqlite3'}?mode=ro", uri=True, timeout=30)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()

    def ticket_counts(self) -> dict[str, int]:
        """client ticket id -> how many helpdesk tickets carry it."""
        return dict(self.rows("SELECT client_ticket_id, COUNT(*) FROM local_tickets GROUP BY client_ticket_id"))

    def attachments(self) -> dict[str, list[tuple[str, str, str]]]:
        """client ticket id -> [(key, sha256, stored file)] in the helpdesk."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        for cid, key, digest, stored in self.rows(
                "SELECT t.client_ticket_id, a.key, a.sha256, a.stored_name FROM local_attachments a "
                "JOIN local_tickets t ON a.ticket_id = t.id ORDER BY a.key"):
            found.setdefault(cid, []).append((key, digest, stored))
        return found

    def relay_states(self) -> dict[str, str]:
        return dict(self.rows("SELECT client_ticket_id, relay_state FROM tickets WHERE client_ticket_id IS NOT NULL"))

    def helpdesk_file(self, stored: str) -> Path:
        return self.data_dir / "connector" / "files" / stored

    def orphan_files(self) -> dict[str, list[str]]:
        """Files on disk that no row refers to (what a crash may leave), per folder."""
        out: dict[str, list[str]] = {}
        helpdesk = {r[0] for r in self.rows("SELECT stored_name FROM local_attachments")}
        service = {r[0] for r in self.rows("SELECT stored_name FROM ticket_attachments")}
        for folder, known in ((self.data_dir / "connector" / "files", helpdesk), (self.data_dir / "outbox-files",
                                                                                   service)):
            if folder.is_dir():
                extra = sorted(p.name for p in folder.iterdir() if p.name not in known)
                if extra:
                    out[folder.name] = extra
        return out
