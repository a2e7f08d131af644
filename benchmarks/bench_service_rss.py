"""The demo service child at rest: RSS / PSS / USS, where its memory goes, and which modules it holds.

Starts ``intake-app serve --demo --port 0 --data DIR --ready-file FILE`` exactly as the tray app's demo
mode does (``intake_app.client.demo.service_command``), makes the calls a freshly started app makes
(enrol with the key ``demo``, ``/me``, ``/meta``, ``/tickets``) unless ``--no-requests``, waits until
the process is quiet, sleeps ``--idle`` seconds and reads ``/proc/PID/smaps``. Two kinds of start:

* ``fresh``: an empty data folder (the first start ever, and every ``bench_idle`` demo instance: the
  schema is created there),
* ``existing``: a data folder a previous start already set up (every later start of the app).

All instances of one round run side by side (and, with ``--compare-tree DIR``, the other checkout's
beside them), so a busy machine moves both alike. One more instance per kind, started through a tiny
launcher, lists the modules loaded at rest (not measured). Prints figures, never fails on them::

    .venv/bin/python benchmarks/bench_service_rss.py                 # 3 rounds, 30 s idle
    .venv/bin/python benchmarks/bench_service_rss.py --quick         # 1 round, 10 s
    .venv/bin/python benchmarks/bench_service_rss.py --compare-tree /tmp/svc-scratch --runs 5
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import _harness as h

# Modules a demo (local connector) service does not need at rest: ours to keep out ...
AVOIDABLE = ("alembic", "mako", "pygments", "smtplib", "intake_app.service.mailer", "intake_app.service.connectors.rt",
             "intake_app.service.connectors.connectwise", "intake_app.service.connectors.email", "httptools", "uvloop",
             "websockets", "wsproto", "sqlalchemy.orm")
# ... and those FastAPI, uvicorn or SQLAlchemy load by themselves on import (fastapi.telemetry, FastAPI's
# pydantic.v1 check, uvicorn.main's click and multiprocessing, the sqlite dialect package's aiosqlite module)
THEIRS = ("pydantic.v1", "opentelemetry", "click", "multiprocessing", "email", "ssl", "python_multipart",
          "sqlalchemy.dialects.sqlite.aiosqlite")
LAUNCHER = """
import os, sys, threading, time
flag, out = sys.argv.pop(1), sys.argv.pop(1)
probe = os.environ.get("INTAKE_BENCH_PROBE", "")
if probe:  # --probe: on SIGUSR2, release memory the way a change to the service would
    import ctypes, gc, signal
    def _probe(*_):
        if probe == "trim":
            ctypes.CDLL(None).malloc_trim(0)
        else:
            gc.collect()
            if probe == "freeze":
                gc.freeze()
    signal.signal(signal.SIGUSR2, _probe)
def dump():
    while not os.path.exists(flag):
        time.sleep(0.2)
    with open(out, "w") as fh:
        fh.write("\\n".join(sorted(sys.modules)))
if flag != "-":
    threading.Thread(target=dump, daemon=True).start()
