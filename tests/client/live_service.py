"""A real ``intake-app serve`` on loopback, and the CLI as a subprocess, for client and e2e tests.

Self-contained (no imports from the test folders) so both ``tests/client`` and
``tests/e2e`` can use it (``from client.live_service import ...`` from e2e).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from intake_app.client.demo_process import ready_url

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0
CLI_TIMEOUT = 180.0


def subprocess_env(base: Path, keyring_file: Path, **extra: str) -> dict[str, str]:
    """The environment for our CLI subprocesses: their own base dir and a shared file keyring."""
    env = {k: v for k, v in os.environ.items() if k not in ("INTAKE_CONFIG", "PYTEST_CURRENT_TEST")}
    env.update({
        "INTAKE_BASEDIR": str(base),
        "PYTHON_KEYRING_BACKEND": "helpers.memkeyring.FileKeyring",
        "TEST_KEYRING_FILE": str(keyring_file),
        "PYTHONPATH": f"{REPO / 'tests'}{os.pathsep}{REPO}",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def cli(env: dict[str, str], *args: str, input: bytes | None = None, timeout: float = CLI_TIMEOUT,
        ) -> subprocess.CompletedProcess[str]:
    """Run ``python -m intake_app ARGS`` to completion (text output)."""
    return subprocess.run([sys.executable, "-m", "intake_app", *args], env=env, cwd=REPO, capture_output=True,
                          timeout=timeout, input=input.decode() if input is not None else None, text=True)


def cli_json(env: dict[str, str], *args: str, ok: tuple[int, ...] = (0,)) -> Any:
    done = cli(env, *args, "--json")
    assert done.returncode in ok, f"{args}: rc={done.returncode}\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout)


@dataclass
class ServiceProcess:
    """``intake-app serve`` as a child process; ``restart()`` keeps the data and the port."""

    data_dir: Path
    env: dict[str, str]
    demo: bool = False
    enrolment_key: str = ""
    service_config: Path | None = None
    extra_args: tuple[str, ...] = ()
    url: str = ""
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-serve.log"

    def start(self) -> ServiceProcess:
        ready = self.data_dir.parent / f"{self.data_dir.name}.ready"
        ready.unlink(missing_ok=True)
        args = [sys.executable, "-m", "intake_app", "serve", "--port", str(self.port), "--data", str(self.data_dir),
                "--ready-file", str(ready), "--sync-interval", "0.5", *self.extra_args]
        if self.demo:
            args.append("--demo")
        if self.service_config is not None:
            args += ["--config", str(self.service_config)]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            url = ready_url(ready)
            if url:
                self.url = url
                self.port = int(url.rsplit(":", 1)[1].split("/")[0])
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"intake-app serve exited with {self.proc.returncode}:\n{self.log()}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"intake-app serve did not get ready in {START_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def restart(self) -> ServiceProcess:
        self.stop()
        return self.start()

    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``intake-app admin --data DIR ...`` on this service's data (the technician's side)."""
        done = cli(self.env, "admin", "--data", str(self.data_dir), *args)
        assert done.returncode == 0, f"admin {args}: {done.stdout}\n{done.stderr}"
        return done

    # -- counting at the helpdesk (the local connector's store in the service database) -------------

    def helpdesk_rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        db = sqlite3.connect(f"file:{self.data_dir / 'intake.sqlite3'}?mode=ro", uri=True, timeout=30)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()


def wait_until(predicate: Any, timeout: float = 60.0, what: str = "condition") -> None:
    """Poll ``predicate`` until it is true (bounded): for work the service does in the background."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(0.1)


def processes_mentioning(text: str) -> list[psutil.Process]:
    """Live processes whose command line contains ``text`` (to find orphaned demo services)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        try:
            if proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if any(text in part for part in proc.info["cmdline"] or ()):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found
