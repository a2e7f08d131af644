"""Process start → tray icon docked: the app beside the minimal PySide6 tray script, in the same run.

    .venv/bin/python benchmarks/bench_startup.py [--runs 9] [--quick] [--tree DIR] [--json PATH]

"Docked" is seen from outside, without polling: the moment trayer reparents
the icon's XEmbed window (ReparentNotify on the root window, ``_x11.XWatch``).
Runs are interleaved (baseline, deployed, demo, baseline, ...) so every variant
sees the same machine load; one warm-up round is discarded. Variants:

* **baseline**: ``benchmarks/baseline_tray.py``;
* **deployed**: ``python -m intake_app`` with an admin file pointing at a
  separately running ``intake-app serve`` (the device enrolled beforehand);
* **demo**: ``python -m intake_app --demo`` (its demo service child is started
  after the icon; the figure "docked → demo service ready" shows that order).

Also printed: CPU time (user + system) the process used until docked, which
other load on the machine disturbs far less than wall time.
Goal: deployed start → docked ≤ 1.3× the baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h

GOAL_RATIO = 1.3
RUNNER = "_inapp.py"  # runs intake_app.cli.main() itself, plus a trace line when the icon is shown


def one_start(x: h.XSession, cmd: list[str], dirs: h.AppDirs, log: Path,
              ready_file: Path | None = None, tree: Path | None = None) -> dict[str, float]:
    """Start ``cmd``, wait for the dock, stop it. Seconds from Popen to docked, CPU until then."""
    assert x.watch is not None
    if ready_file is not None:
        ready_file.unlink(missing_ok=True)
    trace = log.with_suffix(".trace")
    trace.unlink(missing_ok=True)
    mark = x.watch.mark()
    wall0, t0 = time.time(), time.monotonic()
    proc = h.start(cmd, dirs.env(x, {"INTAKE_BENCH_TRACE": str(trace)}), log, tree=tree)
    try:
        event = x.watch.wait_docked(mark, timeout=120)
        try:
            times = psutil.Process(proc.pid).cpu_times()
            cpu = times.user + times.system
        except psutil.NoSuchProcess:
            cpu = float("nan")
        result = {"docked_ms": (event.at - t0) * 1000, "cpu_ms": cpu * 1000}
        shown = h.read_trace(trace, "tray-show", wait=5)
        if shown is not None:
            result["shown_ms"] = (shown[0] - t0) * 1000
            result["cpu_shown_ms"] = float(shown[1].split("=")[1])
        if ready_file is not None:  # the demo service writes its URL here once it accepts connections
            deadline = time.monotonic() + 60
            while not ready_file.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            if ready_file.exists():
                result["service_ready_after_dock_ms"] = (ready_file.stat().st_mtime - wall0) * 1000 - \
                    result["docked_ms"]
        h.wait_quiet(proc.pid, timeout=15)  # let it finish starting before it is stopped
        return result
    finally:
        h.stop_process(proc)
        x.watch.mark()


def run(args: argparse.Namespace) -> dict[str, Any]:
    runs = args.runs or (3 if args.quick else 9)
    compare = Path(args.compare_tree).resolve() if getattr(args, "compare_tree", None) else None
    work = h.workdir("startup")
    samples: dict[str, list[dict[str, float]]] = {"baseline": [], "deployed": [], "demo": []}
    load_before = h.load_average()
    with h.Service(work) as service, h.XSession() as x:
        deployed = h.make_dirs(work, "deployed", service.url, service.key)
        demo = h.make_dirs(work, "demo", None)
        baseline = h.make_dirs(work, "baseline", None)
        ready = demo.base / "app" / "data" / "demo-service" / "service.ready"
        variants: dict[str, tuple[list[str], h.AppDirs, Path | None, Path | None]] = {
            "baseline": (h.baseline_command(), baseline, None, None),
            "deployed": (h.app_command(deployed, runner=RUNNER), deployed, None, None),
            "demo": (h.app_command(demo, demo=True, runner=RUNNER), demo, ready, None),
        }
        if compare is not None:  # the same deployed start from another checkout, interleaved with the rest
            variants["deployed, other tree"] = (h.app_command(deployed, runner=RUNNER), deployed, None, compare)
            samples["deployed, other tree"] = []
        for round_ in range(runs + 1):  # round 0 warms the file cache and creates the app's files
            for name, (cmd, dirs, ready_file, tree) in variants.items():
                result = one_start(x, cmd, dirs, work / f"{name}.log", ready_file, tree)
                if round_:
                    samples[name].append(result)
            print(f"  round {round_}/{runs}: " + ", ".join(
                f"{n} {s[-1]['docked_ms']:.0f} ms" for n, s in samples.items() if s and round_), flush=True)
        demo_dir_found = ready.parent.is_dir()
    base_ms = [s["docked_ms"] for s in samples["baseline"]]
    figures = [
        h.Figure("start → tray docked, deployed (admin file, remote service)", "ms",
                 [s["docked_ms"] for s in samples["deployed"]], f"≤ {GOAL_RATIO}× baseline", base_ms, GOAL_RATIO),
        h.Figure("start → tray docked, demo mode", "ms", [s["docked_ms"] for s in samples["demo"]],
                 f"≤ {GOAL_RATIO}× baseline", base_ms, GOAL_RATIO,
                 note="the demo service child starts after the icon (SPEC §5)"),
        h.Figure("CPU time until the icon is shown, deployed (in-process)", "ms",
                 [s["cpu_shown_ms"] for s in samples["deployed"] if "cpu_shown_ms" in s], "",
                 [s["cpu_shown_ms"] for s in samples["baseline"] if "cpu_shown_ms" in s],
                 note="less disturbed by other load than wall time; before show() no worker of ours runs"),
    ]
    if compare is not None:
        figures.insert(1, h.Figure(f"start → tray docked, deployed, {compare}", "ms",
                                   [s["docked_ms"] for s in samples["deployed, other tree"]],
                                   f"≤ {GOAL_RATIO}× baseline", base_ms, GOAL_RATIO))
        figures.append(h.Figure(f"CPU time until the icon is shown, deployed, {compare}", "ms",
                                [s["cpu_shown_ms"] for s in samples["deployed, other tree"] if "cpu_shown_ms" in s],
                                "", [s["cpu_shown_ms"] for s in samples["baseline"] if "cpu_shown_ms" in s]))
    after = [s["service_ready_after_dock_ms"] for s in samples["demo"] if "service_ready_after_dock_ms" in s]
    if after:
        figures.append(h.Figure("demo: tray docked → demo service ready", "ms", after, "> 0 (icon first)", limit=None,
                                note="positive: the icon shows before the service is up"))
    elif not demo_dir_found:
        print("  (the demo service's ready file was not found: its folder moved?)", flush=True)
    return {"name": "startup", "runs": runs, "load_before": load_before, "load_after": h.load_average(),
            "figures": [f.to_dict() for f in figures], "samples": samples, "_figures": figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    h.add_common_arguments(parser, runs=9)
    parser.add_argument("--compare-tree", metavar="DIR",
                        help="also time the deployed start of this checkout, interleaved (to measure a change)")
    args = parser.parse_args(argv)
    h.set_tree(args.tree)
    if h.missing_tools():
        print(f"bench_startup: needs {', '.join(h.missing_tools())}", file=sys.stderr)
        return 0
    result = run(args)
    h.print_table(f"Start-up (median of {result['runs']} interleaved runs; load {result['load_before']} → "
                  f"{result['load_after']})", result.pop("_figures"))
    if args.json:
        h.write_json(Path(args.json), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
