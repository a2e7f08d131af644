"""The app's screen grab beside a bare mss grab of the same screens, on a 1920×1080 Xvfb.

    .venv/bin/python benchmarks/bench_capture.py [--runs 15] [--quick] [--tree DIR] [--json PATH]

In one helper process on a private display (so both sides share everything but
the code under test), timed alternately run by run:

* **bare mss grab**: ``with mss.MSS() as sct: [sct.grab(m) for m in sct.monitors[1:]]``
  (a fresh connection each time, as the app must make one per capture: mss
  objects belong to the thread that made them);
* **the app's grab**: ``intake_app.diagnostics.capture.capture_now()`` (a connection per call);
* **the screen grabber**: ``diagnostics.screen_grabber.ScreenGrabber().capture_now()`` called from
  another thread (one connection kept open on the grabber's own thread), what the tray app runs on a
  worker when the user asks for help (``ui.windows.default_capture``); and the same right after its
  idle close (a new connection, opened on its thread);
* **labelling**: ``ui.report.grabber.label_screenshots`` (the pixels as Pillow RGB images), the step the
  app adds on the worker before the window can be given the shots.

Also the first call in a fresh process (imports included) for both, and a grab
over an already open connection for reference. ``bench_report.py`` times the
same grab inside the running app from the click (``tray click → screens captured``).
Goal: the app's grab ≤ 1.5× the bare grab.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h

GOAL_RATIO = 1.5

HELPER = r"""
import json, statistics, sys, time
runs = int(sys.argv[1])
t0 = time.perf_counter()
if sys.argv[2] == "cold-bare":
    import mss
    with mss.MSS() as sct:
        shots = [sct.grab(m) for m in sct.monitors[1:]]
    print(json.dumps({"ms": (time.perf_counter() - t0) * 1000})); sys.exit(0)
if sys.argv[2] == "cold-app":
    from intake_app.diagnostics.capture import capture_now
    shots = capture_now()
    print(json.dumps({"ms": (time.perf_counter() - t0) * 1000})); sys.exit(0)
if sys.argv[2] == "cold-grabber":
    from intake_app.diagnostics.screen_grabber import ScreenGrabber
    shots = ScreenGrabber().capture_now()
    print(json.dumps({"ms": (time.perf_counter() - t0) * 1000})); sys.exit(0)
import mss
from intake_app.diagnostics.capture import capture_now
from intake_app.diagnostics.screen_grabber import ScreenGrabber
from concurrent.futures import ThreadPoolExecutor
from PIL import Image

def bare():
    with mss.MSS() as sct:
        return [sct.grab(m) for m in sct.monitors[1:]]

grabber = ScreenGrabber()
pool = ThreadPoolExecutor(1)  # the caller is a worker thread, as in the app
def held():
    return pool.submit(grabber.capture_now).result()
def reopened():
    grabber.close()
    return pool.submit(grabber.capture_now).result()
def labelled():
    shots = capture_now()
    start = time.perf_counter()
    [s.image() for s in shots]
    return (time.perf_counter() - start) * 1000

bare(); capture_now(); held()
a, b, c, d, e = [], [], [], [], []
for _ in range(runs):
    for fn, sink in ((bare, a), (capture_now, b), (held, c), (reopened, d)):
        start = time.perf_counter(); fn(); sink.append((time.perf_counter() - start) * 1000)
    e.append(labelled())
open_ = []
with mss.MSS() as sct:
    monitors = sct.monitors[1:]
    for _ in range(runs):
        start = time.perf_counter(); [sct.grab(m) for m in monitors]; open_.append((time.perf_counter() - start) * 1000)
    size = [(m["width"], m["height"]) for m in monitors]
print(json.dumps({"bare": a, "app": b, "grabber": c, "grabber_reopened": d, "label": e, "open": open_,
                  "monitors": size}))
"""


def measure(display: str, runs: int, env: dict[str, str]) -> dict[str, Any]:
    """Interleaved warm figures plus cold first calls (fresh processes), on ``display``."""
    env = h.tree_env(env | {"DISPLAY": display})

    def helper(mode: str, n: int = runs) -> dict[str, Any]:
        out = subprocess.run([h.PYTHON, "-c", HELPER, str(n), mode], env=env, cwd=h.TREE, capture_output=True,
                             text=True, timeout=300, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"capture helper failed: {out.stderr[-2000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    warm = helper("warm")
    helper("cold-bare", 1), helper("cold-app", 1), helper("cold-grabber", 1)  # fill the bytecode cache
    cold_bare, cold_app, cold_grabber = [], [], []
    for _ in range(max(3, runs // 3)):  # alternately, fresh processes
        cold_bare.append(helper("cold-bare", 1)["ms"])
        cold_app.append(helper("cold-app", 1)["ms"])
        cold_grabber.append(helper("cold-grabber", 1)["ms"])
    return {**warm, "cold_bare": cold_bare, "cold_app": cold_app, "cold_grabber": cold_grabber}


def run(args: argparse.Namespace) -> dict[str, Any]:
    runs = args.runs or (7 if args.quick else 15)
    with h.XSession(tray=False) as x:
        data = measure(x.display, runs, x.env)
    screens = " + ".join(f"{w}×{h_}" for w, h_ in data["monitors"])
    figures = [
        h.Figure(f"screens captured: capture_now() ({screens}), warm", "ms", data["app"],
                 f"≤ {GOAL_RATIO}× bare", data["bare"], GOAL_RATIO,
                 note="baseline: bare mss grab with a fresh connection, timed alternately"),
        h.Figure("screens captured: ScreenGrabber.capture_now(), connection held, from a worker", "ms",
                 data["grabber"], f"≤ {GOAL_RATIO}× bare", data["bare"], GOAL_RATIO,
                 note="what ui.windows.default_capture runs with the screen grabber wired in"),
        h.Figure("screens captured: ScreenGrabber right after its idle close (new connection)", "ms",
                 data["grabber_reopened"], f"≤ {GOAL_RATIO}× bare", data["bare"], GOAL_RATIO),
        h.Figure("labelling: Screenshot.image() for every screen (Pillow RGB)", "ms", data["label"]),
        h.Figure("screens captured: first call in a fresh process (imports included)", "ms", data["cold_app"],
                 "", data["cold_bare"]),
        h.Figure("screens captured: ScreenGrabber, first call in a fresh process", "ms", data["cold_grabber"],
                 "", data["cold_bare"]),
        h.Figure("bare mss grab over an open connection (reference)", "ms", data["open"]),
    ]
    return {"name": "capture", "runs": runs, "figures": [f.to_dict() for f in figures], "raw": data,
            "_figures": figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    h.add_common_arguments(parser, runs=15)
    args = parser.parse_args(argv)
    h.set_tree(args.tree)
    if h.missing_tools():
        print(f"bench_capture: needs {', '.join(h.missing_tools())}", file=sys.stderr)
        return 0
    result = run(args)
    h.print_table(f"Screen capture (median of {result['runs']} alternate runs)", result.pop("_figures"))
    if args.json:
        h.write_json(Path(args.json), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
