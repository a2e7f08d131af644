"""Encode screenshots: PNG first, a readable lossy format when over budget, thumbnails.

PNG is written by a small writer of our own on top of Pillow's pixel conversion and
zlib: Pillow's PNG encoder picks a filter per row adaptively, which costs 2–3× the
time on a 1080p screen (measured in ``benchmarks/bench_diagnostics.py``) and gains
nothing on UI content, which compresses best unfiltered. zlib releases the GIL, so
encoding on a worker thread leaves the UI responsive. JPEG/WebP and thumbnails use
Pillow directly.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from intake_app.diagnostics.capture import Screenshot

PNG_COMPRESS_LEVEL = 1  # zlib level: 1 is ~3× faster than 6 for ~5 % more bytes on screen content
LOSSY_QUALITIES: tuple[int, ...] = (90, 85, 80)  # below 80, small text starts to smear
DOWNSCALE_STEPS: tuple[float, ...] = (0.75, 0.5)  # the last resort, after every quality step
THUMBNAIL_SIZE = (320, 320)
_MEDIA = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
_EXT = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}


@dataclass(frozen=True)
class EncodedImage:
    """Encoded bytes with what a ticket attachment needs to know about them."""

    data: bytes
    format: str  # png / jpeg / webp
    width: int
    height: int
    quality: int | None = None  # None for PNG (lossless)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def media_type(self) -> str:
        return _MEDIA[self.format]

    @property
    def extension(self) -> str:
        return _EXT[self.format]


def as_image(source: Screenshot | Image.Image) -> Image.Image:
    """A Pillow image for either a Screenshot (zero-copy view) or an image."""
    return source.image() if isinstance(source, Screenshot) else source


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def encode_png(source: Screenshot | Image.Image, *, compress_level: int = PNG_COMPRESS_LEVEL) -> EncodedImage:
    """Lossless PNG; no metadata is written (nothing but pixels leaves the computer)."""
    image = as_image(source)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    width, height = image.size
    channels = 4 if image.mode == "RGBA" else 3
    raw = image.tobytes()
    line = width * channels
    compressor = zlib.compressobj(compress_level)
    parts = [compressor.compress(b"".join([b"\x00" + raw[y * line:(y + 1) * line] for y in range(height)]))]
    parts.append(compressor.flush())
    header = struct.pack(">2I5B", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")
    return EncodedImage(data, "png", width, height)


def encode_lossy(source: Screenshot | Image.Image, fmt: str = "jpeg", quality: int = 85) -> EncodedImage:
    """JPEG (4:4:4, so coloured text stays sharp) or WebP at ``quality``."""
    image = as_image(source)
    if image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    if fmt == "jpeg":
        image.save(out, "JPEG", quality=quality, subsampling=0 if quality >= 80 else 2, optimize=False)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=quality, method=2)
    else:
        raise ValueError(f"unknown lossy format {fmt!r} (jpeg or webp)")
    return EncodedImage(out.getvalue(), fmt, image.width, image.height, quality)


def encode_within(source: Screenshot | Image.Image, max_bytes: int | None = None, *, lossy: str = "jpeg",
                  qualities: Sequence[int] = LOSSY_QUALITIES,
                  downscale: Sequence[float] = DOWNSCALE_STEPS) -> EncodedImage:
    """PNG if it fits ``max_bytes``; else the lossy format at falling quality; else smaller.

    Returns the first candidate that fits, or the smallest one tried when none does
    (the caller decides what to tell the user; see :mod:`intake_app.diagnostics.budget`).
    """
    image = as_image(source)
    best = encode_png(image)
    if max_bytes is None or best.size <= max_bytes:
        return best
    for quality in qualities:
        candidate = encode_lossy(image, lossy, quality)
        best = min(best, candidate, key=lambda e: e.size)
        if candidate.size <= max_bytes:
            return candidate
    for factor in downscale:
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        candidate = encode_lossy(image.resize(size, Image.Resampling.LANCZOS), lossy, qualities[-1] if qualities else 80)
        best = min(best, candidate, key=lambda e: e.size)
        if candidate.size <= max_bytes:
            return candidate
    return best


def thumbnail_image(source: Screenshot | Image.Image, max_size: tuple[int, int] = THUMBNAIL_SIZE) -> Image.Image:
    """A small RGB copy for previews (aspect kept; fast reduce first, then a good filter)."""
    image = as_image(source).copy() if isinstance(source, Image.Image) else as_image(source)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    image.thumbnail(max_size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    return image


def thumbnail(source: Screenshot | Image.Image, max_size: tuple[int, int] = THUMBNAIL_SIZE) -> EncodedImage:
    """The thumbnail as PNG bytes (QImage.fromData / QPixmap.loadFromData take them as-is)."""
    return encode_png(thumbnail_image(source, max_size), compress_level=6)
