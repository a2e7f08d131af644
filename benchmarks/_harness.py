"""What every benchmark here shares: a private X session, the Intake service, processes, figures.

* :class:`XSession` starts Xvfb on a free display number (``-displayfd``) and
  trayer on it, and watches it with :class:`_x11.XWatch`; ``stop()`` ends both.
* :class:`Service` runs ``intake-app serve`` on a free port with its own data
  folder (a company and an enrolment key made with ``intake-app admin``).
* :func:`start_app` / :func:`start_baseline` start the app and the baseline
  tray script the same way (same interpreter, same environment).
* :class:`Figure` is one line of the final table: a median, its spread, the
  baseline beside it, the ratio and whether the goal holds.

Nothing here asserts: a missed goal is marked, never an error.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
TRAYER = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "24",
          "--transparent", "false", "--tint", "0x202020"]

sys.path.insert(0, str(BENCH))
from _x11 import XWatch

TREE = ROOT  # the source tree whose intake_app is measured (--tree: a scratch copy with a change to try)


def set_tree(path: str | None) -> None:
    """Measure the ``intake_app`` of another checkout (e.g. ``/tmp/perf-scratch``) with this harness."""
    global TREE
    TREE = Path(path).resolve() if path else ROOT
    if not (TREE / "intake_app" / "__init__.py").is_file():
        raise SystemExit(f"{TREE} has no intake_app package")


# Installed software runs from compiled bytecode (pip writes .pyc files, the PyInstaller bundle holds
# only bytecode). This machine sets PYTHONDONTWRITEBYTECODE=1, which would make every start of the app
# compile its ~230 modules from source (~100 ms more, none of it for the baseline). So every process
# started here keeps its bytecode in a private cache outside the checkout; round 0 of each figure fills it.
PYCACHE = Path(tempfile.gettempdir()) / "intake-bench-pycache"


def tree_env(env: dict[str, str], tree: Path | None = None) -> dict[str, str]:
    """``env`` with bytecode caching on, and the measured tree (or ``tree``) first on the import path."""
    tree = tree or TREE
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": str(PYCACHE)}
    if tree == ROOT:
        return env
    return env | {"PYTHONPATH": os.pathsep.join([str(tree), *filter(None, [env.get("PYTHONPATH", "")])])}


def add_common_arguments(parser: argparse.ArgumentParser, runs: int) -> None:
    parser.add_argument("--runs", type=int, help=f"measured runs per figure (default {runs}; --quick: fewer)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and short idle windows (iterating only)")
    parser.add_argument("--tree", metavar="DIR", help="measure the intake_app of this checkout (a scratch copy)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")


def missing_tools() -> list[str]:
    return [tool for tool in ("Xvfb", "trayer") if shutil.which(tool) is None]


# --- figures ------------------------------------------------------------------------------------
@dataclass
class Figure:
    """One row of the results: ``value`` (median of ``samples``) against a goal, maybe as a ratio."""

    name: str
    unit: str
    samples: list[float]
    goal: str = ""
    baseline_samples: list[float] = field(default_factory=list)
    limit: float | None = None  # the goal's number: compared with ``ratio`` if a baseline is given, else value
    strict: bool = False  # True: value must be < limit (not <=)
    note: str = ""

    @property
    def value(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def baseline(self) -> float | None:
        return statistics.median(self.baseline_samples) if self.baseline_samples else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline
        return self.value / base if base else None

    @property
    def met(self) -> bool | None:
        if self.limit is None or not self.samples:
            return None
        measured = self.ratio if self.baseline_samples else self.value
        if measured is None:
            return None
        return measured < self.limit if self.strict else measured <= self.limit

    def verdict(self) -> str:
        return {None: "report", True: "ok", False: "MISSED"}[self.met]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(value=self.value, baseline=self.baseline, ratio=self.ratio, met=self.met,
                    n=len(self.samples), min=min(self.samples, default=None), max=max(self.samples, default=None))
        return data


def fmt(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "—"
    if unit == "ms":
        return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "%":
        return f"{value:.2f} %"
    return f"{value:.3g} {unit}".strip()


def print_table(title: str, figures: Sequence[Figure]) -> None:
    print(f"\n{title}")
    print("| figure | median (min–max, n) | baseline | ratio | goal | verdict |")
    print("|---|---|---|---|---|---|")
    for f in figures:
        spread = (f"{fmt(f.value, f.unit)} ({fmt(min(f.samples), f.unit)}–{fmt(max(f.samples), f.unit)}, "
                  f"n={len(f.samples)})") if f.samples else "—"
        base = fmt(f.baseline, f.unit) if f.baseline is not None else "—"
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        print(f"| {f.name} | {spread} | {base} | {ratio} | {f.goal or '—'} | {f.verdict()} |")
        if f.note:
            print(f"|   ↳ {f.note} | | | | | |")
    sys.stdout.flush()


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    info: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform(),
                            "cpus": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1)}
    try:
        info["cpu_model"] = next(line.split(":", 1)[1].strip() for line in
                                 Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        import PySide6

        info["pyside6"] = PySide6.__version__
    except ImportError:
        pass
    try:
        info["os"] = next(line.split("=", 1)[1].strip('"') for line in
                          Path("/etc/os-release").read_text().splitlines() if line.startswith("PRETTY_NAME="))
    except (OSError, StopIteration):
        pass
    return info


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


# --- X session ----------------------------------------------------------------------------------
class XSession:
    """Xvfb on a free display (+ trayer), watched by an :class:`XWatch`. Use as a context manager."""

    def __init__(self, size: str = "1920x1080x24", tray: bool = True) -> None:
        self.size, self.tray = size, tray
        self.display = ""
        self.watch: XWatch | None = None
        self._procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", self.size, "-nolisten", "tcp",
                                 "-noreset"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self._procs.append(xvfb)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # written once the server accepts clients
        if not number:
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"
        self.watch = XWatch(self.display)
        if self.tray:
            self._procs.append(subprocess.Popen(TRAYER, env=self.env, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL))
            deadline = time.monotonic() + 20
            while not self.watch.selection_owned("_NET_SYSTEM_TRAY_S0"):
                if time.monotonic() > deadline:
                    raise RuntimeError("trayer did not take the system tray selection")
                time.sleep(0.02)
            time.sleep(0.3)  # let trayer draw its panel once before anything is timed

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
        env["DISPLAY"] = self.display  # XEmbed through trayer, not a desktop's SNI host
        return env

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs]

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch = None
        for proc in reversed(self._procs):
            stop_process(proc)
        self._procs.clear()


# --- processes ----------------------------------------------------------------------------------
def stop_process(proc: subprocess.Popen[Any], timeout: float = 30) -> None:
    """SIGTERM, wait, then SIGKILL: only the process we started (and, for the app, its demo child ends with it)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@dataclass
