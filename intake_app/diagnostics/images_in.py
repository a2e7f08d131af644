"""Images from files and the clipboard become ticket attachments, safely.

One path for every source (a file, clipboard bytes): size checked before reading,
type judged by content (``core.filetypes``), decoded under a pixel limit so a
decompression bomb is refused instead of eating the memory, and re-encoded when the
file carries metadata (EXIF GPS position, camera serial) or is in a bulky format
(BMP, TIFF). Every failure is an :class:`AttachmentError` with a sentence for the user.
"""

from __future__ import annotations

import io
import os
import re
import threading
import warnings
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps

from intake_app.core.filetypes import detect_media_type, extension_for, is_image
from intake_app.core.ticket import Attachment, AttachmentKind
from intake_app.diagnostics.encode import EncodedImage, encode_lossy, encode_png
from intake_app.diagnostics.errors import AttachmentError
from intake_app.diagnostics.files import human_size, read_regular_file

MAX_IMAGE_PIXELS = 80_000_000  # 4 × 4K monitors is 33 M; anything far beyond is not a screenshot
MAX_IMAGE_BYTES = 64 * 1024 * 1024  # image input (converted, then held to the attachment budget)
MAX_FILE_BYTES = 25 * 1024 * 1024  # any other file: the Intake API's per-attachment limit
ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")  # nothing exotic gets parsed
_KEEP_AS_IS = {"PNG", "JPEG", "GIF", "WEBP"}

# Deliberately set for the whole process: Pillow warns above this and refuses above twice it;
# open_image() turns both into our own error.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
_WARNINGS_LOCK = threading.Lock()  # warnings.catch_warnings() is process-wide state


def _bomb(name: str, pixels: int | None = None) -> AttachmentError:
    detail = f" ({pixels / 1e6:.0f} megapixels)" if pixels else ""
    return AttachmentError(f"“{name}” is too large a picture{detail} to open safely; the limit is "
                           f"{MAX_IMAGE_PIXELS / 1e6:.0f} megapixels.", reason="bomb", filename=name)


def open_image(data: bytes, name: str = "image") -> Image.Image:
    """Decode ``data`` fully (so truncation shows now, not later); AttachmentError on any problem."""
    if not data:
        raise AttachmentError(f"“{name}” is empty (0 bytes).", reason="empty", filename=name)
    media_type = detect_media_type(data)
    if not is_image(media_type):
        raise AttachmentError(f"“{name}” is not a picture (its content is {media_type}).",
                              reason="not_an_image", filename=name)
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise _bomb(name, image.width * image.height)
            image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            found = re.search(r"\((\d+) pixels\)", str(exc))  # "Image size (N pixels) exceeds limit ..."
            raise _bomb(name, int(found.group(1)) if found else None) from None
        except AttachmentError:
            raise
        except Exception as exc:  # noqa: BLE001 - Pillow raises OSError, SyntaxError, ValueError, struct.error...
            raise AttachmentError(f"“{name}” is damaged or incomplete and cannot be shown ({type(exc).__name__}).",
                                  reason="corrupt", filename=name) from None
    return image


# info keys that describe pixels only; anything else (EXIF, XMP, text chunks, comments) forces a re-encode
_HARMLESS_INFO = frozenset({
    "dpi", "gamma", "srgb", "chromaticity", "transparency", "background", "aspect", "interlace", "compression",
    "icc_profile", "jfif", "jfif_version", "jfif_unit", "jfif_density", "jfif_thumbnail", "progressive", "progression",
    "adobe", "adobe_transform", "duration", "loop", "version", "extension", "bbox", "lossless", "timestamp",
    "default_image", "disposal", "blend",
})


def _has_metadata(image: Image.Image) -> bool:
    return bool(image.getexif()) or any(key not in _HARMLESS_INFO for key in image.info)


def image_attachment(data: bytes, filename: str, *,
                     kind: AttachmentKind = AttachmentKind.SCREENSHOT) -> Attachment:
    """Validated image bytes -> Attachment; metadata-bearing or bulky formats are re-encoded."""
    image = open_image(data, filename)
    stem = Path(filename).stem or "image"
    if image.format in _KEEP_AS_IS and not _has_metadata(image):
        return Attachment(f"{stem}{extension_for(detect_media_type(data))}", data, kind)
    upright = ImageOps.exif_transpose(image)  # photos keep their orientation once EXIF is gone
    encoded: EncodedImage = encode_lossy(upright, "jpeg", 95) if image.format == "JPEG" else encode_png(upright)
    return Attachment(f"{stem}{encoded.extension}", encoded.data, kind)


def load_image_bytes(data: bytes, filename: str = "", *,
                     kind: AttachmentKind = AttachmentKind.SCREENSHOT) -> Attachment:
    """Clipboard content (PNG, JPEG, BMP/DIB, GIF, TIFF, WebP bytes) -> a screenshot attachment."""
    name = filename or f"clipboard-{datetime.now():%Y%m%d-%H%M%S}.png"
    if len(data) > MAX_IMAGE_BYTES:
        raise AttachmentError(f"The pasted picture is {human_size(len(data))}; at most {human_size(MAX_IMAGE_BYTES)} "
                              "can be attached.", reason="too_large", filename=name)
    return image_attachment(data, name, kind=kind)


def load_image_file(path: str | os.PathLike[str], *,
                    kind: AttachmentKind = AttachmentKind.SCREENSHOT) -> Attachment:
    """An image file -> the same kind of attachment as a pasted picture."""
    data = read_regular_file(path, MAX_IMAGE_BYTES)
    return image_attachment(data, Path(path).name, kind=kind)


def load_attachment_file(path: str | os.PathLike[str]) -> Attachment:
    """Any file (a log, a PDF): read safely, type judged by content; pictures go through the image path."""
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except AttachmentError as too_big:
        if too_big.reason != "too_large":
            raise
        data = read_regular_file(path, MAX_IMAGE_BYTES)  # a big BMP/TIFF shrinks once converted
        if not is_image(detect_media_type(data)):
            raise too_big from None
    if is_image(detect_media_type(data)):
        return image_attachment(data, Path(path).name, kind=AttachmentKind.FILE)
    return Attachment(Path(path).name, data, AttachmentKind.FILE)


def screenshot_attachment(encoded: EncodedImage, filename: str = "") -> Attachment:
    """An encoded screenshot -> Attachment (kind SCREENSHOT)."""
    name = filename or f"screenshot-{datetime.now():%Y%m%d-%H%M%S}"
    return Attachment(f"{Path(name).stem}{encoded.extension}", encoded.data, AttachmentKind.SCREENSHOT)
