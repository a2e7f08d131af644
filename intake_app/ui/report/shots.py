"""What the report holds before Submit: screenshots (in memory, with black-out boxes) and files.

A screenshot's pixels stay in memory; the draft store writes them only once the
user keeps the shot in a draft, and then with the boxes already burned in.
``produce()`` makes the bytes to send or keep; it runs on a worker thread and
touches only immutable data (a Pillow image and a tuple of boxes).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from intake_app.core.filetypes import detect_media_type, is_image
from intake_app.core.ticket import Attachment, AttachmentKind
from intake_app.ui.report import images
from intake_app.ui.report.redaction_editor import Box


@dataclass(eq=False)
class AttachmentItem:
    label: str
    filename: str
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    origin: str = "file"  # asked / capture / region / paste / file / draft

    @property
    def kind(self) -> AttachmentKind:
        return AttachmentKind.FILE

    @property
    def approx_size(self) -> int:
        raise NotImplementedError

    @property
    def revision(self) -> str:
        raise NotImplementedError

    def producer(self) -> Any:
        """A thread-safe callable returning the bytes to send (snapshot of the current state)."""
        raise NotImplementedError

    def meta(self) -> dict[str, Any]:
        return {"label": self.label, "origin": self.origin}


@dataclass(eq=False)
class FileItem(AttachmentItem):
    data: bytes = b""

    @property
    def approx_size(self) -> int:
        return len(self.data)

    @property
    def revision(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:16]

    @property
    def media_type(self) -> str:
        return detect_media_type(self.data)

    def producer(self) -> Any:
        data = self.data
        return lambda: data

    def preview_text(self) -> str:
        media = self.media_type
        if media.startswith("text/") or media == "application/json":
            return self.data[:256 * 1024].decode("utf-8", errors="replace")
        return f"{self.filename}\n{media}, {len(self.data)} bytes"


@dataclass(eq=False)
class ShotItem(AttachmentItem):
    picture: Any = None  # the diagnostics layer's image (a Pillow image); never written unredacted
    boxes: list[Box] = field(default_factory=list)
    origin: str = "capture"
    original: bytes | None = None  # an image file's (or a restored draft's) own bytes: sent as-is if unredacted
    thumbnail: images.Thumbnail | None = field(default=None, repr=False)  # made ahead on a worker; untouched only
    _qimage: QImage | None = field(default=None, repr=False)

    @property
    def kind(self) -> AttachmentKind:
        return AttachmentKind.FILE if self.origin == "file" else AttachmentKind.SCREENSHOT

    @property
    def image(self) -> QImage:
        if self._qimage is None:
            self._qimage = images.to_qimage(self.picture)
        return self._qimage

    @property
    def approx_size(self) -> int:
        if self.original is not None and not self.boxes:
            return len(self.original)
        w, h = images.size_of(self.picture)
        return w * h // 4  # a typical compressed screenshot; the real size is known after encoding

    @property
    def revision(self) -> str:
        return hashlib.sha256(repr(("v1", self.key, tuple(self.boxes))).encode()).hexdigest()[:16]

    def producer(self) -> Any:
        picture, boxes, original = self.picture, tuple(self.boxes), self.original
        if original is not None and not boxes:
            return lambda: original
        return lambda: images.encode_for_sending(picture, boxes)

    def rendered(self, max_size: QSize | None = None) -> QImage:
        """The shot as it will be sent (black boxes painted), optionally scaled down for display."""
        ahead = self.thumbnail
        if max_size is not None and not self.boxes and ahead is not None \
                and ahead.box == (max_size.width(), max_size.height()):
            return QImage(ahead.image)  # made on the worker that took the shot (nothing to paint: no boxes)
        if max_size is not None and not self.boxes and self._qimage is None:
            # A thumbnail of an untouched shot: scale the picture down first (a few ms), instead of
            # converting all of it to a QImage and copying it on the GUI thread (~50 ms per 1080p screen).
            return images.thumbnail_qimage(self.picture, max_size.width(), max_size.height())
        result = self.image.copy()
        if self.boxes:
            painter = QPainter(result)
            for x, y, w, h in self.boxes:
                painter.fillRect(QRect(x, y, w, h), QColor("black"))
            painter.end()
        if max_size is not None and (result.width() > max_size.width() or result.height() > max_size.height()):
            result = result.scaled(max_size, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
        return result


def to_attachment(item: AttachmentItem, data: bytes) -> Attachment:
    """The core attachment for the outbox; screenshots get a name matching their encoding."""
    filename = item.filename
    if isinstance(item, ShotItem):
        media = detect_media_type(data)
        stem = filename.rsplit(".", 1)[0] if "." in filename else filename
        filename = stem + images.extension_for_media(media)
    return Attachment(filename=filename, data=data, kind=item.kind, key=item.key)


def item_from_stored(key: str, filename: str, kind: AttachmentKind, data: bytes,
                     meta: dict[str, Any]) -> AttachmentItem:
    """Rebuild an item from a saved draft (screenshots come back with their boxes burned in).

    Runs on the draft-restore worker, so the strip thumbnail is made here too."""
    label = str(meta.get("label") or filename)
    if kind is AttachmentKind.SCREENSHOT and is_image(detect_media_type(data)):
        origin = "file" if meta.get("origin") == "file" else "draft"
        picture = images.decode(data)
        return ShotItem(label=label, filename=filename, key=key, origin=origin, picture=picture,
                        original=data, thumbnail=images.make_thumbnail(picture))
    return FileItem(label=label, filename=filename, key=key, origin=str(meta.get("origin") or "file"), data=data)
