"""Kill test for the *service*: SIGKILL ``intake-app serve`` at random moments while it accepts and relays.

Three simulated desktops (each its own folder, the real client ``Outbox`` and ``send_pending``)
keep queueing tickets with two attachments (a PNG-like screenshot of 20–400 KB and a log) and
keep sending, ignoring backoff. Meanwhile the service is SIGKILLed after a random 0.05–1.5 s,
again and again, and restarted on the same port and data; so kills land in the middle of uploads,
of the 202 commit, of the relay's create / attachment / record steps and of the sync. Bounded:
25 kills or 75 s (never fewer than 12). Then the service runs cleanly, the outboxes drain, the
relay finishes, and at the helpdesk (the local connector's store) every ticket exists exactly
once with each attachment exactly once, byte for byte on disk, and nothing else; after one more
clean restart no file is left that no row refers to. ``INTAKE_KILL_SEED`` replays a run.

The RT variant does the same against a real Request Tracker 5 with fewer kills.
"""

from __future__ import annotations

import base64
import os
import random
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from hard_kit import (
    Computer,
    ForkedService,
    HelpdeskView,
    Zygote,
    child_env,
    log_attachment,
    png_like,
    seed_company,
    sha256,
    wait_until,
)

from intake_app.client.outbox_item import ItemState
from intake_app.client.outbox_sender import send_pending
from intake_app.service.connectors.rt_mapping import keys_in_filename

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


class Storm:
    """Desktops that queue and send tickets until stopped; remembers what each ticket carries."""

    def __init__(self, computers: list[Computer], seed: int, max_tickets: int, sizes: tuple[int, int]) -> None:
        self.computers = computers
        self.seed = seed
        self.max_tickets = max_tickets
        self.sizes = sizes
        self.expected: dict[str, list[tuple[str, str]]] = {}  # client ticket id -> [(key, sha256)]
        self.errors: Counter[str] = Counter()
        self.crashed: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(pc, random.Random(seed + n)), daemon=True)
                        for n, pc in enumerate(computers)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def _run(self, pc: Computer, rng: random.Random) -> None:
        try:
            self._loop(pc, rng)
        except BaseException as exc:  # a sender must never die: that would hide a bug behind fewer tickets
            self.crashed.append(f"{pc.name}: {type(exc).__name__}: {exc}")

    def _loop(self, pc: Computer, rng: random.Random) -> None:
        number = 0
        while not self.stop.is_set():
            with self.lock:
                room = len(self.expected) < self.max_tickets
            if room:
                number += 1
                files = [png_like(rng.randint(*self.sizes), rng, name=f"screen {number}.png"),
                         log_attachment(rng.randint(1_000, 40_000), rng)]
                draft = pc.draft(f"{pc.name} ticket {number}", files)
                pc.outbox.enqueue(draft, files)
                with self.lock:
                    self.expected[draft.client_ticket_id] = sorted((a.key, sha256(a.data)) for a in files)
            for outcome in send_pending(pc.outbox, pc.api, force=True):
                if outcome.error is not None:
                    with self.lock:
                        self.errors[type(outcome.error).__name__] += 1
            self.stop.wait(rng.uniform(0.02, 0.25))

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(120)
            assert not thread.is_alive(), "a sender thread hung"
        assert not self.crashed, self.crashed

    def drain(self) -> None:
        """Send everything still queued (the service is up now); every item ends up sent."""
        for pc in self.computers:
            def drained(pc: Computer = pc) -> bool:
                send_pending(pc.outbox, pc.api, force=True)
                return pc.outbox.pending_count() == 0
            wait_until(drained, 120, f"{pc.name}'s outbox drained", interval=0.2)
            states = Counter(item.state for item in pc.outbox.items())
            assert set(states) == {ItemState.SENT}, states  # nothing refused, nothing damaged


def storm_under_kills(service: ForkedService, storm: Storm, rng: random.Random, max_runs: int, min_runs: int,
                      max_seconds: float, max_wait: float) -> int:
    storm.start()
    runs = 0
    started = time.monotonic()
    while runs < min_runs or (runs < max_runs and time.monotonic() - started < max_seconds):
        time.sleep(rng.uniform(0.05, max_wait))
        status = service.kill()
        assert status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
            f"the service ended by itself (status {status}) before the kill:\n{service.log()}")
        runs += 1
        time.sleep(rng.uniform(0.0, 0.3))  # the desktops meet a dead service for a moment
        service.start()
    storm.finish()
    storm.drain()
    return runs


def run_seed() -> int:
    seed = int(os.environ.get("INTAKE_KILL_SEED") or time.time_ns() % 1_000_000)
    print(f"service kill test seed: INTAKE_KILL_SEED={seed}")
    return seed


