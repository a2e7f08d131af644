"""Image files and clipboard bytes become attachments; every bad input is a clear, fast error."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, PngImagePlugin

from intake_app.core.ticket import AttachmentKind
from intake_app.diagnostics.errors import AttachmentError
from intake_app.diagnostics.images_in import (MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, load_attachment_file,
                                              load_image_bytes, load_image_file, open_image)


def png_bytes(image: Image.Image, **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **params)
    return out.getvalue()


def saved(image: Image.Image, fmt: str, **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny file that claims huge dimensions (only the header is needed to refuse it)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">2I5B", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


SAMPLE = Image.new("RGB", (64, 48), (200, 30, 30))
NOISE = Image.frombytes("RGB", (256, 256), os.urandom(256 * 256 * 3))


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "reason", "words"), [
    (b"", "empty", "empty (0 bytes)"),
    (b"just some text, not a picture\n", "not_an_image", "not a picture (its content is text/plain)"),
    (b"%PDF-1.7 ...", "not_an_image", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "corrupt", "damaged or incomplete"),
    (png_bytes(NOISE)[:60_000], "corrupt", "damaged or incomplete"),  # truncated in the pixel data
    (saved(NOISE, "JPEG")[:3000], "corrupt", "damaged or incomplete"),
    (bomb_png(40_000, 40_000), "bomb", "too large a picture"),  # > 2× the limit: Pillow's error
    (bomb_png(10_000, 9_000), "bomb", "90 megapixels"),  # between the limit and 2×: Pillow's warning
])
def test_bad_clipboard_bytes(data: bytes, reason: str, words: str) -> None:
    with pytest.raises(AttachmentError) as caught:
        load_image_bytes(data, "pasted.png")
    assert caught.value.reason == reason and words in str(caught.value)


def test_pixel_limit_is_set_deliberately() -> None:
    assert Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS
    with pytest.raises(AttachmentError, match="the limit is 80 megapixels"):
        open_image(bomb_png(9_000, 9_000), "big.png")


def test_oversized_clipboard_content() -> None:
    with pytest.raises(AttachmentError, match="at most 64.0 MiB") as caught:
        load_image_bytes(b"\x89PNG" + bytes(MAX_IMAGE_BYTES), "huge.png")
    assert caught.value.reason == "too_large"


@pytest.mark.timeout(20)
def test_bad_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.png"
    text.write_text("not an image at all\n")
    folder = tmp_path / "Screenshots"
    folder.mkdir()
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)  # reading it would block forever: it must be refused before any read
    huge = tmp_path / "huge.png"
    with huge.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB by stat, nothing on disk
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(png_bytes(NOISE)[:50_000])
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(bomb_png(30_000, 30_000))
    cases = {empty: "empty", text: "not_an_image", folder: "directory", fifo: "not_a_file", huge: "too_large",
             truncated: "corrupt", bomb: "bomb", tmp_path / "gone.png": "missing"}
    for path, reason in cases.items():
        for loader in (load_image_file, load_attachment_file):
            if loader is load_attachment_file and path is text:
                continue  # any file may be attached: judged by content it is text, whatever its name
            with pytest.raises(AttachmentError) as caught:
                loader(path)
            assert caught.value.reason == reason, (path, loader, caught.value)
            assert path.name in str(caught.value)
    assert load_attachment_file(text).media_type == "text/plain"
    assert "200.0 MiB" in _message(load_image_file, huge)
    assert "is a folder" in _message(load_image_file, folder)


def _message(loader: Callable[[Path], Any], path: Path) -> str:
    with pytest.raises(AttachmentError) as caught:
        loader(path)
    return str(caught.value)


def test_unreadable_file(shared_dir: Path, as_other_user: Callable[[Callable[[], Any]], Any]) -> None:
    locked = shared_dir / "locked.png"
    locked.write_bytes(png_bytes(SAMPLE))
    locked.chmod(0o600)
    with pytest.raises(AttachmentError, match="permission denied") as caught:
        as_other_user(lambda: load_image_file(locked))
    assert caught.value.reason == "unreadable"


# --- good input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "media_type", "kept"), [
    ("PNG", "image/png", True), ("JPEG", "image/jpeg", True), ("GIF", "image/gif", True),
    ("WEBP", "image/webp", True), ("BMP", "image/png", False), ("TIFF", "image/png", False),
])
def test_clipboard_formats_become_the_same_attachment_type(fmt: str, media_type: str, kept: bool) -> None:
    data = saved(SAMPLE, fmt)
    attachment = load_image_bytes(data)
    assert attachment.kind == AttachmentKind.SCREENSHOT and attachment.media_type == media_type
    assert attachment.filename.startswith("clipboard-")
    assert (attachment.data == data) is kept
    assert open_image(attachment.data).size == (64, 48)


def test_photo_metadata_is_removed_and_orientation_kept(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to display
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPS position
    path = tmp_path / "photo.jpeg"
    path.write_bytes(saved(SAMPLE, "JPEG", exif=exif))
    attachment = load_image_file(path, kind=AttachmentKind.FILE)
    assert attachment.kind == AttachmentKind.FILE and attachment.filename == "photo.jpg"
    image = open_image(attachment.data)
    assert not image.getexif() and image.size == (48, 64)  # turned upright, EXIF gone
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "dana@corp.example.com")
    stripped = load_image_bytes(png_bytes(SAMPLE, pnginfo=info), "shot.png")
    assert b"dana@corp" not in stripped.data and open_image(stripped.data).size == (64, 48)


def test_plain_files_and_pictures_through_the_file_path(tmp_path: Path) -> None:
    log = tmp_path / "setup.log"
    log.write_text("line 1\nline 2\n")
    attachment = load_attachment_file(log)
    assert (attachment.kind, attachment.media_type, attachment.data) == (AttachmentKind.FILE, "text/plain",
                                                                         b"line 1\nline 2\n")
    picture = tmp_path / "screen"  # no extension: judged by content
    picture.write_bytes(png_bytes(SAMPLE))
    assert load_attachment_file(picture).media_type == "image/png"
    assert load_image_file(picture).filename == "screen.png"
