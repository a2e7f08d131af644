"""Autosaved report drafts on disk: the ticket, its kept attachments and a little UI state.

Qt-free on purpose (no PySide6 import here) so it can be tested and reused
without a display; it lives beside the report window because nothing else
uses it. Why a store of its own and not the outbox: a draft is not yet a
ticket. It survives closing the window and restarting the app, and the user
may still change or discard it; only Submit hands it to the outbox.

Privacy (SPEC §9): a screenshot reaches the disk only here, once the user
keeps it in a draft; every file is written user-only (0600, folder 0700) and
atomically (temp file + rename), attachments first and the index last, so a
crash at any moment leaves the previous complete draft.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from intake_app.core.ticket import AttachmentKind, TicketDraft
from intake_app.errors import IntakeError
from intake_app.paths import write_private

FORMAT_VERSION = 1
INDEX_NAME = "draft.json"


class DraftLoadError(IntakeError):
    """The saved draft could not be read; the message says where the file was kept."""


@dataclass(frozen=True)
class PendingAttachment:
    """An attachment to keep with the draft.

    ``revision`` changes whenever the bytes would (e.g. a new redaction box), so an
    unchanged attachment is never produced or written again; ``produce`` makes the
    bytes and runs on the caller's (worker) thread only when needed.
    """

    key: str
    filename: str
    kind: AttachmentKind
    revision: str
    produce: Callable[[], bytes]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredAttachment:
    key: str
    filename: str
    kind: AttachmentKind
    data: bytes
    revision: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredDraft:
    draft: TicketDraft
    attachments: tuple[StoredAttachment, ...]
    ui_state: dict[str, Any]
    saved_at: datetime
    problems: tuple[str, ...] = ()  # non-fatal: e.g. one attachment could not be restored


class DraftStore:
    """One current draft per user in ``folder`` (``AppPaths.drafts``); thread-safe."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()

    @property
    def index_path(self) -> Path:
        return self.folder / INDEX_NAME

    def exists(self) -> bool:
        return self.index_path.is_file()

    def save(self, draft: TicketDraft, attachments: Sequence[PendingAttachment],
             ui_state: dict[str, Any] | None = None) -> None:
        """Write the draft; unchanged attachments are reused, dropped ones deleted."""
        with self._lock:
            self._ensure_folder()
            previous = {e["key"]: e for e in self._read_index_entries()}
            entries = []
            for item in attachments:
                old = previous.get(item.key)
                if old and old.get("revision") == item.revision and (self.folder / old["file"]).is_file():
                    entry = dict(old, filename=item.filename, meta=item.meta)
                else:
                    data = item.produce()
                    digest = hashlib.sha256(data).hexdigest()
                    name = f"{_safe(item.key)}-{digest[:16]}.dat"
                    write_private(self.folder / name, data)
                    entry = {"key": item.key, "file": name, "filename": item.filename, "kind": item.kind.value,
                             "revision": item.revision, "sha256": digest, "size": len(data), "meta": item.meta}
                entries.append(entry)
            document = {
                "format": FORMAT_VERSION,
                "saved_at": datetime.now(timezone.utc).isoformat(),
                "draft": draft.with_changes(attachments=()).to_dict(),
                "attachments": entries,
                "ui": ui_state or {},
            }
            write_private(self.index_path, json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
            self._remove_unreferenced({e["file"] for e in entries})

    def load(self) -> StoredDraft | None:
        """The saved draft, or None. A broken index is moved aside and reported, never deleted."""
        with self._lock:
            if not self.index_path.is_file():
                return None
            try:
                document = json.loads(self.index_path.read_text(encoding="utf-8"))
                if not isinstance(document, dict):
                    raise ValueError("not a JSON object")
                version = document.get("format")
                if version != FORMAT_VERSION:
                    raise ValueError(f"format {version!r}, this version reads {FORMAT_VERSION}")
                draft = TicketDraft.from_dict(document["draft"])
                saved_at = datetime.fromisoformat(document["saved_at"])
                entries = list(document.get("attachments") or [])
                ui_state = dict(document.get("ui") or {})
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                kept = self._move_aside()
                raise DraftLoadError(
                    f"Your saved draft could not be read ({exc}). It was kept as {kept} so nothing is lost."
                ) from exc
            restored, problems = self._read_attachments(entries)
            return StoredDraft(draft, tuple(restored), ui_state, saved_at, tuple(problems))

    def discard(self) -> None:
        """Delete the draft and its files (after Submit handed it to the outbox, or on request)."""
        with self._lock:
            if not self.folder.is_dir():
                return
            self.index_path.unlink(missing_ok=True)
            self._remove_unreferenced(set())

    # -- helpers -------------------------------------------------------------------------

    def _ensure_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            self.folder.chmod(0o700)

    def _read_index_entries(self) -> list[dict[str, Any]]:
        try:
            document = json.loads(self.index_path.read_text(encoding="utf-8"))
            return [e for e in document.get("attachments") or [] if isinstance(e, dict) and "key" in e]
        except (OSError, ValueError, AttributeError):
            return []

    def _read_attachments(self, entries: list[Any]) -> tuple[list[StoredAttachment], list[str]]:
        restored: list[StoredAttachment] = []
        problems: list[str] = []
        for entry in entries:
            try:
                data = (self.folder / str(entry["file"])).read_bytes()
                if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                    raise ValueError("its file was changed or damaged")
                restored.append(StoredAttachment(str(entry["key"]), str(entry["filename"]),
                                                 AttachmentKind(entry.get("kind", "file")), data,
                                                 str(entry.get("revision") or ""), dict(entry.get("meta") or {})))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                name = entry.get("filename", "?") if isinstance(entry, dict) else "?"
                problems.append(f"The attachment “{name}” of your draft could not be restored ({exc}).")
        return restored, problems

    def _remove_unreferenced(self, keep: set[str]) -> None:
        for path in self.folder.glob("*.dat"):
            if path.name not in keep:
                path.unlink(missing_ok=True)

    def _move_aside(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        target = self.folder / f"draft-unreadable-{stamp}"
        target.mkdir(mode=0o700)
        for path in [self.index_path, *self.folder.glob("*.dat")]:
            if path.exists():
                path.rename(target / path.name)
        return target


def _safe(key: str) -> str:
    return "".join(ch for ch in key if ch.isalnum() or ch in "-_")[:64] or "attachment"