from intake_app.cli import main
sys.exit(main())
"""


def serve_command(data: Path, launcher: tuple[Path | str, Path | str] | None = None) -> list[str]:
    head = [h.PYTHON, "-c", LAUNCHER, *map(str, launcher), "serve"] if launcher else [h.PYTHON, "-m", "intake_app", "serve"]
    return [*head, "--demo", "--port", "0", "--data", str(data), "--ready-file", str(data / "service.ready")]


def start(data: Path, tree: Path, log: Path, launcher: tuple[Path | str, Path | str] | None = None,
          probe: str = "") -> dict[str, Any]:
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, INTAKE_BASEDIR=str(data.parent / (data.name + "-home")), INTAKE_BENCH_PROBE=probe)
    launcher = launcher or (("-", "-") if probe else None)
    proc = h.start(serve_command(data, launcher), env, log, stdout=subprocess.PIPE, tree=tree)
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    if "url=" not in line:
        h.stop_process(proc)
        raise RuntimeError(f"the service did not start: {line!r}\n{log.read_text(errors='replace')[-2000:]}")
    return {"proc": proc, "url": line.split("url=", 1)[1].strip()}


def call(url: str, method: str, path: str, token: str = "", body: dict[str, Any] | None = None) -> Any:
    req = urllib.request.Request(url + "/api/v1" + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def first_contact(url: str, submit: bool = False) -> None:
    """What the tray app does once its demo service is ready: enrol, then fetch the user, policy, tickets;
    with ``submit``, then what a user trying the demo does: a ticket with two 1.5 MB screenshots."""
    token = call(url, "POST", "/enroll", body={"enrolment_key": "demo", "device_name": "bench",
                                               "user_name": "Bench User", "user_email": "bench@example.invalid"})["token"]
    for path in ("/me", "/meta", "/tickets?scope=mine"):
        call(url, "GET", path, token)
    if submit:
        sys.path.insert(0, str(h.ROOT))
        from intake_app.client.multipart import build_ticket_request
        from intake_app.core.ticket import Attachment, AttachmentKind, Contact, ContactMethod, TicketDraft

        shots = [Attachment(f"screen {n}.png", b"\x89PNG\r\n\x1a\n" + os.urandom(1_500_000), AttachmentKind.SCREENSHOT)
                 for n in (1, 2)]
        draft = TicketDraft(summary="The printer says offline", description="Since this morning.",
                            device_name="bench", contact=Contact("Bench User", "bench@example.invalid", "", "Demo company"),
                            contact_method=ContactMethod.EMAIL, contact_method_detail="bench@example.invalid")
        built = build_ticket_request(draft, shots)
        req = urllib.request.Request(url + "/api/v1/tickets", method="POST", data=built.body)
        req.add_header("Content-Type", built.content_type)
        req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=60) as answer:
            answer.read()


def smaps_groups(pid: int) -> dict[str, int]:
    """RSS in kB by mapping: ``[anon]`` (Python objects, malloc arenas), ``[heap]``, ``[stack]``, each file."""
    groups: collections.Counter[str] = collections.Counter()
    name = ""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/smaps", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if "-" in parts[0] and len(parts) >= 5 and ":" in parts[3]:
                name = parts[5].rsplit("/", 1)[-1] if len(parts) > 5 else "[anon]"
            elif parts[0] == "Rss:":
                groups[name] += int(parts[1])
    return dict(groups)


def measure(inst: dict[str, Any]) -> None:
    pid = inst["proc"].pid
    mem = h.memory(pid)
    inst.update(rss=mem.rss, pss=mem.pss, uss=mem.uss, smaps=smaps_groups(pid),
                threads=len(list(Path(f"/proc/{pid}/task").iterdir())))


def run(args: argparse.Namespace) -> dict[str, Any]:
    runs = args.runs or (1 if args.quick else 3)
    idle = args.idle if args.idle is not None else (10.0 if args.quick else 30.0)
    trees = {"checkout": h.TREE} | ({"other": Path(args.compare_tree).resolve()} if args.compare_tree else {})
    kinds = ("fresh", "existing") if args.database == "both" else (args.database,)
    work = h.workdir("service-rss")
    print(f"  work folder {work}; load {h.load_average()}", flush=True)
    for label, tree in trees.items():  # the existing databases, and the bytecode cache filled
        for n in range(runs):
            data = work / f"{label}-existing-{n}"
            inst = start(data, tree, work / f"{label}-setup.log")
            h.stop_process(inst["proc"])
    instances: list[dict[str, Any]] = []
    modules: dict[str, list[str]] = {}
    for n in range(runs):
        with contextlib.ExitStack() as stack:
            round_: list[dict[str, Any]] = []
            for label, tree in trees.items():
                for kind in kinds:
                    data = work / f"{label}-{kind}-{n}"
                    inst = start(data, tree, work / f"{label}-{kind}-{n}.log", probe=args.probe or "") \
                        | {"tree": label, "kind": kind}
                    stack.callback(h.stop_process, inst["proc"])
                    if not args.no_requests:
                        first_contact(inst["url"], args.submit)
                    round_.append(inst)
                    if n == 0:  # the modules, from an unmeasured twin started through the launcher
                        twin_dir = work / f"{label}-{kind}-modules"
                        flag, out = twin_dir / "dump", twin_dir / "modules.txt"
                        if kind == "existing":
                            h.stop_process(start(twin_dir, tree, work / "twin.log")["proc"])
                        twin = start(twin_dir, tree, work / "twin.log", (flag, out))
                        stack.callback(h.stop_process, twin["proc"])
                        if not args.no_requests:
                            first_contact(twin["url"], args.submit)
                        flag.touch()
                        for _ in range(100):
                            if out.exists() and out.stat().st_size:
                                break
                            time.sleep(0.1)
                        modules[f"{label}/{kind}"] = out.read_text().split()
            for inst in round_:
                h.wait_quiet(inst["proc"].pid, timeout=30)
            print(f"  round {n + 1}/{runs}: {len(round_)} services quiet; {idle:.0f} s idle ...", flush=True)
            time.sleep(idle)
            for inst in round_:
                measure(inst)
            if args.probe:  # then the probe's release, and the same figures again
                for inst in round_:
                    os.kill(inst["proc"].pid, signal.SIGUSR2)
                time.sleep(3)
                for inst in round_:
                    inst["probed_rss"] = h.memory(inst["proc"].pid).rss
            instances += round_
    return summarize(instances, modules, runs, idle, list(trees), list(kinds))


def summarize(instances: list[dict[str, Any]], modules: dict[str, list[str]], runs: int, idle: float,
              trees: list[str], kinds: list[str]) -> dict[str, Any]:
    print(f"\nDemo service child at rest after {idle:.0f} s idle (median of {runs}; load {h.load_average()})")
    print(f"  {'tree/kind':24} {'RSS MB':>8} {'PSS MB':>8} {'USS MB':>8} {'anon+heap MB':>13} threads  (min-max RSS)")
    rows: dict[str, Any] = {}
    for label in trees:
        for kind in kinds:
            group = [i for i in instances if i["tree"] == label and i["kind"] == kind]
            med = {k: statistics.median(i[k] for i in group) for k in ("rss", "pss", "uss", "threads")}
            anon = statistics.median((i["smaps"].get("[anon]", 0) + i["smaps"].get("[heap]", 0)) / 1024 for i in group)
            rss = [i["rss"] for i in group]
            print(f"  {label + '/' + kind:24} {med['rss']:8.1f} {med['pss']:8.1f} {med['uss']:8.1f} {anon:13.1f} "
                  f"{med['threads']:7.0f}  ({min(rss):.1f}-{max(rss):.1f}, n={len(group)})")
            biggest = collections.Counter(group[0]["smaps"]).most_common(8)
            print("      largest mappings (kB):", ", ".join(f"{k} {v}" for k, v in biggest))
            mods = modules.get(f"{label}/{kind}", [])
            tops = collections.Counter(m.split(".")[0] for m in mods)
            avoidable, theirs = ([p for p in names if any(m == p or m.startswith(p + ".") for m in mods)]
                                 for names in (AVOIDABLE, THEIRS))
            print(f"      {len(mods)} modules; by package: "
                  + ", ".join(f"{k} {v}" for k, v in tops.most_common(10)))
            print(f"      not needed at rest, yet loaded: {', '.join(avoidable) or 'none'}; "
                  f"loaded by the libraries themselves: {', '.join(theirs) or 'none'}")
            if "probed_rss" in group[0]:
                saved = statistics.median(i["rss"] - i["probed_rss"] for i in group)
                print(f"      --probe: RSS lower by {saved:.2f} MB after the probe's release (median)")
            rows[f"{label}/{kind}"] = med | {"anon_heap": anon, "rss_all": rss, "modules": len(mods), "avoidable": avoidable,
                                       "theirs": theirs}
    return {"machine": h.machine(), "idle_s": idle, "runs": runs, "figures": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    h.add_common_arguments(parser, runs=3)
    parser.add_argument("--idle", type=float, help="seconds of idle before reading memory (default 30; --quick 10)")
    parser.add_argument("--compare-tree", metavar="DIR", help="run another checkout's service beside, interleaved")
    parser.add_argument("--database", choices=("fresh", "existing", "both"), default="both")
    parser.add_argument("--no-requests", action="store_true", help="do not enrol and fetch after the start")
    parser.add_argument("--submit", action="store_true", help="after enrolling, submit a ticket with two screenshots")
    parser.add_argument("--probe", choices=("trim", "collect", "freeze"),
                        help="after measuring, make each service call malloc_trim(0) / gc.collect() / gc.collect() + "
                             "gc.freeze() (SIGUSR2 to a launcher) and measure again: what such a change would save")
    args = parser.parse_args()
    h.set_tree(args.tree)
    result = run(args)
    if args.json:
        h.write_json(Path(args.json), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
