"""Keep a ticket's attachments within the size budget (default 20 MiB, admin ``screenshot_budget_mib``).

Only screenshots are ever recompressed, largest first, a step at a time (JPEG q90 →
q85 → q80, then downscaled as the last resort) and only as far as needed; other files
are never altered. When even that cannot fit, :class:`BudgetError` names the file to
remove and by how much the budget is exceeded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from PIL import Image

from intake_app.core.filetypes import is_image
from intake_app.core.ticket import Attachment, AttachmentKind
from intake_app.diagnostics.encode import DOWNSCALE_STEPS, LOSSY_QUALITIES, EncodedImage, encode_lossy
from intake_app.diagnostics.errors import BudgetError
from intake_app.diagnostics.files import human_size
from intake_app.diagnostics.images_in import MAX_FILE_BYTES, open_image

DEFAULT_BUDGET_MIB = 20
MIB = 1024 * 1024


def budget_bytes(mib: float = DEFAULT_BUDGET_MIB) -> int:
    """The admin's ``screenshot_budget_mib`` in bytes."""
    if mib <= 0:
        raise ValueError("the attachment budget must be positive")
    return int(mib * MIB)


@dataclass(frozen=True)
class FitResult:
    attachments: tuple[Attachment, ...]  # same order and keys as given
    total: int
    budget: int
    recompressed: tuple[str, ...]  # file names (after recompression) that were changed

    @property
    def message(self) -> str:
        """A line for the report window, empty when nothing had to change."""
        if not self.recompressed:
            return ""
        n = len(self.recompressed)
        return (f"{n} screenshot{'s were' if n > 1 else ' was'} compressed to fit the "
                f"{human_size(self.budget)} limit.")


def _downscaled(image: Image.Image, factor: float, lossy: str, quality: int) -> EncodedImage:
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return encode_lossy(image.resize(size, Image.Resampling.LANCZOS), lossy, quality)


def _ladder(lossy: str) -> list[Callable[[Image.Image], EncodedImage]]:
    """Quality steps first, downscaling last."""
    steps: list[Callable[[Image.Image], EncodedImage]] = [
        partial(encode_lossy, fmt=lossy, quality=q) for q in LOSSY_QUALITIES]
    steps += [partial(_downscaled, factor=f, lossy=lossy, quality=LOSSY_QUALITIES[-1]) for f in DOWNSCALE_STEPS]
    return steps


def _shrinkable(a: Attachment) -> bool:
    return a.kind == AttachmentKind.SCREENSHOT and is_image(a.media_type)


def fit_to_budget(attachments: Sequence[Attachment], budget: int | None = None, *,
                  max_file_bytes: int = MAX_FILE_BYTES, lossy: str = "jpeg") -> FitResult:
    """Attachments that fit ``budget`` bytes in total (and ``max_file_bytes`` each), or BudgetError."""
    limit = budget_bytes() if budget is None else budget
    current = list(attachments)
    for a in current:
        if not _shrinkable(a) and a.size > max_file_bytes:
            raise BudgetError(f"“{a.filename}” is {human_size(a.size)}, {human_size(a.size - max_file_bytes)} over "
                              f"the {human_size(max_file_bytes)} limit for one file. Remove it or attach a smaller one.",
                              offender=a.filename, excess=a.size - max_file_bytes)
    fixed = sum(a.size for a in current if not _shrinkable(a))
    if fixed > limit:
        worst = max((a for a in current if not _shrinkable(a)), key=lambda a: a.size)
        raise BudgetError(_over_message(worst, fixed, limit), offender=worst.filename, excess=fixed - limit)

    def over(i: int) -> bool:
        return sum(a.size for a in current) > limit or current[i].size > max_file_bytes

    changed: set[int] = set()
    decoded: dict[int, Image.Image] = {}
    order = sorted((i for i, a in enumerate(current) if _shrinkable(a)), key=lambda i: current[i].size, reverse=True)
    for step in _ladder(lossy):
        for i in order:
            if not over(i):
                continue
            if i not in decoded:  # decode once, from the original bytes (never re-encode a JPEG of a JPEG)
                decoded[i] = open_image(current[i].data, current[i].filename)
            encoded = step(decoded[i])
            if encoded.size < current[i].size:
                name = f"{Path(current[i].filename).stem}{encoded.extension}"
                current[i] = replace(current[i], filename=name, data=encoded.data)
                changed.add(i)
        if not any(over(i) for i in range(len(current))):
            break
    total = sum(a.size for a in current)
    largest = max(current, key=lambda a: a.size, default=None)
    if largest is not None and (total > limit or largest.size > max_file_bytes):
        if largest.size > max_file_bytes:
            raise BudgetError(f"Even compressed, “{largest.filename}” is {human_size(largest.size)}, "
                              f"{human_size(largest.size - max_file_bytes)} over the {human_size(max_file_bytes)} "
                              "limit for one file.", offender=largest.filename, excess=largest.size - max_file_bytes)
        text = _over_message(largest, total, limit)
        raise BudgetError("Even compressed, " + text[0].lower() + text[1:], offender=largest.filename,
                          excess=total - limit)
    return FitResult(tuple(current), total, limit, tuple(current[i].filename for i in sorted(changed)))


def _over_message(worst: Attachment, total: int, limit: int) -> str:
    if worst.size > limit:
        return (f"“{worst.filename}” alone is {human_size(worst.size)}, {human_size(worst.size - limit)} over the "
                f"{human_size(limit)} attachment limit. Remove it or attach a smaller file.")
    return (f"The attachments together are {human_size(total)}, {human_size(total - limit)} over the "
            f"{human_size(limit)} limit. Remove “{worst.filename}” ({human_size(worst.size)}) or another attachment.")
