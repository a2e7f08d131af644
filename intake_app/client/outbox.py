"""The durable outbox: a ticket is on disk, byte for byte, before any network call.

``enqueue`` builds the exact multipart request and stores it (files first,
then the row, in one write transaction). Senders (:mod:`outbox_sender`) claim
rows atomically, so the tray and a CLI command can drain the same outbox; a
claim whose process died goes back to ``queued``. The client ticket id is the
idempotency key: enqueuing it twice returns the first item, and the service
answers a resend with the same reference.

Thread safety: one connection per ``Outbox``, guarded by a lock; the network
is never used while the lock is held.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from intake_app.client import outbox_files
from intake_app.client.claims import STALE_AFTER_S, claim_is_dead, my_claimant_id
from intake_app.client.multipart import BuiltRequest, build_ticket_request
from intake_app.client.outbox_db import OutboxError, connect, private_dir
from intake_app.client.outbox_item import ItemState, OutboxItem, ReasonCode, StoredAttachment
from intake_app.core.ticket import Attachment, TicketDraft
from intake_app.paths import AppPaths

log = logging.getLogger(__name__)

KEEP_SENT_DAYS = 30  # sent rows stay this long: local dedupe of a repeated --client-id, and history


class Outbox:
    """The SQLite outbox plus its folder of request bodies and attachments."""

    def __init__(self, db_path: Path, files_root: Path) -> None:
        self.db_path = Path(db_path)
        self.files_root = private_dir(Path(files_root))
        self._lock = threading.RLock()
        self._conn = connect(self.db_path)
        self._data_version = -1
        self.recover()

    @classmethod
    def open(cls, paths: AppPaths) -> Outbox:
        return cls(paths.outbox_db, paths.outbox_files)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """A write transaction that takes SQLite's write lock before reading."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")  # in WAL mode the disk is written here: it can fail too
            except BaseException:
                if self._conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                    self._conn.execute("ROLLBACK")
                raise

    # ---- adding -------------------------------------------------------------------------------

    def enqueue(self, draft: TicketDraft, attachments: Sequence[Attachment] = ()) -> OutboxItem:
        """Store ``draft`` with ``attachments`` as the exact request to send; dedupes on client_ticket_id.

        Raises :class:`~intake_app.client.multipart.RequestTooLarge` for limits and
        :class:`OutboxError` when the disk refuses; in both cases nothing is stored.
        """
        built = build_ticket_request(draft, attachments)
        folder = outbox_files.folder_name(draft.client_ticket_id)
        stored = [StoredAttachment(a.info(), f"attachment-{n}") for n, a in enumerate(attachments, start=1)]
        now = time.time()
        wrote = False
        try:
            with self._write() as conn:
                existing = conn.execute("SELECT * FROM outbox WHERE client_ticket_id = ?",
                                        (draft.client_ticket_id,)).fetchone()
                if existing is not None:
                    return OutboxItem.from_row(existing)
                self._write_files(folder, built.body, stored, attachments)
                wrote = True
                row = self._insert(conn, draft, built, stored, folder, now)
        except sqlite3.Error as exc:  # the files fitted but the database could not grow (disk full, I/O error)
            if wrote:
                outbox_files.remove_item_files(self.files_root, folder)
            raise OutboxError(f"The ticket could not be saved on this computer ({exc}). "
                              "Free some disk space and try again.") from exc
        log.info("queued ticket %s (%d bytes, %d attachments)", draft.client_ticket_id, len(built.body),
                 len(attachments))
        return OutboxItem.from_row(row)

    def _insert(self, conn: sqlite3.Connection, draft: TicketDraft, built: BuiltRequest,
                stored: Sequence[StoredAttachment], folder: str, now: float) -> sqlite3.Row:
        cursor = conn.execute(
            "INSERT INTO outbox (client_ticket_id, summary, priority, draft_json, content_type, body_size,"
            " body_sha256, attachments_json, files_dir, state, attempts, next_attempt_at, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (draft.client_ticket_id, built.draft.summary.strip(), int(draft.requested_priority),
             json.dumps(built.draft.to_dict(), ensure_ascii=False), built.content_type, len(built.body),
             built.sha256, json.dumps([s.to_dict() for s in stored]), folder, ItemState.QUEUED.value,
             now, now, now),
        )
        row: sqlite3.Row = conn.execute("SELECT * FROM outbox WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return row

    def _write_files(self, folder: str, body: bytes, stored: Sequence[StoredAttachment],
                     attachments: Sequence[Attachment]) -> None:
        try:
            outbox_files.write_item_files(self.files_root, folder, body,
                                          [(s.file, a.data) for s, a in zip(stored, attachments)])
        except OSError as exc:
            outbox_files.remove_item_files(self.files_root, folder)
            raise OutboxError(f"The ticket could not be saved on this computer ({exc.strerror or exc}). "
                              "Free some disk space and try again.") from exc

    # ---- reading ------------------------------------------------------------------------------

    def items(self, states: Sequence[ItemState] | None = None) -> list[OutboxItem]:
        """Items, oldest first; ``states`` filters (default: all, sent ones included)."""
        sql, args = "SELECT * FROM outbox", ()
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            args = tuple(s.value for s in states)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY created_at, id", args).fetchall()
        return [OutboxItem.from_row(r) for r in rows]

    def get(self, item_id: int) -> OutboxItem | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM outbox WHERE id = ?", (item_id,)).fetchone()
        return OutboxItem.from_row(row) if row else None

    def find(self, client_ticket_id: str) -> OutboxItem | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM outbox WHERE client_ticket_id = ?",
                                     (client_ticket_id,)).fetchone()
        return OutboxItem.from_row(row) if row else None

    def pending_count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending')")
                       .fetchone()[0])

    def changed(self) -> bool:
        """True when anything (this or another process) changed the outbox since the last call: cheap polling."""
        with self._lock:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            total = self._conn.total_changes
        current = hash((version, total))
        changed, self._data_version = current != self._data_version, current
        return changed

    def draft(self, item_id: int) -> TicketDraft:
        """The draft as it was stored (to show it, or to let the user fix it)."""
        with self._lock:
            row = self._conn.execute("SELECT draft_json FROM outbox WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise KeyError(item_id)
        return TicketDraft.from_dict(json.loads(row["draft_json"]))

    def attachments(self, item_id: int) -> list[Attachment]:
        """The stored attachments with their bytes (empty once the item is sent: they are deleted)."""
        item = self.get(item_id)
        if item is None:
            raise KeyError(item_id)
        folder = self.files_root / item.files_dir
        return [Attachment(a.info.filename, (folder / a.file).read_bytes(), a.info.kind, a.info.key)
                for a in item.attachments if (folder / a.file).exists()]

    def request_body(self, item: OutboxItem) -> bytes:
        return outbox_files.read_body(self.files_root, item.files_dir)

    # ---- state changes (used by the sender and the UI) -------------------------------------------

    def due_ids(self, now: float | None = None) -> list[int]:
        """Queued items whose next attempt is due, oldest ticket first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? "
                "ORDER BY created_at, id", (now if now is not None else time.time(),)).fetchall()
        return [r["id"] for r in rows]

    def next_due_at(self) -> float | None:
        """Epoch seconds of the earliest queued item's next attempt (None when nothing is queued)."""
        with self._lock:
            row = self._conn.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'queued'").fetchone()
        return row[0]

    def claim(self, item_id: int, *, force: bool = False) -> OutboxItem | None:
        """Atomically move a queued item to ``sending`` for this process; None if someone else has it."""
        now = time.time()
        due = "" if force else " AND next_attempt_at <= ?"
        args: tuple[Any, ...] = (my_claimant_id(), now, now, item_id) + (() if force else (now,))
        with self._write() as conn:
            cursor = conn.execute("UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_at = ?, "
                                  f"updated_at = ? WHERE id = ? AND state = 'queued'{due}", args)
            row = conn.execute("SELECT * FROM outbox WHERE id = ?", (item_id,)).fetchone()
        return OutboxItem.from_row(row) if cursor.rowcount == 1 else None

    def mark_sent(self, item_id: int, reference: str, helpdesk_id: str | None) -> OutboxItem:
        """Record the service's 202, then delete the stored body and attachments."""
        now = time.time()
        with self._write() as conn:
            conn.execute("UPDATE outbox SET state = 'sent', reference = ?, helpdesk_id = COALESCE(?, helpdesk_id),"
                         " sent_at = COALESCE(sent_at, ?), updated_at = ?, claimed_by = NULL, claimed_at = NULL,"
                         " reason_code = NULL, reason = NULL, problems_json = NULL WHERE id = ?",
                         (reference, helpdesk_id, now, now, item_id))
            row = conn.execute("SELECT * FROM outbox WHERE id = ?", (item_id,)).fetchone()
        item = OutboxItem.from_row(row)
        outbox_files.remove_item_files(self.files_root, item.files_dir)  # after the commit: never a row without bytes
        return item

    def mark_retry(self, item_id: int, code: ReasonCode, reason: str, delay_s: float,
                   count_attempt: bool = True) -> None:
        """Back to ``queued``, to be tried again after ``delay_s`` (persisted: survives a restart)."""
        now = time.time()
        with self._write() as conn:
            conn.execute("UPDATE outbox SET state = 'queued', attempts = attempts + ?, next_attempt_at = ?,"
                         " reason_code = ?, reason = ?, claimed_by = NULL, claimed_at = NULL, updated_at = ?"
                         " WHERE id = ? AND state != 'sent'",
                         (1 if count_attempt else 0, now + max(0.0, delay_s), code.value, reason, now, item_id))

    def mark_needs_attention(self, item_id: int, code: ReasonCode, reason: str,
                             problems: dict[str, str] | None = None) -> None:
        """Stop sending this item until the user acts (fixes it, enrols again or discards it)."""
        now = time.time()
        with self._write() as conn:
            conn.execute("UPDATE outbox SET state = 'needs-attention', attempts = attempts + 1, reason_code = ?,"
                         " reason = ?, problems_json = ?, claimed_by = NULL, claimed_at = NULL, updated_at = ?"
                         " WHERE id = ? AND state != 'sent'",
                         (code.value, reason, json.dumps(problems or {}, ensure_ascii=False), now, item_id))

    def set_helpdesk_id(self, item_id: int, helpdesk_id: str) -> None:
        with self._write() as conn:
            conn.execute("UPDATE outbox SET helpdesk_id = ?, updated_at = ? WHERE id = ?",
                         (helpdesk_id, time.time(), item_id))

    def retry_now(self, item_id: int) -> bool:
        """The user's "try again": a queued or needs-attention item becomes due now."""
        now = time.time()
        with self._write() as conn:
            cursor = conn.execute("UPDATE outbox SET state = 'queued', next_attempt_at = ?, updated_at = ?"
                                  " WHERE id = ? AND state IN ('queued', 'needs-attention')", (now, now, item_id))
        return cursor.rowcount == 1

    def requeue_unauthorized(self) -> int:
        """After a new enrolment: everything that waited for it is due again."""
        now = time.time()
        with self._write() as conn:
            cursor = conn.execute("UPDATE outbox SET state = 'queued', next_attempt_at = ?, updated_at = ?,"
                                  " reason_code = NULL, reason = NULL WHERE (state = 'needs-attention' AND"
                                  " reason_code = ?) OR (state = 'queued' AND reason_code = ?)",
                                  (now, now, ReasonCode.UNAUTHORIZED.value, ReasonCode.NOT_ENROLLED.value))
        return cursor.rowcount

    def replace_draft(self, item_id: int, draft: TicketDraft, attachments: Sequence[Attachment] = ()) -> OutboxItem:
        """The user fixed a needs-attention item: store the new request (same client ticket id) and queue it."""
        item = self.get(item_id)
        if item is None or item.state is not ItemState.NEEDS_ATTENTION:
            raise ValueError("Only a ticket that needs attention can be changed.")
        built = build_ticket_request(draft.with_changes(client_ticket_id=item.client_ticket_id), attachments)
        folder = f"{outbox_files.folder_name(item.client_ticket_id)}-{time.time_ns()}"
        stored = [StoredAttachment(a.info(), f"attachment-{n}") for n, a in enumerate(attachments, start=1)]
        now = time.time()
        with self._write() as conn:
            self._write_files(folder, built.body, stored, attachments)
            cursor = conn.execute(
                "UPDATE outbox SET summary = ?, priority = ?, draft_json = ?, content_type = ?, body_size = ?,"
                " body_sha256 = ?, attachments_json = ?, files_dir = ?, state = 'queued', next_attempt_at = ?,"
                " reason_code = NULL, reason = NULL, problems_json = NULL, updated_at = ?"
                " WHERE id = ? AND state = 'needs-attention'",
                (built.draft.summary.strip(), int(built.draft.requested_priority),
                 json.dumps(built.draft.to_dict(), ensure_ascii=False), built.content_type, len(built.body),
                 built.sha256, json.dumps([s.to_dict() for s in stored]), folder, now, now, item_id))
            if cursor.rowcount != 1:
                raise ValueError("Only a ticket that needs attention can be changed.")
        # the new files are committed; the old ones are no longer referenced
        outbox_files.remove_item_files(self.files_root, item.files_dir)
        updated = self.get(item_id)
        assert updated is not None
        return updated

    def discard(self, item_id: int) -> bool:
        """The user gave up on an unsent item: delete it and its files (never a sending or sent one)."""
        item = self.get(item_id)
        if item is None:
            return False
        with self._write() as conn:
            cursor = conn.execute("DELETE FROM outbox WHERE id = ? AND state IN ('queued', 'needs-attention')",
                                  (item_id,))
        if cursor.rowcount:
            outbox_files.remove_item_files(self.files_root, item.files_dir)
        return cursor.rowcount == 1

    # ---- housekeeping ---------------------------------------------------------------------------

    def recover(self) -> int:
        """Return stale ``sending`` claims to ``queued``, delete orphan files and old sent rows."""
        now = time.time()
        recovered = 0
        with self._write() as conn:
            rows = conn.execute("SELECT id, claimed_by, claimed_at FROM outbox WHERE state = 'sending'").fetchall()
            for row in rows:
                if claim_is_dead(row["claimed_by"]) or (row["claimed_at"] or 0) < now - STALE_AFTER_S:
                    conn.execute("UPDATE outbox SET state = 'queued', claimed_by = NULL, claimed_at = NULL,"
                                 " next_attempt_at = ?, updated_at = ? WHERE id = ?", (now, now, row["id"]))
                    recovered += 1
            conn.execute("DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?", (now - KEEP_SENT_DAYS * 86400,))
            keep = {r["files_dir"] for r in conn.execute("SELECT files_dir FROM outbox WHERE state != 'sent'")}
            removed = outbox_files.remove_orphans(self.files_root, keep)  # under the write lock: no enqueue between
        if recovered or removed:
            log.info("outbox recovery: %d interrupted sends queued again, %d leftover folders removed",
                     recovered, len(removed))
        return recovered