class AppDirs:
    """Everything one app instance keeps (config, data, logs, keyring file) below ``base``."""

    base: Path
    admin_file: Path | None = None

    def env(self, x: XSession | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = (x.env if x is not None else dict(os.environ)) | {"INTAKE_BASEDIR": str(self.base / "app"), "XDG_CONFIG_DIRS": str(self.base / "xdg"),
                       "XDG_CONFIG_HOME": str(self.base / "xdg-home"), "XDG_DATA_HOME": str(self.base / "xdg-data"),
                       "HOME": str(self.base / "home")}
        (self.base / "home").mkdir(parents=True, exist_ok=True)
        return env | (extra or {})


def make_dirs(work: Path, name: str, service_url: str | None, enrolment_key: str = "") -> AppDirs:
    """A fresh home for one app; with ``service_url`` an admin file (deployed) and the device enrolled
    (``intake-app enroll``, as a user's first run would do), else none (demo mode enrols by itself)."""
    base = work / name
    base.mkdir(parents=True, exist_ok=True)
    dirs = AppDirs(base)
    if service_url is not None:
        dirs.admin_file = base / "intake.toml"
        dirs.admin_file.write_text(f'schema_version = 1\n[service]\nurl = "{service_url}"\n'
                                   f'enrolment_key = "{enrolment_key}"\n', encoding="utf-8")
        env = {k: v for k, v in dirs.env(None).items() if k != "DISPLAY"}
        subprocess.run([PYTHON, "-m", "intake_app", "--config", str(dirs.admin_file), "enroll", "--name",
                        "Bench User", "--email", f"{name}@bench.invalid"], env=tree_env(env), cwd=TREE, check=True,
                       capture_output=True, timeout=120)
    return dirs


def app_command(dirs: AppDirs, *, demo: bool = False, runner: str | None = None) -> list[str]:
    """``python -m intake_app`` (or an instrumented ``runner`` script that runs the same main)."""
    head = [PYTHON, str(BENCH / runner)] if runner else [PYTHON, "-m", "intake_app"]
    cmd = [*head, "--no-dialogs"]
    if dirs.admin_file is not None:
        cmd += ["--config", str(dirs.admin_file)]
    if demo:
        cmd.append("--demo")
    return cmd


def start(cmd: list[str], env: dict[str, str], log: Path, stdout: int | None = None,
          tree: Path | None = None) -> subprocess.Popen[bytes]:
    """Start ``cmd`` with the measured tree's (or ``tree``'s) code, stdout and stderr appended to ``log``."""
    handle = log.open("ab")
    try:
        return subprocess.Popen(cmd, env=tree_env(env, tree), cwd=tree or TREE, stdin=subprocess.DEVNULL,
                                stdout=stdout if stdout is not None else handle, stderr=handle)
    finally:
        handle.close()


def baseline_command() -> list[str]:
    return [PYTHON, str(BENCH / "baseline_tray.py")]


def tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants (the demo service is the app's child)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(procs: Iterable[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def wait_quiet(pid: int, *, below: float = 0.03, window: float = 0.5, timeout: float = 30,
               min_wait: float = 0.0) -> float:
    """Wait until the process tree uses less than ``below`` of one core over ``window`` s; returns seconds waited."""
    start_at = time.monotonic()
    if min_wait:
        time.sleep(min_wait)
    while time.monotonic() - start_at < timeout:
        procs = tree(pid)
        before = cpu_seconds(procs)
        time.sleep(window)
        if (cpu_seconds(procs) - before) / window < below and len(tree(pid)) == len(procs):
            break
    return time.monotonic() - start_at


@dataclass
class Memory:
    rss: float  # MB, summed over the tree
    pss: float  # MB (shared pages split between the processes that map them)
    uss: float  # MB (pages only this process has)
    processes: list[dict[str, Any]]


def memory(pid: int) -> Memory:
    rss = pss = uss = 0.0
    items = []
    for p in tree(pid):
        try:
            info = p.memory_full_info()
            name = " ".join(p.cmdline()[1:4])[:70]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", 0)
        uss += info.uss
        items.append({"pid": p.pid, "cmd": name, "rss_mb": round(info.rss / 1e6, 1),
                      "pss_mb": round(getattr(info, "pss", 0) / 1e6, 1), "uss_mb": round(info.uss / 1e6, 1)})
    return Memory(rss / 1e6, pss / 1e6, uss / 1e6, items)


def thread_wakeups(pid: int) -> dict[str, int]:
    """Voluntary context switches per thread name of one process."""
    out: dict[str, int] = {}
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            name = (task / "comm").read_text().strip()
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches"):
                    out[f"{name}/{task.name}"] = int(line.split()[1])
    except OSError:
        pass
    return out


# --- the service --------------------------------------------------------------------------------
class Service:
    """``intake-app serve`` on a free loopback port with a company and an enrolment key of its own."""

    KEY = "bench-enrolment-key"
    COMPANY = "Bench Ltd"

    def __init__(self, work: Path, *, demo: bool = False) -> None:
        self.data = work / ("service-demo" if demo else "service")
        self.demo = demo
        self.url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = work / "service.log"

    def _admin(self, *args: str) -> None:
        env = dict(os.environ, INTAKE_BASEDIR=str(self.data.parent / "service-admin-home"))
        subprocess.run([PYTHON, "-m", "intake_app", "admin", "--data", str(self.data), *args], env=tree_env(env),
                       cwd=TREE,
                       check=True, capture_output=True, timeout=120)

    def __enter__(self) -> Self:
        self.data.mkdir(parents=True, exist_ok=True)
        if not self.demo:
            self._admin("company", "add", self.COMPANY, "--catch-all-name", "Helpdesk inbox",
                        "--catch-all-email", "helpdesk@bench.invalid")
            self._admin("key", "add", self.COMPANY, "--key", self.KEY)
        ready = self.data / "ready"
        cmd = [PYTHON, "-m", "intake_app", "serve", "--port", "0", "--data", str(self.data), "--ready-file", str(ready),
               "--log-level", "WARNING"] + (["--demo"] if self.demo else [])
        env = dict(os.environ, INTAKE_BASEDIR=str(self.data.parent / "service-home"))
        self.proc = start(cmd, env, self.log, stdout=subprocess.PIPE)  # start() applies tree_env()
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()
        if "url=" not in line:
            stop_process(self.proc)
            raise RuntimeError(f"the service did not start: {line!r}\n{self.log.read_text(errors='replace')[-2000:]}")
        self.url = line.split("url=", 1)[1].strip()
        return self

    @property
    def key(self) -> str:
        return "demo" if self.demo else self.KEY

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None


def workdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"intake-bench-{prefix}-"))


def read_trace(path: Path, event: str, *, wait: float = 0.0, after: float = 0.0) -> tuple[float, str] | None:
    """The first ``event`` line (time, detail) of a trace file (``_inapp.py``) after ``after``, waiting up to ``wait`` s."""
    deadline = time.monotonic() + wait
    while True:
        for when, name, detail in trace_lines(path):
            if name == event and when >= after:
                return when, detail
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def trace_lines(path: Path) -> list[tuple[float, str, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    lines = []
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) >= 2:
            try:
                lines.append((float(parts[0]), parts[1], parts[2] if len(parts) > 2 else ""))
            except ValueError:
                continue
    return lines


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
