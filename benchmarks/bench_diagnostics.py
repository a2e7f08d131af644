"""Benchmark: system snapshot, screen capture and encoding (a script, not a test).

    python benchmarks/bench_diagnostics.py [--runs 9] [--json results.json]

Prints medians over several runs: the snapshot; capture at 1920×1080 and 3840×2160 on
Xvfb displays this script starts itself (free display numbers, stopped at the end) with
screen-like content on them; encode time and bytes per format; and, in the same run, a
bare ``mss`` grab and bare encoder calls, so our overhead shows as a ratio.

Goals: snapshot < 300 ms; capture + PNG of 1080p within 1.5× of bare mss + the fastest
bare PNG encoder.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mss  # noqa: E402
import mss.tools  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from intake_app.diagnostics.capture import MssSource, capture_monitor  # noqa: E402
from intake_app.diagnostics.encode import encode_lossy, encode_png, thumbnail  # noqa: E402
from intake_app.diagnostics.snapshot import collect_snapshot  # noqa: E402

SIZES = ((1920, 1080), (3840, 2160))
GOAL_SNAPSHOT_MS = 300
GOAL_RATIO = 1.5

# Shows a PNG read from stdin full screen on $DISPLAY until killed (no window manager: exact placement).
VIEWER = """
import sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
pixmap = QPixmap(); pixmap.loadFromData(sys.stdin.buffer.read())
label = QLabel(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.X11BypassWindowManagerHint)
label.setPixmap(pixmap); label.setGeometry(0, 0, pixmap.width(), pixmap.height()); label.show()
def ready():
    if label.windowHandle() and label.windowHandle().isExposed():
        label.repaint(); app.sync(); print("READY", flush=True)
    else:
        QTimer.singleShot(20, ready)
QTimer.singleShot(0, ready)
app.exec()
"""


def ui_content(width: int, height: int, noise: bool) -> bytes:
    """Screen-like content (panels, text, a gradient); with ``noise`` 1/9 of it is random (a photo)."""
    image = Image.new("RGB", (width, height), (243, 243, 243))
    draw = ImageDraw.Draw(image)
    for x in range(width):
        draw.line((x, 0, x, 40), fill=(30 + x * 60 // width, 60, 120 + x * 100 // width))
    draw.rectangle((0, 40, width // 5, height), fill=(225, 228, 235))
    for y in range(60, height - 20, 18):
        draw.text((10, y), "Inbox  Drafts  Sent  Archive", fill=(40, 40, 40))
        draw.text((width // 5 + 20, y), "Error 0x80070005: Access is denied. The print spooler stopped at "
                  f"{y:05d} — Printer on floor 2 (HP LaserJet) is offline; retry or call the helpdesk.",
                  fill=(20, 20, 20))
    draw.rectangle((width * 3 // 5, height // 5, width * 4 // 5, height * 2 // 5), fill=(0, 120, 215))
    if noise:
        w, h = width // 3, height // 3
        image.paste(Image.frombytes("RGB", (w, h), os.urandom(w * h * 3)), (width // 3, height // 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


@contextmanager
def xvfb(width: int, height: int) -> Iterator[str]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def showing(display: str, png: bytes) -> Iterator[None]:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    proc = subprocess.Popen([sys.executable, "-c", VIEWER], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdin and proc.stdout
    proc.stdin.write(png)
    proc.stdin.close()
    if proc.stdout.readline().strip() != b"READY":
        proc.kill()
        raise RuntimeError("the content viewer did not come up")
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


def median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    fn()  # warm up (imports, caches, first-touch of buffers)
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def bench_snapshot(runs: int) -> dict[str, Any]:
    durations: list[float] = []
    per_probe: dict[str, list[float]] = {}
    collect_snapshot()  # first call pays for imports and psutil's caches
    for _ in range(runs):
        start = time.perf_counter()
        doc = collect_snapshot().document
        durations.append((time.perf_counter() - start) * 1000)
        for name, ms in doc["probe_ms"].items():
            per_probe.setdefault(name, []).append(ms)
    slowest = sorted(((statistics.median(v), k) for k, v in per_probe.items()), reverse=True)[:4]
    return {"median_ms": statistics.median(durations), "max_ms": max(durations), "runs": runs,
            "slowest_probes_ms": {k: round(v, 1) for v, k in slowest}}


def bare_pillow_png(raw: bytearray, size: tuple[int, int], level: int) -> bytes:
    out = io.BytesIO()
    Image.frombuffer("RGB", size, raw, "raw", "BGRX", 0, 1).save(out, "PNG", compress_level=level)
    return out.getvalue()


def bench_screen(width: int, height: int, noise: bool, runs: int) -> dict[str, Any]:
    row: dict[str, Any] = {"size": f"{width}x{height}", "content": "UI+noise" if noise else "UI"}
    with xvfb(width, height) as display, showing(display, ui_content(width, height, noise)):
        with mss.MSS(display=display) as sct:
            monitor = sct.monitors[1]
            row["bare_grab_ms"], shot = median_ms(lambda: sct.grab(monitor), runs)
        size = (shot.width, shot.height)
        bare: dict[str, Callable[[], Any]] = {
            "mss.tools.to_png level 1 (+ BGRA->RGB)": lambda: mss.tools.to_png(
                bytes(Image.frombuffer("RGB", size, shot.raw, "raw", "BGRX", 0, 1).tobytes()), size, level=1),
            "Pillow PNG compress_level 1": lambda: bare_pillow_png(shot.raw, size, 1),
            "Pillow PNG default (level 6)": lambda: bare_pillow_png(shot.raw, size, 6),
        }
        row["bare_png"] = {}
        for name, fn in bare.items():
            ms, data = median_ms(fn, runs)
            row["bare_png"][name] = {"ms": round(ms, 1), "bytes": len(data)}
        fastest = min(row["bare_png"].items(), key=lambda kv: kv[1]["ms"])
        row["fastest_bare_png"] = fastest[0]

        with MssSource(display) as source:
            row["capture_ms"], ours = median_ms(lambda: capture_monitor(1, source), runs)
        row["capture_with_connect_ms"], _ = median_ms(lambda: capture_monitor(1, MssSource(display)), runs)
        encoders: dict[str, Callable[[], Any]] = {
            "png (ours, level 1)": lambda: encode_png(ours),
            "jpeg q90": lambda: encode_lossy(ours, "jpeg", 90),
            "jpeg q85": lambda: encode_lossy(ours, "jpeg", 85),
            "webp q85": lambda: encode_lossy(ours, "webp", 85),
            "thumbnail 320 (png)": lambda: thumbnail(ours),
        }
        row["encode"] = {}
        for name, fn in encoders.items():
            ms, encoded = median_ms(fn, max(3, runs // 2) if "webp" in name else runs)
            row["encode"][name] = {"ms": round(ms, 1), "bytes": encoded.size}

        # the goal's comparison, interleaved run by run so both sides see the same machine load
        bare_png = bare[fastest[0]]
        with MssSource(display) as source, mss.MSS(display=display) as sct:
            ours_ms, bare_ms = interleaved(lambda: encode_png(capture_monitor(1, source)),
                                           lambda: bare_png_of(sct.grab(sct.monitors[1]), fastest[0]), runs)
    row["capture_png_ms"], row["bare_grab_plus_fastest_png_ms"] = ours_ms, bare_ms
    row["ratio"] = ours_ms / bare_ms
    return row


def bare_png_of(shot: Any, name: str) -> bytes:
    size = (shot.width, shot.height)
    if name.startswith("mss"):
        rgb = Image.frombuffer("RGB", size, shot.raw, "raw", "BGRX", 0, 1).tobytes()
        return mss.tools.to_png(rgb, size, level=1)  # type: ignore[return-value]
    return bare_pillow_png(shot.raw, size, 1 if "level 1" in name else 6)


def interleaved(ours: Callable[[], Any], bare: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Medians of A and B timed alternately (A, B, A, B, ...)."""
    ours()
    bare()
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        for fn, sink in ((ours, a), (bare, b)):
            start = time.perf_counter()
            fn()
            sink.append((time.perf_counter() - start) * 1000)
    return statistics.median(a), statistics.median(b)


