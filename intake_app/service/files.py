"""Attachment bytes on disk, under names the service generates (never the user's file name).

A part is streamed into a private temp file while its size and SHA-256 are
counted; :meth:`FileStore.commit` fsyncs it and renames it to its final
generated name; only then does the database row that refers to it commit. A
crash in between leaves an unreferenced file, removed by :meth:`sweep` at start.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from intake_app.paths import fsync_dir
from intake_app.service.errors import TooLarge

_NAME = re.compile(r"^[a-z]{1,8}-[0-9a-f]{32}$")
TEMP_SUFFIX = ".part"


class StagedFile:
    """A file being written; counts size and SHA-256 and enforces a size limit."""

    def __init__(self, store: FileStore, limit: int, what: str) -> None:
        self.store = store
        self.limit = limit
        self.what = what
        self.path = store.root / f".{secrets.token_hex(16)}{TEMP_SUFFIX}"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._fh: BinaryIO | None = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.size = 0
        self.head = b""

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge(f"{self.what} is larger than {self.limit // (1024 * 1024)} MiB.")
        if len(self.head) < 8192:
            self.head += data[: 8192 - len(self.head)]
        self._hash.update(data)
        assert self._fh is not None
        self._fh.write(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def finish(self) -> None:
        """Flush and fsync (the bytes are durable before any row refers to them)."""
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self.path.unlink(missing_ok=True)


class FileStore:
    def __init__(self, root: Path, prefix: str) -> None:
        self.root = root
        self.prefix = prefix
        root.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            root.chmod(0o700)

    def stage(self, limit: int, what: str) -> StagedFile:
        return StagedFile(self, limit, what)

    def commit(self, staged: StagedFile) -> str:
        """Give ``staged`` its final generated name; returns that name."""
        staged.finish()
        name = f"{self.prefix}-{secrets.token_hex(16)}"
        os.replace(staged.path, self.root / name)
        fsync_dir(self.root)
        return name

    def put_bytes(self, data: bytes) -> str:
        staged = self.stage(len(data) + 1, "file")
        try:
            staged.write(data)
            return self.commit(staged)
        except BaseException:
            staged.discard()
            raise

    def path(self, name: str) -> Path:
        """The path of a stored file; refuses anything that is not one of our generated names."""
        if not _NAME.match(name):
            raise ValueError(f"not a stored file name: {name!r}")
        return self.root / name

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def sweep(self, referenced: Iterable[str]) -> int:
        """Delete temp files and files no row refers to (left by a crash); returns how many."""
        keep = set(referenced)
        removed = 0
        for entry in self.root.iterdir():
            orphan = entry.name.endswith(TEMP_SUFFIX) or (
                entry.name.startswith(f"{self.prefix}-") and entry.name not in keep)
            if orphan and entry.is_file():
                entry.unlink(missing_ok=True)
                removed += 1
        return removed
