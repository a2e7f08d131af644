"""Black boxes burned into the pixels before anything is encoded (SPEC §2 "regions blacked out").

The result is a new image; the original pixels stay in the caller's memory and are
never written anywhere (no temporary files), so dropping the original drops them.
Boxes are in image pixels (the UI converts from its preview's coordinates; see
:func:`intake_app.diagnostics.geometry.to_image_pixels` for screen coordinates).
"""

from __future__ import annotations

from collections.abc import Iterable

from PIL import Image

from intake_app.diagnostics.capture import Screenshot
from intake_app.diagnostics.encode import as_image
from intake_app.diagnostics.geometry import Rect

BLACK = (0, 0, 0)


def clip_boxes(boxes: Iterable[Rect], width: int, height: int) -> list[Rect]:
    """Boxes cut to the image; boxes entirely outside it or empty are dropped."""
    frame = Rect(0, 0, width, height)
    return [clipped for box in boxes if not (clipped := box.intersect(frame)).empty]


def redact(source: Screenshot | Image.Image, boxes: Iterable[Rect]) -> Image.Image:
    """A copy of ``source`` with every box filled solid black (RGB; alpha is dropped, so
    nothing can be recovered from a transparent "black")."""
    image = as_image(source)
    if image.mode != "RGB":
        out = image.convert("RGB")
    elif isinstance(source, Screenshot):
        out = image  # already its own buffer; a shared read-only one would be copied on write by Pillow
    else:
        out = image.copy()
    for box in clip_boxes(boxes, out.width, out.height):
        out.paste(BLACK, (box.left, box.top, box.right, box.bottom))
    return out