def print_report(results: dict[str, Any]) -> None:
    snap = results["snapshot"]
    verdict = "ok" if snap["median_ms"] < GOAL_SNAPSHOT_MS else "OVER GOAL"
    print(f"\nSnapshot (all default probes), n={snap['runs']}: median {snap['median_ms']:.1f} ms, "
          f"max {snap['max_ms']:.1f} ms (goal < {GOAL_SNAPSHOT_MS} ms: {verdict})")
    print("  slowest probes (median ms): " + ", ".join(f"{k} {v}" for k, v in snap["slowest_probes_ms"].items()))
    for row in results["screens"]:
        print(f"\n{row['size']} {row['content']}, n={results['runs']} (medians)")
        print(f"  {'bare mss grab':42s} {row['bare_grab_ms']:8.1f} ms")
        print(f"  {'capture_monitor (open source)':42s} {row['capture_ms']:8.1f} ms")
        print(f"  {'capture_monitor (new connection)':42s} {row['capture_with_connect_ms']:8.1f} ms")
        for name, item in row["bare_png"].items():
            print(f"  bare {name:37s} {item['ms']:8.1f} ms {item['bytes']:>11,} B")
        for name, item in row["encode"].items():
            print(f"  {name:42s} {item['ms']:8.1f} ms {item['bytes']:>11,} B")
        ok = "ok" if row["ratio"] <= GOAL_RATIO else "OVER GOAL"
        print(f"  capture + PNG (ours) {row['capture_png_ms']:.1f} ms vs bare grab + fastest PNG "
              f"({row['fastest_bare_png']}) {row['bare_grab_plus_fastest_png_ms']:.1f} ms: "
              f"ratio {row['ratio']:.2f} (goal <= {GOAL_RATIO}: {ok})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per figure (median reported)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--no-screens", action="store_true", help="snapshot only (no Xvfb needed)")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"runs": args.runs, "cpus": os.cpu_count(),
                               "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
                               "snapshot": bench_snapshot(args.runs), "screens": []}
    if not args.no_screens:
        for width, height in SIZES:
            for noise in (False, True):
                results["screens"].append(bench_screen(width, height, noise, args.runs))
    print_report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