def test_service_killed_at_random_moments_keeps_every_ticket_exactly_once(tmp_path: Path, zygote: Zygote) -> None:
    seed = run_seed()
    rng = random.Random(seed)
    data = tmp_path / "service"
    seed_company(data)
    service = ForkedService(zygote, data, child_env(tmp_path / "service-base")).start()
    computers = [Computer.enrol(tmp_path / f"pc-{n}", service.url, f"user{n}") for n in range(3)]
    storm = Storm(computers, seed, max_tickets=160, sizes=(20_000, 400_000))
    try:
        runs = storm_under_kills(service, storm, rng, max_runs=25, min_runs=12, max_seconds=75, max_wait=1.5)
        view = HelpdeskView(data)
        expected = storm.expected
        wait_until(lambda: all(view.relay_states().get(cid) == "forwarded" for cid in expected), 120,
                   "every ticket relayed to the helpdesk")
        log = service.log(tail=10**8)
        print(f"kills: {runs}, tickets: {len(expected)}, send errors seen by the desktops: {dict(storm.errors)}, "
              f"tickets found already created after a kill: {log.count('was already in the helpdesk')}")

        assert view.ticket_counts() == dict.fromkeys(expected, 1)  # each exactly once, and nothing else
        in_helpdesk = view.attachments()
        for cid, files in expected.items():
            assert [(key, digest) for key, digest, _ in in_helpdesk.get(cid, [])] == files, cid
            for _, digest, stored in in_helpdesk[cid]:
                assert sha256(view.helpdesk_file(stored).read_bytes()) == digest
        assert view.rows("SELECT COUNT(*) FROM ticket_attachments WHERE forwarded_at IS NULL") == [(0,)]

        service.stop()
        service.start()  # a clean start sweeps what the kills left half-written
        assert view.orphan_files() == {}
    finally:
        storm.stop.set()
        service.stop()
        for pc in computers:
            pc.close()


@pytest.mark.rt
def test_service_killed_while_relaying_to_request_tracker(tmp_path: Path, zygote: Zygote, rt_env: dict[str, str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    seed = run_seed()
    rng = random.Random(seed)
    data = tmp_path / "service"
    config = tmp_path / "service.toml"
    config.write_text(f'[connector]\nkind = "rt"\nurl = "{rt_env["RT_URL"]}"\n'
                      f'queue = "{rt_env.get("RT_QUEUE", "Intake")}"\ntoken_env = "INTAKE_RT_TOKEN"\n',
                      encoding="utf-8")
    env = child_env(tmp_path / "service-base", INTAKE_RT_TOKEN=rt_env["RT_TOKEN"])
    monkeypatch.setenv("INTAKE_RT_TOKEN", rt_env["RT_TOKEN"])  # seed_company builds the connector here too
    seed_company(data, config)
    service = ForkedService(zygote, data, env, extra_args=("--config", str(config))).start()
    computers = [Computer.enrol(tmp_path / "pc-rt", service.url, "rtuser")]
    storm = Storm(computers, seed, max_tickets=8, sizes=(5_000, 60_000))
    rt = requests.Session()
    rt.headers["Authorization"] = f"token {rt_env['RT_TOKEN']}"
    root = rt_env["RT_URL"].rstrip("/") + "/"
    try:
        runs = storm_under_kills(service, storm, rng, max_runs=6, min_runs=4, max_seconds=40, max_wait=3.0)
        view = HelpdeskView(data)
        wait_until(lambda: all(view.relay_states().get(cid) == "forwarded" for cid in storm.expected), 180,
                   "every ticket relayed to RT")
        print(f"kills: {runs}, tickets: {len(storm.expected)}, send errors: {dict(storm.errors)}")
        for cid, files in storm.expected.items():
            found = rt.get(f"{root}tickets", params={"query": f"CF.{{ClientTicketId}} = '{cid}'"}, timeout=30).json()
            assert found["count"] == 1, (cid, found)
            ticket_id = found["items"][0]["id"]
            items = rt.get(f"{root}ticket/{ticket_id}/attachments", params={"fields": "Filename", "per_page": 100},
                           timeout=30).json()["items"]
            keys = Counter(k for item in items for k in keys_in_filename(item.get("Filename") or ""))
            assert keys == Counter({key: 1 for key, _ in files}), (cid, keys)
            for item in items:
                for key in keys_in_filename(item.get("Filename") or ""):
                    content = rt.get(f"{root}attachment/{item['id']}", timeout=30).json()["Content"]
                    assert sha256(base64.b64decode(content)) == dict(files)[key]
    finally:
        storm.stop.set()
        service.stop()
        rt.close()
        for pc in computers:
            pc.close()
