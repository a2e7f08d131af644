"""A full disk while ``intake-app submit`` writes the outbox: one clear sentence, nothing half-written.

The user's data folder is a real 1 MiB tmpfs. Two ways to run out of space:

* the ticket's files do not fit (a 2 MB attachment);
* the files fit exactly but the outbox database cannot grow by one page (before the fix this
  was a raw ``sqlite3.OperationalError`` traceback and an orphan folder).

Either way: exit 2, "could not be saved on this computer … Free some disk space", no outbox row,
no leftover files; the command line (the user's draft) is unchanged, so running it again once
there is space sends the ticket. Skipped with the reason when tmpfs cannot be mounted here.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hard_kit import REPO

from intake_app.client.multipart import build_ticket_request
from intake_app.client.outbox import Outbox
from intake_app.core.ticket import Attachment, Contact, TicketDraft
from intake_app.paths import user_paths

PAGE = 4096


@pytest.fixture
def small_disk(isolated_basedir: Path) -> Iterator[Path]:
    """``<base>/data`` as a 1 MiB tmpfs (the client's outbox lives there)."""
    data = isolated_basedir / "data"
    data.mkdir(parents=True, exist_ok=True)
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(data)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield data
    finally:
        if subprocess.run(["umount", str(data)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(data)], capture_output=True)


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def submit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "intake_app", "submit", "--no-system-info", "--summary",
                           "Disk full test", "--client-id", "0b9f6f0e-8d1a-4c51-9a55-2f5d1b1d7e42", *args],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def assert_clear_refusal(done: subprocess.CompletedProcess[str], data: Path) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("intake-app: The ticket could not be saved on this computer"), done.stderr
    assert "Free some disk space and try again." in done.stderr
    with sqlite3.connect(data / "outbox.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,)
    assert list((data / "outbox-files").iterdir()) == []  # nothing half-written left behind


def test_files_that_do_not_fit(small_disk: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    big = tmp_path / "memory.dmp"
    big.write_bytes(os.urandom(2 * 1024 * 1024))
    done = submit(cli_env, "--attach", str(big))
    assert_clear_refusal(done, small_disk)
    assert "No space left on device" in done.stderr


def test_the_database_cannot_grow_once_the_files_are_written(small_disk: Path, tmp_path: Path,
                                                             isolated_basedir: Path, cli_env: dict[str, str]) -> None:
    log = tmp_path / "spooler.log"
    log.write_bytes(os.urandom(100_000))
    Outbox.open(user_paths(isolated_basedir).ensure()).close()  # the outbox exists, as on any used computer
    # room for exactly the ticket's two files (request body + attachment), not one page more
    draft = TicketDraft(summary="Disk full test", contact=Contact("A", "a@b.example"), device_name="PC")
    body = len(build_ticket_request(draft, [Attachment("spooler.log", log.read_bytes())]).body) + 2048
    shm = 32 * 1024  # SQLite's WAL index (-shm), created when the command opens the outbox
    need = -(-body // PAGE) * PAGE + -(-log.stat().st_size // PAGE) * PAGE + shm
    with open(small_disk / "filler.bin", "wb") as filler:
        filler.write(b"\0" * (free_bytes(small_disk) - need))
    done = submit(cli_env, "--attach", str(log))
    assert_clear_refusal(done, small_disk)
    assert "database or disk is full" in done.stderr  # the files were written; the row could not be

    (small_disk / "filler.bin").unlink()  # space again: the same command is kept this time (the service is away)
    admin = tmp_path / "intake.toml"
    admin.write_text('[service]\nurl = "http://127.0.0.1:9"\nenrolment_key = "k-123"\n', encoding="utf-8")
    again = submit({**cli_env, "INTAKE_CONFIG": str(admin)}, "--attach", str(log), "--name", "Ann",
                   "--email", "ann@hardening.example")
    assert again.returncode == 75, again.stderr
    assert "Saved" in again.stdout
    with sqlite3.connect(small_disk / "outbox.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone() == (1,)
