"""Every benchmark of the issue "Fast to open, light at rest", one table, one JSON file (``make bench``).

    .venv/bin/python benchmarks/run_all.py [--quick] [--tree DIR] [--only NAME ...]
                                           [--json benchmarks/results/latest.json] [--markdown PATH]

Runs, in this order, each printing its own table: ``bench_startup``, ``bench_report``,
``bench_capture``, the snapshot part of ``bench_diagnostics`` (a colleague's script,
called as it is), ``bench_submit``, ``bench_idle``, ``bench_service_load``. Then the
summary: one line per goal of the issue, each the median of several runs, set
beside its baseline measured in the same run where the goal is a ratio, and
marked ``ok`` / ``MISSED`` / ``report``. Every private X server, tray host,
service and app it started is stopped again.

It fails nothing: a missed goal, or a benchmark that could not run (its error is
printed and kept in the JSON), still ends with exit status 0. The default run
takes the real 60 s idle windows (about 6–8 minutes in all); ``--quick`` is for
iterating (fewer runs, 10 s idle windows) and its figures are not the ones to quote.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import _harness as h
import bench_capture
import bench_idle
import bench_report
import bench_service_load
import bench_startup
import bench_submit

DEFAULT_JSON = BENCH / "results" / "latest.json"
SNAPSHOT_GOAL_MS = 300


def snapshot(args: argparse.Namespace) -> dict[str, Any]:
    """The diagnostics snapshot, timed by ``bench_diagnostics.py --no-screens`` (its own process and method)."""
    out_file = h.workdir("snapshot") / "diagnostics.json"
    runs = args.runs or (5 if args.quick else 15)
    done = subprocess.run([h.PYTHON, str(BENCH / "bench_diagnostics.py"), "--no-screens", "--runs", str(runs),
                           "--json", str(out_file)], env=h.tree_env(dict(os.environ)), cwd=h.ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    print(done.stdout.rstrip())
    if done.returncode != 0:
        raise RuntimeError(f"bench_diagnostics.py failed:\n{done.stderr[-2000:]}")
    data = json.loads(out_file.read_text())
    snap = data["snapshot"]
    figure = h.Figure("diagnostics snapshot (all default probes)", "ms", [snap["median_ms"]],
                      f"≤ {SNAPSHOT_GOAL_MS} ms", limit=SNAPSHOT_GOAL_MS,
                      note=f"median of {snap['runs']} by bench_diagnostics.py; max {snap['max_ms']:.0f} ms")
    return {"name": "snapshot", "figures": [figure.to_dict()], "raw": data, "_figures": [figure]}


BENCHMARKS = {
    "startup": bench_startup.run,
    "report": bench_report.run,
    "capture": bench_capture.run,
    "snapshot": snapshot,
    "submit": bench_submit.run,
    "idle": bench_idle.run,
    "service_load": bench_service_load.run,
}


def find(results: dict[str, Any], bench: str, prefix: str) -> h.Figure | None:
    for figure in results.get(bench, {}).get("_figures", []):
        if figure.name.startswith(prefix):
            return figure
    return None


def summary(results: dict[str, Any]) -> list[h.Figure]:
    """One line per goal of the issue, in its order."""
    lines: list[h.Figure | None] = [
        find(results, "startup", "start → tray docked, deployed (admin"),
        find(results, "report", "tray click → report window painted (first open)"),
    ]
    bare = results.get("capture", {}).get("raw", {}).get("bare")
    for name, label, note in (
            ("tray click → screens grabbed (pixels in), in the app (first open)",
             "tray click → screens captured, 1080p (first open, in the app: pixels in)",
             "what a bare grab delivers; baseline: bare mss grab with a fresh connection, same run (bench_capture)"),
            ("tray click → screens captured, in the app (first open)",
             "tray click → screenshots ready for the window (+ pictures and thumbnails, on the worker)",
             "the same grab plus the conversion the window needs, against the same bare grab")):
        figure = find(results, "report", name)
        if figure is not None and bare:
            lines.append(h.Figure(label, "ms", figure.samples, f"≤ {bench_capture.GOAL_RATIO}× bare mss grab", bare,
                                  bench_capture.GOAL_RATIO, note=note))
    lines.append(find(results, "capture", "screens captured: capture_now()"))
    lines.append(find(results, "snapshot", "diagnostics snapshot"))
    gui = results.get("report", {}).get("diagnostics_on_gui_thread")
    if gui is not None:
        lines.append(h.Figure("diagnostics calls on the GUI thread while opening the report", "calls",
                              [float(len(gui))], "0 (never)", limit=0, note=", ".join(gui)))
    lines += [
        find(results, "submit", "submit with two 1080p screenshots"),
        find(results, "idle", "idle RSS after the window, deployed"),
        find(results, "idle", "idle RSS after the window, demo mode"),
        find(results, "idle", "idle CPU, deployed"),
        find(results, "idle", "idle CPU, demo mode"),
    ]
    fast = results.get("idle", {}).get("fast_repeating_timers")
    if fast is not None:
        lines.append(h.Figure(f"active repeating QTimers faster than the {bench_idle.REFRESH_S} s refresh", "timers",
                              [float(len(fast))], "0", limit=0, note="; ".join(fast)))
    lines += [
        find(results, "service_load", "service: tickets accepted per second"),
        find(results, "service_load", "service: POST /tickets → 202, p99"),
    ]
    return [line for line in lines if line is not None]


def markdown(figures: list[h.Figure], meta: dict[str, Any]) -> str:
    rows = [(f"Measured {meta['date']} on {meta['machine'].get('os', '?')}, {meta['machine'].get('cpu_model', '?')} "
            f"({meta['machine']['cpus']} cores, {meta['machine']['memory_gib']} GiB), Python "
            f"{meta['machine']['python']}, PySide6 {meta['machine'].get('pyside6', '?')}; load average "
            f"{meta['load_before']} before, {meta['load_after']} after; "
            f"`{meta['command']}` ({meta['seconds']:.0f} s)."), "",
            "| figure | median (min–max, n) | baseline, same run | ratio | goal | verdict |", "|---|---|---|---|---|---|"]
    for f in figures:
        spread = (f"{h.fmt(f.value, f.unit)} ({h.fmt(min(f.samples), f.unit)}–{h.fmt(max(f.samples), f.unit)}, "
                  f"n={len(f.samples)})") if len(f.samples) > 1 else h.fmt(f.value, f.unit)
        base = h.fmt(f.baseline, f.unit) if f.baseline is not None else "—"
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        rows.append(f"| {f.name} | {spread} | {base} | {ratio} | {f.goal or '—'} | {f.verdict()} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    h.add_common_arguments(parser, runs=0)
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these benchmarks")
    parser.add_argument("--markdown", metavar="PATH", help="also write the summary table as Markdown")
    parser.set_defaults(json=str(DEFAULT_JSON))
    args = parser.parse_args(argv)
    args.runs = args.runs or None  # each benchmark's own default
    args.idle, args.seconds, args.clients, args.compare_tree = None, None, 20, None
    h.set_tree(args.tree)
    if h.missing_tools():
        print(f"run_all: needs {', '.join(h.missing_tools())} (Debian: xvfb trayer); nothing measured")
        return 0
    started, load_before = time.monotonic(), h.load_average()
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, bench in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        print(f"\n=== {name} ===", flush=True)
        try:
            results[name] = bench(args)
            h.print_table(name, results[name]["_figures"])
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            errors[name] = traceback.format_exc()
            print(f"{name} could not run:\n{errors[name]}", flush=True)
    figures = summary(results)
    meta = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": h.machine(),
            "load_before": load_before, "load_after": h.load_average(), "quick": args.quick,
            "tree": str(h.TREE), "seconds": time.monotonic() - started,
            "command": "python benchmarks/run_all.py" + (" --quick" if args.quick else "")
            + (f" --tree {args.tree}" if args.tree else "")}
    h.print_table(f"Summary ({'QUICK: not for quoting; ' if args.quick else ''}{meta['date']}, "
                  f"{meta['machine']['cpus']} cores, load {load_before} → {meta['load_after']})", figures)
    for name in errors:
        print(f"NOT MEASURED: {name} (see above)")
    document = {"meta": meta, "summary": [f.to_dict() for f in figures], "errors": errors,
                "benchmarks": {k: {kk: vv for kk, vv in v.items() if kk != "_figures"} for k, v in results.items()}}
    h.write_json(Path(args.json), document)
    print(f"\nJSON: {args.json}")
    if args.markdown:
        Path(args.markdown).write_text(markdown(figures, meta), encoding="utf-8")
        print(f"Markdown: {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
