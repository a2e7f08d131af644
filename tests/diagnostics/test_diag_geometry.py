"""Monitor maths with injected layouts: negative origins (monitors left of / above the primary),
mixed scaling, macOS point/pixel captures. No display needed."""

from __future__ import annotations

from typing import Any

import pytest

from intake_app.diagnostics.capture import Screenshot, apply_scales, capture, capture_monitor, capture_region
from intake_app.diagnostics.errors import CaptureError
from intake_app.diagnostics.geometry import (Monitor, Rect, clip_to_screens, logical_to_capture, monitor_at,
                                             monitors_from_mss, offset_in_virtual, primary, to_image_pixels,
                                             virtual_bounds)

# Windows: a 1080p monitor left of the primary, the primary a 1440p at 150 % raised by 200 px
WINDOWS_LAYOUT: list[dict[str, Any]] = [
    {"left": -1920, "top": 0, "width": 4480, "height": 1440},  # mss's "all monitors" entry
    {"left": -1920, "top": 0, "width": 1920, "height": 1080},
    {"left": 0, "top": -200, "width": 2560, "height": 1440, "scale": 1.5, "is_primary": True},
]


def test_monitors_from_mss_skip_the_all_entry_and_keep_scale() -> None:
    left, main = monitors_from_mss(WINDOWS_LAYOUT)
    assert (left.index, left.rect, left.scale, left.is_primary) == (1, Rect(-1920, 0, 1920, 1080), 1.0, False)
    assert (main.index, main.rect, main.scale, main.is_primary) == (2, Rect(0, -200, 2560, 1440), 1.5, True)
    assert primary([left, main]) is main


def test_virtual_screen_spans_negative_coordinates() -> None:
    monitors = monitors_from_mss(WINDOWS_LAYOUT)
    assert virtual_bounds(monitors) == Rect(-1920, -200, 4480, 1440)
    assert offset_in_virtual(monitors[0], monitors) == (0, 200)
    assert offset_in_virtual(monitors[1], monitors) == (1920, 0)


def test_points_find_their_monitor() -> None:
    left, main = monitors_from_mss(WINDOWS_LAYOUT)
    assert monitor_at(-1, 500, [left, main]) is left
    assert monitor_at(0, -200, [left, main]) is main
    assert monitor_at(-100, -100, [left, main]) is None  # the gap above the left monitor


def test_primary_falls_back_to_the_monitor_at_the_origin() -> None:
    a = Monitor(1, Rect(-1920, 0, 1920, 1080))
    b = Monitor(2, Rect(0, 0, 1920, 1080))
    assert primary([a, b]) is b


def test_regions_are_clipped_to_the_screens() -> None:
    monitors = monitors_from_mss(WINDOWS_LAYOUT)
    assert clip_to_screens(Rect(-2000, -300, 500, 500), monitors) == Rect(-1920, -200, 420, 400)
    with pytest.raises(ValueError, match="not on any screen"):
        clip_to_screens(Rect(5000, 0, 10, 10), monitors)
    with pytest.raises(ValueError, match="not on any screen"):
        clip_to_screens(Rect(-1900, -190, 50, 50), monitors)  # inside the bounds, in the gap


def test_logical_ui_coordinates_map_to_physical_pixels_per_monitor() -> None:
    left, main = monitors_from_mss(WINDOWS_LAYOUT)
    assert main.logical_rect == Rect(0, -200, 1707, 960)
    # on the 150 % monitor: Qt keeps the native origin and divides distances by the scale
    assert logical_to_capture(Rect(100, -100, 200, 100), [left, main]) == Rect(150, -50, 300, 150)
    # on the 100 % monitor nothing changes, negative coordinates included
    assert logical_to_capture(Rect(-1800, 100, 300, 200), [left, main]) == Rect(-1800, 100, 300, 200)
    with pytest.raises(ValueError):
        logical_to_capture(Rect(9000, 9000, 5, 5), [left, main])


def test_scales_from_the_ui_attach_by_native_origin() -> None:
    monitors = apply_scales(monitors_from_mss(WINDOWS_LAYOUT[:2]) + [Monitor(2, Rect(0, -200, 2560, 1440))],
                            {(0, -200): 1.25})
    assert [m.scale for m in monitors] == [1.0, 1.25]


def test_rubber_band_from_any_corner() -> None:
    assert Rect.from_points(300, 200, 100, 50) == Rect(100, 50, 200, 150)


def test_macos_points_to_retina_pixels() -> None:
    capture_rect = Rect(-1440, -900, 1440, 900)  # a Retina display above-left of the main one, in points
    box = to_image_pixels(Rect(-1400, -850, 100, 50), capture_rect, 2880, 1800)
    assert box == Rect(80, 100, 200, 100)
    assert to_image_pixels(Rect(-2000, -1000, 700, 200), capture_rect, 2880, 1800) == Rect(0, 0, 280, 200)


class RetinaSource:
    """Stands in for mss on a Mac (cannot run here): coordinates in points, pixels at 2×."""

    def __init__(self) -> None:
        self.grabs: list[Rect] = []

    def monitors(self) -> list[Monitor]:
        return [Monitor(1, Rect(0, 0, 1512, 982), 2.0, True), Monitor(2, Rect(-1920, -1080, 1920, 1080))]

    def grab(self, rect: Rect) -> tuple[bytes, int, int]:
        self.grabs.append(rect)
        scale = 2 if rect.left >= 0 else 1
        width, height = rect.width * scale, rect.height * scale
        return bytes(width * height * 4), width, height


def test_capture_with_an_injected_source_keeps_geometry_and_scale() -> None:
    source = RetinaSource()
    shot = capture_monitor(1, source)
    assert (shot.width, shot.height, shot.scale, shot.geometry) == (3024, 1964, 2.0, Rect(0, 0, 1512, 982))
    other = capture_monitor(2, source)
    assert (other.geometry, other.scale) == (Rect(-1920, -1080, 1920, 1080), 1.0)
    all_shot = capture("all", source=source)[0]
    assert all_shot.geometry == Rect(-1920, -1080, 3432, 2062)
    region = capture_region(Rect(-2500, -100, 1000, 300), source)
    assert region.geometry == Rect(-1920, -100, 420, 300)
    with pytest.raises(CaptureError, match="this computer has 2"):
        capture_monitor(3, source)
    assert isinstance(shot, Screenshot) and shot.image().size == (3024, 1964)
