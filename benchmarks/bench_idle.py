"""Light at rest: memory and CPU of the idle tray app beside the minimal tray script, same run.

    .venv/bin/python benchmarks/bench_idle.py [--runs 3] [--idle 60] [--quick] [--tree DIR] [--json PATH]

Starts, side by side, ``--runs`` instances each of the baseline tray script,
the deployed app (admin file → a separately running ``intake-app serve``,
whose memory is not counted) and the demo app (``--demo``: its demo service is
a child process and is counted), every one on its own Xvfb + trayer (separate
user folders, so none hands over to another). Once all have docked and gone
quiet, for ``--idle`` seconds (60; ``--quick``: 10):

* **CPU**: user + system time of the process tree over the window, in % of one core;
* **wake-ups**: voluntary context switches of its threads per second (timers, sockets:
  anything that wakes the process), per thread in the JSON;
* **memory** at the end: RSS summed over the tree (the goal's measure), and PSS/USS
  (shared library pages split between processes / private pages only).

Then each app lists its live QTimers (``_inapp.py`` on SIGUSR1: interval, single
shot or repeating, active). Goals: RSS deployed ≤ 1.2× baseline; RSS demo (all
processes) ≤ 2× baseline; CPU < 0.5 %; no active repeating timer faster than
the policy's refresh interval.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h

RUNNER = "_inapp.py"
REFRESH_S = 120  # core.policy.DEFAULT_REFRESH_SECONDS: the service's policy may say otherwise
GOALS = {"deployed_rss": 1.2, "demo_rss": 2.0, "cpu_pct": 0.5}


def run(args: argparse.Namespace) -> dict[str, Any]:
    runs = args.runs or (1 if args.quick else 3)
    idle = args.idle or (10.0 if args.quick else 60.0)
    work = h.workdir("idle")
    compare = Path(args.compare_tree).resolve() if getattr(args, "compare_tree", None) else None
    kinds = ("baseline", "deployed", "demo") + (("other",) if compare else ())
    instances: list[dict[str, Any]] = []
    with h.Service(work) as service, contextlib.ExitStack() as stack:
        for n in range(runs):
            for kind in kinds:
                x = stack.enter_context(h.XSession())
                name = f"{kind}-{n}"
                dirs = h.make_dirs(work, name, service.url if kind in ("deployed", "other") else None, service.key)
                trace = work / f"{name}.trace"
                cmd = (h.baseline_command() if kind == "baseline"
                       else h.app_command(dirs, demo=kind == "demo", runner=RUNNER))
                assert x.watch is not None
                mark = x.watch.mark()
                proc = h.start(cmd, dirs.env(x, {"INTAKE_BENCH_TRACE": str(trace)}), work / f"{name}.log",
                               tree=compare if kind == "other" else None)
                stack.callback(h.stop_process, proc)
                x.watch.wait_docked(mark, timeout=120)
                instances.append({"kind": kind, "name": name, "proc": proc, "trace": trace})
        print(f"  {len(instances)} processes docked; waiting until all are quiet ...", flush=True)
        for inst in instances:
            h.wait_quiet(inst["proc"].pid, min_wait=0, timeout=30)
        time.sleep(5.0 if not args.quick else 1.0)  # the app's own deferred work (e.g. a warm-up) is over
        start = time.monotonic()
        for inst in instances:
            pid = inst["proc"].pid
            inst["cpu0"] = h.cpu_seconds(h.tree(pid))
            inst["threads0"] = {f"{p.pid}:{k}": v for p in h.tree(pid) for k, v in h.thread_wakeups(p.pid).items()}
        print(f"  measuring {idle:.0f} s of idle ...", flush=True)
        time.sleep(idle)
        elapsed = time.monotonic() - start
        for inst in instances:
            pid = inst["proc"].pid
            procs = h.tree(pid)
            inst["cpu_pct"] = (h.cpu_seconds(procs) - inst["cpu0"]) / elapsed * 100
            threads = {f"{p.pid}:{k}": v for p in procs for k, v in h.thread_wakeups(p.pid).items()}
            # per thread: a pool thread that ended during the window (Qt ends idle ones after 30 s) takes
            # its count with it, so process totals could even go down
            woke = {k: v - inst["threads0"].get(k, 0) for k, v in threads.items()}
            inst["wakeups_per_s"] = sum(max(0, n) for n in woke.values()) / elapsed
            inst["thread_wakeups_per_s"] = {k: round(n / elapsed, 2) for k, n in woke.items() if n > 0}
            mem = h.memory(pid)
            inst.update(rss=mem.rss, pss=mem.pss, uss=mem.uss, processes=mem.processes)
        for inst in instances:  # after the figures: the dump itself wakes the app
            if inst["kind"] != "baseline":
                os.kill(inst["proc"].pid, signal.SIGUSR1)
        for inst in instances:
            if inst["kind"] != "baseline":
                h.read_trace(inst["trace"], "timers-done", wait=10)
                inst["timers"] = [detail for _, event, detail in h.trace_lines(inst["trace"]) if event == "timer"]
    return summarize(instances, runs, idle, compare)


def summarize(instances: list[dict[str, Any]], runs: int, idle: float, compare: Path | None = None) -> dict[str, Any]:
    def values(kind: str, key: str) -> list[float]:
        return [i[key] for i in instances if i["kind"] == kind]

    base_rss = values("baseline", "rss")
    figures = [
        h.Figure("idle RSS after the window, deployed (remote service)", "MB", values("deployed", "rss"),
                 f"≤ {GOALS['deployed_rss']}× baseline", base_rss, GOALS["deployed_rss"]),
        h.Figure("idle RSS after the window, demo mode, all the app's processes", "MB", values("demo", "rss"),
                 f"≤ {GOALS['demo_rss']}× baseline", base_rss, GOALS["demo_rss"]),
        h.Figure("idle PSS, deployed", "MB", values("deployed", "pss"), "", values("baseline", "pss"),
                 note="shared library pages split between the processes that map them"),
        h.Figure("idle PSS, demo mode, all processes", "MB", values("demo", "pss"), "", values("baseline", "pss")),
        h.Figure("idle CPU, deployed", "%", values("deployed", "cpu_pct"), f"< {GOALS['cpu_pct']} %",
                 limit=GOALS["cpu_pct"], strict=True),
        h.Figure("idle CPU, demo mode, all processes", "%", values("demo", "cpu_pct"), f"< {GOALS['cpu_pct']} %",
                 limit=GOALS["cpu_pct"], strict=True),
        h.Figure("idle CPU, baseline", "%", values("baseline", "cpu_pct")),
        h.Figure("wake-ups per second, deployed", "/s", values("deployed", "wakeups_per_s"), "",
                 values("baseline", "wakeups_per_s")),
        h.Figure("wake-ups per second, demo mode, all processes", "/s", values("demo", "wakeups_per_s"), "",
                 values("baseline", "wakeups_per_s")),
    ]
    if compare is not None:
        figures[1:1] = [
            h.Figure(f"idle RSS after the window, deployed, {compare}", "MB", values("other", "rss"),
                     f"≤ {GOALS['deployed_rss']}× baseline", base_rss, GOALS["deployed_rss"]),
            h.Figure(f"idle USS, deployed, {compare}", "MB", values("other", "uss"), "", values("deployed", "uss"),
                     note="baseline here: the deployed app of the measured tree"),
        ]
    timers: dict[str, list[str]] = {}
    fast: list[str] = []
    for inst in instances:
        if inst["kind"] == "baseline" or inst["name"].endswith(("-1", "-2")):
            continue
        timers[inst["kind"]] = inst.get("timers", [])
        for line in inst.get("timers", []):
            interval, mode, state = line.split()[:3]
            if mode == "repeat" and state == "active" and int(interval) < REFRESH_S * 1000:
                fast.append(f"{inst['kind']}: {line}")
    keep = ("kind", "name", "cpu_pct", "wakeups_per_s", "thread_wakeups_per_s", "rss", "pss", "uss", "processes",
            "timers")
    return {"name": "idle", "runs": runs, "idle_s": idle, "figures": [f.to_dict() for f in figures],
            "instances": [{k: i.get(k) for k in keep} for i in instances], "timers": timers,
            "fast_repeating_timers": fast, "load_after": h.load_average(), "_figures": figures}


def print_details(result: dict[str, Any]) -> None:
    for kind, lines in result["timers"].items():
        print(f"QTimers alive in the {kind} app after the idle window (interval ms, mode, state, parent, name):")
        for line in sorted(lines, key=lambda t: int(t.split()[0])):
            print(f"    {line}")
    fast = result["fast_repeating_timers"]
    print(f"active repeating timers faster than the {REFRESH_S} s refresh: {', '.join(fast) if fast else 'none'}")
    for inst in result["instances"]:
        if inst["name"].endswith("-0"):
            busiest = sorted(inst["thread_wakeups_per_s"].items(), key=lambda kv: -kv[1])[:4]
            print(f"  {inst['name']}: {inst['wakeups_per_s']:.2f} wake-ups/s; busiest threads: "
                  + (", ".join(f"{k} {v}/s" for k, v in busiest) or "none"))
            for proc in inst["processes"]:
                print(f"      pid {proc['pid']} {proc['cmd']}: RSS {proc['rss_mb']} MB, PSS {proc['pss_mb']} MB, "
                      f"USS {proc['uss_mb']} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    h.add_common_arguments(parser, runs=3)
    parser.add_argument("--idle", type=float, help="seconds of idle measured (default 60; --quick: 10)")
    parser.add_argument("--compare-tree", metavar="DIR", help="also run the deployed app of this checkout, side by side")
    args = parser.parse_args(argv)
    h.set_tree(args.tree)
    if h.missing_tools():
        print(f"bench_idle: needs {', '.join(h.missing_tools())}", file=sys.stderr)
        return 0
    result = run(args)
    h.print_table(f"Idle ({result['idle_s']:.0f} s window, median of {result['runs']} instances each, run side by "
                  "side)", result.pop("_figures"))
    print_details(result)
    if args.json:
        h.write_json(Path(args.json), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

