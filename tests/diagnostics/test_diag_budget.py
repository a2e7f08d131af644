"""The attachment budget: screenshots are compressed to fit; otherwise the message names the file."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from intake_app.core.ticket import Attachment, AttachmentKind
from intake_app.diagnostics.budget import MIB, budget_bytes, fit_to_budget
from intake_app.diagnostics.encode import encode_lossy, encode_png
from intake_app.diagnostics.errors import BudgetError
from intake_app.diagnostics.files import human_size
from intake_app.diagnostics.images_in import open_image


def noise_shot(name: str, width: int = 700, height: int = 500) -> Attachment:
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    return Attachment(f"{name}.png", encode_png(image).data, AttachmentKind.SCREENSHOT)


def log_file(name: str, size: int) -> Attachment:
    return Attachment(name, b"x" * size, AttachmentKind.FILE)


def test_budget_from_the_admin_setting() -> None:
    assert budget_bytes() == 20 * MIB and budget_bytes(5) == 5 * MIB
    with pytest.raises(ValueError):
        budget_bytes(0)


def test_everything_fits_nothing_changes() -> None:
    items = [noise_shot("a"), log_file("app.log", 1000)]
    result = fit_to_budget(items, 20 * MIB)
    assert result.attachments == tuple(items) and result.recompressed == () and result.message == ""


def test_screenshots_are_compressed_largest_first_until_they_fit() -> None:
    big, small, log = noise_shot("big", 900, 600), noise_shot("small", 300, 200), log_file("app.log", 50_000)
    big_q90 = encode_lossy(open_image(big.data), "jpeg", 90)
    budget = big_q90.size + small.size + log.size  # the first step on the largest one is enough
    result = fit_to_budget([big, small, log], budget)
    assert result.total <= budget == result.budget
    fitted_big, fitted_small, fitted_log = result.attachments
    assert fitted_big.filename == "big.jpg" and fitted_big.key == big.key and fitted_big.media_type == "image/jpeg"
    assert fitted_small == small and fitted_log == log  # only as much as needed; files never touched
    assert result.recompressed == ("big.jpg",)
    assert fitted_big.data == big_q90.data
    assert result.message == f"1 screenshot was compressed to fit the {human_size(budget)} limit."
    assert open_image(fitted_big.data).size == (900, 600)


def test_quality_steps_apply_to_every_screenshot_before_any_downscaling() -> None:
    shots = [noise_shot("one", 800, 600), noise_shot("two", 800, 600)]
    q80 = [encode_lossy(open_image(a.data), "jpeg", 80) for a in shots]
    result = fit_to_budget(shots, sum(e.size for e in q80))
    assert [a.data for a in result.attachments] == [e.data for e in q80]  # full size, quality 80


def test_downscaling_is_the_last_resort() -> None:
    shot = noise_shot("screen", 800, 600)
    q80 = encode_lossy(open_image(shot.data), "jpeg", 80)
    result = fit_to_budget([shot], q80.size - 1)
    assert open_image(result.attachments[0].data).size == (600, 450)


def test_a_file_alone_over_the_budget_is_named() -> None:
    with pytest.raises(BudgetError) as caught:
        fit_to_budget([noise_shot("s"), log_file("dump.log", 3 * MIB)], 2 * MIB)
    error = caught.value
    assert error.offender == "dump.log" and error.excess == MIB
    assert str(error) == ("“dump.log” alone is 3.0 MiB, 1.0 MiB over the 2.0 MiB attachment limit. "
                          "Remove it or attach a smaller file.")


def test_files_together_over_the_budget_name_the_largest() -> None:
    with pytest.raises(BudgetError) as caught:
        fit_to_budget([log_file("a.log", MIB), log_file("b.log", 2 * MIB)], int(2.5 * MIB))
    assert caught.value.offender == "b.log" and caught.value.excess == MIB // 2
    assert "together are 3.0 MiB, 512.0 KiB over the 2.5 MiB limit. Remove “b.log”" in str(caught.value)


def test_per_file_limit() -> None:
    with pytest.raises(BudgetError, match="over the 1.0 MiB limit for one file") as caught:
        fit_to_budget([log_file("big.log", MIB + 10)], 20 * MIB, max_file_bytes=MIB)
    assert caught.value.excess == 10


def test_when_even_compression_cannot_fit() -> None:
    shots = [noise_shot("one"), noise_shot("two")]
    with pytest.raises(BudgetError, match="^Even compressed, ") as caught:
        fit_to_budget(shots + [log_file("app.log", 10_000)], 20_000)
    assert caught.value.offender in ("one.jpg", "two.jpg") and caught.value.excess > 0
