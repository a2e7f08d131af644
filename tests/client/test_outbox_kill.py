"""Kill test: SIGKILL ``intake-app submit`` at random points, restart it, count at the helpdesk.

Each run submits one ticket with two attachments under a fresh client ticket id
and kills the CLI at a random moment of a randomly chosen phase: *early*
(start-up, building and storing the request), *sending* (as soon as the outbox
row is claimed, plus a random few milliseconds: the upload, the 202, the commit
of "sent") or *late* (right after "sent" is committed, before the command
finishes). Sometimes the restarted command is killed too. Then the same command
runs to completion, as a user would run it again. Bounded: 30 runs or 60
seconds, whichever comes first, but never fewer than 10 runs (a busy machine
is slow, not a reason to test less). In the end every ticket is in the helpdesk (the local connector's
store) exactly once, with both attachments byte for byte, and nothing is left
in the outbox. ``INTAKE_KILL_SEED`` replays a run's random choices.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from live_service import REPO, ServiceProcess, cli, cli_json, subprocess_env, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

MAX_RUNS = 30
MAX_SECONDS = 60.0
MIN_RUNS = 10  # even on a slow machine
KEY = "kill-test-key"


def outbox_state(db: Path, client_id: str) -> str | None:
    if not db.exists():
        return None
    conn = sqlite3.connect(db, timeout=30)
    try:
        row = conn.execute("SELECT state FROM outbox WHERE client_ticket_id = ?", (client_id,)).fetchone()
    except sqlite3.OperationalError:  # the schema is being created right now
        return None
    finally:
        conn.close()
    return row[0] if row else None


def kill_during(proc: subprocess.Popen[bytes], phase: str, rng: random.Random, db: Path, client_id: str) -> None:
    """SIGKILL ``proc`` at a random point of ``phase`` (or when it ends first)."""
    if phase == "early":
        deadline = time.monotonic() + rng.uniform(0.0, 1.5)
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)
    else:
        wanted = ("sending", "sent") if phase == "sending" else ("sent",)
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline and outbox_state(db, client_id) not in wanted:
            time.sleep(0.002)
        if phase == "sending":
            time.sleep(rng.uniform(0.0, 0.05))
    proc.kill()
    proc.wait()


def test_killed_senders_never_lose_or_duplicate_a_ticket(tmp_path: Path, isolated_basedir: Path) -> None:
    seed = int(os.environ.get("INTAKE_KILL_SEED") or time.time_ns() % 1_000_000)
    print(f"kill test seed: INTAKE_KILL_SEED={seed}")
    rng = random.Random(seed)
    env = subprocess_env(isolated_basedir, tmp_path / "keyring.json")
    service = ServiceProcess(tmp_path / "service", env, enrolment_key=KEY)
    service.admin("company", "add", "Kill Test Ltd", "--catch-all-name", "Desk", "--catch-all-email",
                  "desk@kill.example")
    service.admin("key", "add", "Kill Test Ltd", "--key", KEY)
    service.start()
    try:
        admin = tmp_path / "intake.toml"
        admin.write_text(f'[service]\nurl = "{service.url}"\nenrolment_key = "{KEY}"\n', encoding="utf-8")
        env["INTAKE_CONFIG"] = str(admin)
        done = cli(env, "enroll", "--name", "Kim Lee", "--email", "kim@kill.example")
        assert done.returncode == 0, done.stderr
        files = {"screen.bin": rng.randbytes(3 * 1024 * 1024), "events.log": b"event 1\tok\nevent 2\tfailed\n" * 2000}
        for name, data in files.items():
            (tmp_path / name).write_bytes(data)
        digests = sorted(hashlib.sha256(d).hexdigest() for d in files.values())
        outbox_db = isolated_basedir / "data" / "outbox.sqlite3"

        runs: list[tuple[str, str, str, str | None]] = []
        started = time.monotonic()
        while len(runs) < MIN_RUNS or (len(runs) < MAX_RUNS and time.monotonic() - started < MAX_SECONDS):
            client_id, summary = str(uuid.uuid4()), f"kill run {len(runs) + 1}"
            args = ["submit", "--summary", summary, "--client-id", client_id, "--no-system-info", "--wait", "0",
                    "--attach", str(tmp_path / "screen.bin"), "--attach", str(tmp_path / "events.log")]
            command = [sys.executable, "-m", "intake_app", *args]
            phase = rng.choice(("early", "sending", "late"))
            proc = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            kill_during(proc, phase, rng, outbox_db, client_id)
            after_kill = outbox_state(outbox_db, client_id)
            if rng.random() < 0.3:  # the restart dies too
                again = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
                kill_during(again, rng.choice(("early", "sending")), rng, outbox_db, client_id)
            final = cli_json(env, *args)
            assert final["state"] == "sent", final
            runs.append((client_id, summary, phase, after_kill))
        print("runs:", len(runs), "phases:", Counter(r[2] for r in runs),
              "outbox state right after the kill:", Counter(r[3] for r in runs))

        leftovers = cli_json(env, "outbox")
        assert leftovers["items"] == []
        assert list((isolated_basedir / "data" / "outbox-files").iterdir()) == []

        ids = [r[0] for r in runs]
        marks = ",".join("?" * len(ids))
        wait_until(lambda: service.helpdesk_rows(
            f"SELECT COUNT(*) FROM local_tickets WHERE client_ticket_id IN ({marks})", *ids) == [(len(ids),)],
            timeout=120, what="every ticket relayed to the helpdesk")
        per_summary = dict(service.helpdesk_rows(
            "SELECT summary, COUNT(*) FROM local_tickets WHERE summary LIKE 'kill run %' GROUP BY summary"))
        assert per_summary == {r[1]: 1 for r in runs}  # exactly once each, under no other id either
        intake_rows = service.helpdesk_rows(
            f"SELECT client_ticket_id, COUNT(*) FROM tickets WHERE client_ticket_id IN ({marks}) "
            "GROUP BY client_ticket_id", *ids)
        assert dict(intake_rows) == dict.fromkeys(ids, 1)
        for client_id in ids:
            found = service.helpdesk_rows(
                "SELECT a.sha256 FROM local_attachments a JOIN local_tickets t ON a.ticket_id = t.id "
                "WHERE t.client_ticket_id = ? ORDER BY a.sha256", client_id)
            assert [row[0] for row in found] == digests, client_id
    finally:
        service.stop()
