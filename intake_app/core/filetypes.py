"""Detect a file's type from its bytes, never from its name (SPEC §2).

Only the magic numbers we need to route attachments: images (screenshots,
clipboard, files), PDFs, archives, and text logs. Anything else is
``application/octet-stream``.
"""

from __future__ import annotations

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff"})

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
)

_EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
    "image/bmp": ".bmp", "image/tiff": ".tif", "application/pdf": ".pdf", "application/zip": ".zip",
    "application/gzip": ".gz", "application/x-7z-compressed": ".7z", "application/json": ".json",
    "text/plain": ".txt", "application/octet-stream": ".bin",
}


def detect_media_type(data: bytes) -> str:
    """The MIME type of ``data`` judged by content alone."""
    head = data[:64]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, offset, media_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return media_type
    if _looks_like_text(data[:8192]):
        stripped = data[:8192].lstrip()
        if stripped[:1] in (b"{", b"[") and _is_json(data):
            return "application/json"
        return "text/plain"
    return "application/octet-stream"


def extension_for(media_type: str) -> str:
    return _EXTENSIONS.get(media_type, ".bin")


def is_image(media_type: str) -> bool:
    return media_type in IMAGE_TYPES


def _looks_like_text(sample: bytes) -> bool:
    if not sample:
        return False
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the sample's end is still text
        if exc.start < len(sample) - 4:
            return False
    return True


def _is_json(data: bytes) -> bool:
    import json

    try:
        json.loads(data)
    except ValueError:
        return False
    return True
