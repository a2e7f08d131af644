"""Screen capture on real X displays: a known picture is put on screen, captured through the
public API, encoded to PNG, decoded, and found at exactly the expected pixels."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops

from diagnostics.diag_support import Color, PatternRect, needs_display, xrandr
from intake_app.diagnostics.capture import (ALL_MONITORS, REGION, MssSource, capture, capture_all, capture_monitor,
                                            capture_now, capture_region, list_monitors)
from intake_app.diagnostics.encode import encode_png
from intake_app.diagnostics.errors import CaptureError
from intake_app.diagnostics.geometry import Rect
from intake_app.diagnostics.redact import redact

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _session_client(x_session_client: None) -> None:
    """Every test here runs with an X client held open (see ``x_session_client``)."""

RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)
MAGENTA, CYAN, ORANGE, WHITE = (255, 0, 255), (0, 255, 255), (255, 128, 0), (255, 255, 255)
QUAD_W, QUAD_H = 120, 60


def quadrants(x: int, y: int, colors: tuple[Color, Color, Color, Color]) -> list[PatternRect]:
    """A 240×120 block of four coloured quadrants with its top-left at (x, y)."""
    a, b, c, d = colors
    return [(x, y, QUAD_W, QUAD_H, a), (x + QUAD_W, y, QUAD_W, QUAD_H, b),
            (x, y + QUAD_H, QUAD_W, QUAD_H, c), (x + QUAD_W, y + QUAD_H, QUAD_W, QUAD_H, d)]


def bbox_of(image: Image.Image, color: Color) -> tuple[int, int, int, int] | None:
    """Bounding box (left, top, right, bottom) of the pixels of exactly ``color``."""
    diff = ImageChops.difference(image.convert("RGB"), Image.new("RGB", image.size, color))
    r, g, b = (band.point(lambda v: 255 if v == 0 else 0) for band in diff.split())
    return ImageChops.multiply(ImageChops.multiply(r, g), b).getbbox()


def decoded_png(shot: object) -> Image.Image:
    return Image.open(io.BytesIO(encode_png(shot).data))  # type: ignore[arg-type]


def assert_pattern_at(image: Image.Image, x: int, y: int, colors: tuple[Color, Color, Color, Color]) -> None:
    for (qx, qy, w, h, color) in quadrants(x, y, colors):
        assert bbox_of(image, color) == (qx, qy, qx + w, qy + h), f"{color} not where expected"


def test_pattern_found_in_capture_of_the_test_display(show_pattern: Callable[..., None]) -> None:
    needs_display()
    colors = (RED, GREEN, BLUE, YELLOW)
    show_pattern(quadrants(300, 400, colors))
    shots = capture_now()
    assert [s.monitor_index for s in shots] == [m.index for m in list_monitors()]
    first = shots[0]
    assert (first.width, first.height) == (first.geometry.width, first.geometry.height)
    assert first.scale == 1.0
    assert_pattern_at(decoded_png(first), 300 - first.geometry.left, 400 - first.geometry.top, colors)

    whole = capture_all()
    assert whole.monitor_index == ALL_MONITORS
    assert_pattern_at(decoded_png(whole), 300 - whole.geometry.left, 400 - whole.geometry.top, colors)

    region = capture_region(Rect(250, 350, 400, 300))
    assert region.monitor_index == REGION and (region.width, region.height) == (400, 300)
    assert_pattern_at(decoded_png(region), 50, 50, colors)


def test_hooks_run_around_the_grab_even_when_it_fails() -> None:
    needs_display()
    calls: list[str] = []
    shots = capture("each", before=lambda: calls.append("hide"), after=lambda: calls.append("restore"))
    assert calls == ["hide", "restore"] and shots
    calls.clear()
    with pytest.raises(CaptureError, match="no monitor 99"):
        capture(99, before=lambda: calls.append("hide"), after=lambda: calls.append("restore"))
    assert calls == ["hide", "restore"]


def test_region_off_screen_is_a_clear_error() -> None:
    needs_display()
    with pytest.raises(CaptureError, match="not on any screen"):
        capture_region(Rect(50_000, 50_000, 10, 10))


def test_several_randr_monitors_captured_one_by_one(own_xvfb: Callable[[int, int], str],
                                                    show_pattern: Callable[..., None]) -> None:
    """Two RandR monitors on one Xvfb screen (mss reads them via RandR 1.5 GetMonitors)."""
    display = own_xvfb(3200, 1080)
    xrandr(display, "--setmonitor", "*LEFT", "1280/338x1024/270+0+0", "screen")
    xrandr(display, "--setmonitor", "RIGHT", "1920/508x1080/286+1280+0", "none")
    assert "Monitors: 2" in xrandr(display, "--listmonitors")
    left_colors, right_colors = (MAGENTA, CYAN, ORANGE, WHITE), (RED, GREEN, BLUE, YELLOW)
    show_pattern(quadrants(100, 200, left_colors) + quadrants(1280 + 500, 300, right_colors), display)

    source = MssSource(display)
    monitors = {m.rect: m for m in list_monitors(source)}
    assert set(monitors) == {Rect(0, 0, 1280, 1024), Rect(1280, 0, 1920, 1080)}
    left, right = monitors[Rect(0, 0, 1280, 1024)], monitors[Rect(1280, 0, 1920, 1080)]
    assert left.is_primary and not right.is_primary

    left_shot = decoded_png(capture_monitor(left.index, source))
    assert left_shot.size == (1280, 1024)
    assert_pattern_at(left_shot, 100, 200, left_colors)
    assert all(bbox_of(left_shot, c) is None for c in right_colors), "right monitor's pattern leaked into left"

    right_shot = decoded_png(capture_monitor(right.index, source))
    assert right_shot.size == (1920, 1080)
    assert_pattern_at(right_shot, 500, 300, right_colors)
    assert all(bbox_of(right_shot, c) is None for c in left_colors), "left monitor's pattern leaked into right"

    each = capture_now(source)
    assert sorted(s.monitor_index for s in each) == sorted(m.index for m in monitors.values())
    whole = decoded_png(capture_all(source))
    assert whole.size == (3200, 1080)
    assert_pattern_at(whole, 100, 200, left_colors)
    assert_pattern_at(whole, 1780, 300, right_colors)

    spanning = decoded_png(capture_region(Rect(1200, 250, 700, 200), source))  # crosses the monitor border
    assert bbox_of(spanning, RED) == (580, 50, 700, 110)


def test_no_display_is_a_clear_capture_error(own_xvfb: Callable[[int, int], str]) -> None:
    with pytest.raises(CaptureError, match="no display"):
        capture_now(MssSource(":987"))


def test_redaction_of_a_real_capture(show_pattern: Callable[..., None]) -> None:
    needs_display()
    colors = (RED, GREEN, BLUE, YELLOW)
    show_pattern(quadrants(600, 500, colors))
    shot = capture_region(Rect(550, 450, 400, 300))
    before = decoded_png(shot).convert("RGB")
    assert_pattern_at(before, 50, 50, colors)
    box = Rect(110, 80, 120, 60)  # the middle of the pattern: a corner of each quadrant
    after = decoded_png(redact(shot, [box])).convert("RGB")
    assert after.crop((box.left, box.top, box.right, box.bottom)).getextrema() == ((0, 0), (0, 0), (0, 0))
    mask = Image.new("L", after.size, 255)
    mask.paste(0, (box.left, box.top, box.right, box.bottom))
    assert ImageChops.multiply(ImageChops.difference(after, before).convert("L"), mask).getbbox() is None
    assert bbox_of(after, RED) == (50, 50, 170, 110)  # the box takes a corner, the bounding box stays
    assert after.getpixel((169, 109)) == (0, 0, 0) and after.getpixel((109, 79)) == RED
    assert decoded_png(shot).convert("RGB").getpixel((169, 109)) == RED  # the original is untouched
