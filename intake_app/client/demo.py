"""Demo mode: a local Intake service (local connector) as a child process on 127.0.0.1.

Used by ``intake-app --demo`` and by ``intake-app`` on a computer with no admin
file at all. The child runs ``intake-app serve --demo --port 0`` on
``paths.demo_service``; we wait (bounded) for its ready file, and record its URL
and pid in ``demo-service.json`` there so a CLI command reuses a running one
instead of starting a second. The child stops with whoever started it:
``stop()``, ``atexit``, and on Linux ``PR_SET_PDEATHSIG`` (when started from
the main thread: the signal follows the *thread* that forked).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from intake_app.client.demo_lock import FileLock
from intake_app.client.demo_process import (
    create_time, pid_alive, ready_url, ready_url_from_log, rotate, tail, terminate_pid, wait_for_exit,
)
from intake_app.errors import IntakeError
from intake_app.paths import AppPaths, write_private

log = logging.getLogger(__name__)

DEMO_LABEL = "Demo: tickets stay on this computer"
DEMO_ENROLMENT_KEY = "demo"
DEMO_USER_NAME = "Demo user"
DEMO_USER_EMAIL = "demo@example.invalid"
STATE_FILE = "demo-service.json"
READY_FILE = "service.ready"
LOG_FILE = "service.log"
STARTUP_TIMEOUT_S = 45.0


class DemoError(IntakeError):
    """The demo service could not be started; the message says why and where its log is."""


def service_command(data_dir: Path, ready_file: Path) -> list[str]:
    """How to run ``intake-app serve`` from this program (the frozen executable is ``intake-app`` itself)."""
    base = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "intake_app"]
    return base + ["serve", "--demo", "--port", "0", "--data", str(data_dir), "--ready-file", str(ready_file)]


def _die_with_parent() -> None:  # runs in the child between fork and exec (Linux only)
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class DemoService:
    """Start (or reuse) the demo service; ``stop()`` ends it only if this object started it."""

    def __init__(self, paths: AppPaths, *, owner: str = "cli", startup_timeout: float = STARTUP_TIMEOUT_S) -> None:
        self.data_dir = paths.demo_service
        self.owner = owner  # "tray" or "cli": the tray's service outlives CLI commands
        self.startup_timeout = startup_timeout
        self.url: str | None = None
        self.pid: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._adopted: int | None = None  # pid of an orphan we took over (its starter crashed)
        self._atexit_registered = False
        self._log_offset = 0

    @property
    def state_file(self) -> Path:
        return self.data_dir / STATE_FILE

    @property
    def log_file(self) -> Path:
        return self.data_dir / LOG_FILE

    @property
    def owned(self) -> bool:
        """True when this object started (or adopted) the service, and so stops it."""
        return self._proc is not None or self._adopted is not None

    def start(self) -> str:
        """The running demo service's URL, starting it first when none answers."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                os.chmod(self.data_dir, 0o700)
        except OSError as exc:
            raise DemoError(f"The demo service's folder {self.data_dir} cannot be created "
                            f"({exc.strerror or exc}).") from exc
        with FileLock(self.data_dir / "launch.lock"):
            running = self._running()
            if running is not None:
                self.url, self.pid = running
                log.info("reusing the demo service at %s (pid %s)", self.url, self.pid)
                return self.url
            return self._launch()

    def _running(self) -> tuple[str, int] | None:
        """(url, pid) of a live demo service recorded in the state file, if it answers."""
        try:
            recorded = json.loads(self.state_file.read_text("utf-8"))
            url, pid = str(recorded["url"]), int(recorded["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not pid_alive(pid, recorded.get("create_time")) or not _answers(url):
            self.state_file.unlink(missing_ok=True)
            return None
        if not pid_alive(int(recorded.get("started_by") or 0), recorded.get("starter_create_time")):
            # whoever started it is gone without stopping it (a crash): take it over, so it ends with us
            self._adopt(recorded, pid)
            log.info("adopted the demo service (pid %s) left by a process that ended", pid)
        elif self.owner == "tray" and recorded.get("owner") == "cli":
            # a CLI command's service ends with that command: wait for it rather than adopt it
            wait_for_exit(pid, self.startup_timeout)
            return None if not pid_alive(pid, recorded.get("create_time")) else (url, pid)
        return url, pid

    def _adopt(self, recorded: dict[str, object], pid: int) -> None:
        self._adopted = pid
        self._record({**recorded, "owner": self.owner})
        self._stop_at_exit()

    def _record(self, data: dict[str, object]) -> None:
        me = os.getpid()
        data = {**data, "started_by": me, "starter_create_time": create_time(me)}
        write_private(self.state_file, json.dumps(data).encode("utf-8"))

    def _stop_at_exit(self) -> None:
        if not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True

    def _launch(self) -> str:
        ready = self.data_dir / READY_FILE
        ready.unlink(missing_ok=True)
        command = service_command(self.data_dir, ready)
        log.info("starting the demo service: %s", " ".join(command))
        rotate(self.log_file)
        self._log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        # the child writes its log here after we return; user-only, like every log of ours
        log_fh = os.fdopen(os.open(self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        kwargs: dict[str, object] = {"stdin": subprocess.DEVNULL, "stdout": log_fh, "stderr": subprocess.STDOUT}
        if os.name == "nt":
            kwargs["creationflags"] = subprocess.CREATE_NO_WINDOW  # type: ignore[attr-defined]
        elif sys.platform.startswith("linux") and threading.current_thread() is threading.main_thread():
            kwargs["preexec_fn"] = _die_with_parent
        try:
            self._proc = subprocess.Popen(command, **kwargs)  # type: ignore[call-overload]
        except OSError as exc:
            raise DemoError(f"The demo service could not be started ({exc.strerror or exc}).") from exc
        finally:
            log_fh.close()
        self.pid = self._proc.pid
        self._stop_at_exit()
        try:
            self.url = self._wait_ready(ready)
        except BaseException:
            self.stop()
            raise
        self._record({"url": self.url, "pid": self.pid, "owner": self.owner, "create_time": create_time(self.pid)})
        log.info("demo service ready at %s (pid %s)", self.url, self.pid)
        return self.url

    def _wait_ready(self, ready: Path) -> str:
        assert self._proc is not None
        deadline = time.monotonic() + self.startup_timeout
        delay = 0.05
        while time.monotonic() < deadline:
            url = ready_url(ready) or ready_url_from_log(self.log_file, self._log_offset)
            if url and _answers(url):
                return url
            if self._proc.poll() is not None:
                raise DemoError(f"The demo service stopped while starting (exit status {self._proc.returncode}). "
                                f"Its log is {self.log_file}:\n{tail(self.log_file)}")
            time.sleep(delay)
            delay = min(0.5, delay * 1.5)
        raise DemoError(f"The demo service did not start within {self.startup_timeout:.0f} seconds. "
                        f"Its log is {self.log_file}:\n{tail(self.log_file)}")

    def stop(self) -> None:
        """Stop the service if we started or adopted it (terminate, then kill); a reused one keeps running."""
        proc, self._proc = self._proc, None
        adopted, self._adopted = self._adopted, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
            pid: int | None = proc.pid
        elif adopted is not None:
            terminate_pid(adopted)
            pid = adopted
        else:
            return
        try:
            recorded = json.loads(self.state_file.read_text("utf-8"))
            if recorded.get("pid") == pid:
                self.state_file.unlink(missing_ok=True)
        except (OSError, ValueError):
            pass
        log.info("demo service (pid %s) stopped", pid)

    def __enter__(self) -> DemoService:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _answers(url: str) -> bool:
    from intake_app.client.api import ApiClient

    with ApiClient(url) as api:
        return api.ping()
