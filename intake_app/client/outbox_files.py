"""Files beside the outbox database: one private folder per queued ticket.

Each folder holds ``request.body`` (the exact multipart bytes that will be sent)
and one file per attachment (for review, or to rebuild the ticket after the
user fixes it). Every file is written to a temporary name, fsynced, renamed
and the folder fsynced, all *before* the database row that points at it is
committed: a crash leaves either nothing or an orphan folder that
:func:`remove_orphans` deletes, never a row without its bytes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from intake_app import paths
from intake_app.client.outbox_db import private_dir

BODY_FILE = "request.body"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def folder_name(client_ticket_id: str) -> str:
    """The item's folder: the client ticket id when it is a safe file name, else its hash."""
    if _SAFE_NAME.match(client_ticket_id):
        return client_ticket_id
    return hashlib.sha256(client_ticket_id.encode("utf-8")).hexdigest()[:40]


def write_atomic(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/name`` (0600) so the file is either complete or absent."""
    target = folder / name
    paths.write_private(target, data)
    return target


def write_item_files(root: Path, folder: str, body: bytes, attachments: Iterable[tuple[str, bytes]]) -> Path:
    """Write the request body and the attachment files of one item; returns its folder."""
    private_dir(root)
    item_dir = private_dir(root / folder)
    for name, data in attachments:
        write_atomic(item_dir, name, data)
    write_atomic(item_dir, BODY_FILE, body)
    paths.fsync_dir(item_dir)
    paths.fsync_dir(root)
    return item_dir


def read_body(root: Path, folder: str) -> bytes:
    return (root / folder / BODY_FILE).read_bytes()


def remove_item_files(root: Path, folder: str) -> None:
    shutil.rmtree(root / folder, ignore_errors=True)


def remove_orphans(root: Path, keep: set[str]) -> list[str]:
    """Delete item folders that no unsent row points at (sent items, or a crash before commit)."""
    if not root.is_dir():
        return []
    removed = []
    for entry in root.iterdir():
        if entry.name not in keep and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed
