"""Bundle size and start-up time: the PyInstaller onedir bundle beside running from source.

    .venv/bin/python benchmarks/bench_bundle.py [--runs 9] [--reuse | --rebuild]

Builds the bundle with ``build/build.sh`` when it is missing or older than the
sources (``--reuse`` takes it as it is). Start time is process start → tray
icon docked: each run starts the app on a private Xvfb with trayer
(``tests/ship/xsession.py``) and polls ``xwininfo -root -tree`` until our
window sits inside trayer's panel (polling adds a few ms). The app runs with
an admin file whose service is a closed loopback port, so no demo service
competes for the CPU; one warm-up run per variant is discarded, then the
median (min–max) of ``--runs`` is printed, with the machine's load average and
the app's CPU time until docked (user + system; a figure that other load on
the machine changes far less than the wall time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from ship import bundle  # noqa: E402
from ship.xsession import XSession, missing_tools  # noqa: E402

ADMIN_FILE = '[service]\nurl = "http://127.0.0.1:9"\nenrolment_key = "bench"\n'


def start_to_docked(command: list[str], x: XSession, work: Path) -> tuple[float, float]:
    """(wall, CPU) seconds from Popen to our icon docked in trayer; the app is stopped (and waited for) after.

    CPU is the app process's user+system time when docking was seen: far less sensitive than wall time
    to other work on the machine.
    """
    base = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    admin = base / "intake.toml"
    admin.write_text(ADMIN_FILE, encoding="utf-8")
    env = x.env | {"INTAKE_BASEDIR": str(base / "app"), "XDG_CONFIG_DIRS": str(base / "xdg"),
                   "XDG_CONFIG_HOME": str(base / "xdg-home")}
    stderr = (base / "stderr.txt").open("wb")
    start = time.monotonic()
    proc = subprocess.Popen([*command, "--no-dialogs", "--config", str(admin)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        docked_at = x.wait_for(lambda: x.is_docked() or proc.poll() is not None, 120, "the tray icon to dock")
        if proc.poll() is not None:
            raise SystemExit(f"{command[0]} exited with {proc.returncode} before docking:\n"
                             f"{(base / 'stderr.txt').read_text(errors='replace')[-3000:]}")
        times = psutil.Process(proc.pid).cpu_times()
        cpu = times.user + times.system
    finally:
        stderr.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    x.wait_for(lambda: not x.is_docked(), 30, "the icon to leave the tray")  # next run starts clean
    return docked_at - start, cpu


def version_time(command: list[str]) -> float:
    start = time.monotonic()
    subprocess.run([*command, "--version"], check=True, capture_output=True, cwd=ROOT, timeout=120)
    return time.monotonic() - start


def measure(name: str, command: list[str], runs: int, x: XSession, work: Path) -> dict[str, object]:
    start_to_docked(command, x, work)  # warm-up: file cache, font cache
    runs_ = [start_to_docked(command, x, work) for _ in range(runs)]
    docked, cpu = [wall for wall, _ in runs_], [used for _, used in runs_]
    version = [version_time(command) for _ in range(runs)]
    print(f"  {name}: docked {', '.join(f'{t:.3f}' for t in docked)}", flush=True)
    return {"name": name, "docked": docked, "cpu": cpu, "version": version}


def mb(size: int) -> str:
    return f"{size / 1e6:.0f} MB"


def dir_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="measured runs per variant (default 9)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--reuse", action="store_true", help="use the built bundle even if older than the sources")
    group.add_argument("--rebuild", action="store_true", help="always build first")
    args = parser.parse_args()
    if missing_tools():
        print(f"bench_bundle: needs {', '.join(missing_tools())} (Debian: xvfb trayer x11-utils)", file=sys.stderr)
        return 2

    build_seconds = None
    if args.rebuild or not (bundle.EXECUTABLE.is_file() and (args.reuse or bundle.is_fresh())):
        print("building the bundle (build/build.sh) ...", flush=True)
        build_seconds = bundle.build()
    variants = [("bundle (onedir)", [str(bundle.EXECUTABLE)]),
                ("from source (.venv)", [sys.executable, "-m", "intake_app"])]
    work = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    try:
        with XSession() as x:
            print(f"measuring {args.runs} runs each on {x.display} (load average before: "
                  f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}) ...", flush=True)
            results = [measure(name, command, args.runs, x, work) for name, command in variants]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    sizes = {"bundle (onedir)": f"{mb(bundle.du_bytes())} (du of build/dist/intake-app)",
             "from source (.venv)": f"{mb(dir_size(Path(sys.prefix)))} (the whole .venv, dev tools included)"}
    print()
    print(f"| variant | size | start → tray docked, median of {args.runs} (min–max) | CPU time until docked "
          "| `--version` |")
    print("|---|---|---|---|---|")
    for result in results:
        name = str(result["name"])
        print(f"| {name} | {sizes[name]} | {fmt(result['docked'])} | {fmt(result['cpu'])} "  # type: ignore[arg-type]
              f"| {fmt(result['version'])} |")  # type: ignore[arg-type]
    if build_seconds is not None:
        print(f"\nbuild: {build_seconds:.0f} s (build/build.sh, {os.cpu_count()} cores)")
    print(f"load average after: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
