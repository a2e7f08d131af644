"""The outbox's SQLite file: user-only permissions, WAL, durable commits, schema version.

WAL lets the tray and a CLI command read while the other writes; ``synchronous
= FULL`` makes a commit survive a power cut, not only a crash (the outbox is
small, the extra fsync is cheap). The file is created 0600 before SQLite opens
it, and SQLite gives its ``-wal``/``-shm`` files the same mode.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from intake_app.errors import IntakeError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id               INTEGER PRIMARY KEY,
    client_ticket_id TEXT    NOT NULL UNIQUE,
    summary          TEXT    NOT NULL,
    priority         INTEGER NOT NULL,
    draft_json       TEXT    NOT NULL,
    content_type     TEXT    NOT NULL,
    body_size        INTEGER NOT NULL,
    body_sha256      TEXT    NOT NULL,
    attachments_json TEXT    NOT NULL,
    files_dir        TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  REAL    NOT NULL,
    claimed_by       TEXT,
    claimed_at       REAL,
    reason_code      TEXT,
    reason           TEXT,
    problems_json    TEXT,
    reference        TEXT,
    helpdesk_id      TEXT,
    created_at       REAL    NOT NULL,
    updated_at       REAL    NOT NULL,
    sent_at          REAL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
"""


class OutboxError(IntakeError, OSError):
    """The outbox cannot be read or written (disk full, permissions); the message says what to do."""


def create_private_file(path: Path) -> None:
    """Make sure ``path`` exists and is readable by the user only (0600 on POSIX)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    if os.name == "posix":
        os.chmod(path, 0o600)


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the outbox database in autocommit mode.

    Transactions are explicit (``BEGIN IMMEDIATE``) so a claim or an enqueue
    takes the write lock before it reads.
    """
    try:
        create_private_file(path)
        for suffix in ("-wal", "-shm"):
            extra = path.with_name(path.name + suffix)
            if extra.exists() and os.name == "posix":
                os.chmod(extra, 0o600)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise OutboxError(f"The outbox at {path} cannot be opened ({exc}). "
                          "Check that the disk is not full and the folder belongs to you.") from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION:
            # one transaction, so two processes opening a new outbox at once cannot half-create it
            conn.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version={SCHEMA_VERSION};COMMIT;")
    except sqlite3.Error as exc:
        conn.close()
        # never reset it: the queued tickets' rows are in there (and their bytes beside it)
        raise OutboxError(f"The outbox at {path} cannot be read ({exc}). Nothing was changed; keep the file "
                          "and its folder for your IT provider.") from exc
    if version > SCHEMA_VERSION:
        conn.close()
        raise OutboxError(f"The outbox at {path} was written by a newer version of this app (schema {version}); "
                          "update the app to send what it holds.")
    return conn
