"""The one place where the report window meets the diagnostics layer's images.

Diagnostics owns pixels (capture, redact, encode, load) and is Qt-free; this
module converts between its Pillow images and ``QImage`` for display, and
calls its redact + encode steps so black boxes are burned into the pixels
before any byte is produced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage

from intake_app.core.filetypes import extension_for
from intake_app.diagnostics.encode import encode_png
from intake_app.diagnostics.geometry import Rect
from intake_app.diagnostics.images_in import open_image
from intake_app.diagnostics.redact import redact

Box = tuple[int, int, int, int]
_SCALABLE_MODES = frozenset({"RGB", "RGBA", "L", "LA"})  # what Pillow's reduce and resize average correctly

STRIP_ICON = (160, 100)  # the attachment strip's icon size (logical pixels)
THUMB_BOX = (STRIP_ICON[0] * 2, STRIP_ICON[1] * 2)  # the pixels its thumbnails are made at (sharp at 2x scaling)


@dataclass(frozen=True)
class Thumbnail:
    """A picture's display thumbnail, made ahead (on a worker) for the box it fits."""

    box: tuple[int, int]
    image: QImage


class Labelled(tuple[str, Any]):
    """A ``(label, picture)`` pair (it unpacks like one) that also carries the picture's strip
    :class:`Thumbnail`, made by the worker that took the shot; ``thumbnail`` None: made when shown."""

    thumbnail: Thumbnail | None

    def __new__(cls, label: str, picture: Any, thumbnail: Thumbnail | None = None) -> Self:
        pair = super().__new__(cls, (label, picture))
        pair.thumbnail = thumbnail
        return pair


def thumbnail_of(pair: tuple[str, Any]) -> Thumbnail | None:
    """The thumbnail made ahead for a labelled picture, if any (plain pairs have none)."""
    return pair.thumbnail if isinstance(pair, Labelled) else None


def to_qimage(picture: Any) -> QImage:
    """A deep-copied ``QImage`` of a Pillow image (RGB or RGBA)."""
    rgba = picture.convert("RGBA")
    data = rgba.tobytes("raw", "RGBA")
    image = QImage(data, rgba.width, rgba.height, rgba.width * 4, QImage.Format.Format_RGBA8888)
    return image.copy()  # own the pixels: ``data`` goes away with this frame


def thumbnail_qimage(picture: Any, width: int, height: int) -> QImage:
    """A small ``QImage`` of a Pillow image, at most ``width``×``height``, aspect ratio kept.

    Pillow's ``reduce`` (a box filter by an integer factor: every pixel counts, ~3 ms for a 1080p
    screen) does the bulk; a bilinear step makes the exact size; only the small result is converted.
    """
    scale = min(width / picture.width, height / picture.height, 1.0)
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    if size != picture.size and picture.mode not in _SCALABLE_MODES:
        # an attached or pasted file's own mode: reduce refuses "P", "1" and "I;16" and would average
        # the palette indices of "PA"; RGBA is what to_qimage makes of it anyway
        picture = picture.convert("RGBA")
    factor = max(1, min(picture.width // size[0], picture.height // size[1]))
    small = picture.reduce(factor) if factor > 1 else picture
    if small.size != size:
        from PIL import Image

        small = small.resize(size, Image.Resampling.BILINEAR)
    return to_qimage(small)


def make_thumbnail(picture: Any, box: tuple[int, int] = THUMB_BOX) -> Thumbnail:
    """The strip's thumbnail of an untouched picture. Safe on a worker thread (a ``QImage``, not a
    ``QPixmap``): the capture job makes it there, so the GUI thread only wraps it in an icon."""
    return Thumbnail(box, thumbnail_qimage(picture, *box))


def qimage_png_bytes(image: QImage) -> bytes:
    """A clipboard ``QImage`` as PNG bytes, for diagnostics' image loader."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def size_of(picture: Any) -> tuple[int, int]:
    return int(picture.width), int(picture.height)


def crop(picture: Any, box: Box) -> Any:
    x, y, w, h = box
    return picture.crop((x, y, x + w, y + h))


def encode_for_sending(picture: Any, boxes: Sequence[Box]) -> bytes:
    """Burn the boxes in (diagnostics' redact), then encode lossless PNG: black stays exactly black.

    The size budget may later recompress it (``submit_prep``), always from these redacted pixels.
    """
    redacted = redact(picture, [Rect(x, y, w, h) for x, y, w, h in boxes]) if boxes else picture
    return encode_png(redacted).data


def decode(data: bytes, name: str = "image") -> Any:
    """Image bytes → picture, with diagnostics' safety checks (size, bombs, damaged files)."""
    return open_image(data, name)


def extension_for_media(media_type: str) -> str:
    return extension_for(media_type)
