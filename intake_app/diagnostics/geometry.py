"""Monitor and region maths for screenshots, as pure functions (tested with injected layouts).

Coordinates are those of the capture backend (mss): physical pixels on Windows (mss is
per-monitor DPI aware) and X11, points on macOS. Monitors may sit left of or above the
primary one, so ``left``/``top`` can be negative; the virtual screen is their bounding
box. ``scale`` is the monitor's device-pixel ratio as the OS reports it (Windows 150 %
= 1.5, Retina = 2.0). The UI (Qt) works in device-independent units; Qt keeps each
screen's *origin* in native units and divides only its *size* by the scale, which is
what :func:`logical_to_capture` undoes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rect:
    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:  # exclusive
        return self.left + self.width

    @property
    def bottom(self) -> int:  # exclusive
        return self.top + self.height

    @property
    def empty(self) -> bool:
        return self.width <= 0 or self.height <= 0

    def intersect(self, other: Rect) -> Rect:
        left, top = max(self.left, other.left), max(self.top, other.top)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        return Rect(left, top, max(0, right - left), max(0, bottom - top))

    def contains_point(self, x: float, y: float) -> bool:
        return self.left <= x < self.right and self.top <= y < self.bottom

    def translated(self, dx: int, dy: int) -> Rect:
        return Rect(self.left + dx, self.top + dy, self.width, self.height)

    def as_mss(self) -> dict[str, int]:
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height}

    @classmethod
    def from_points(cls, x1: float, y1: float, x2: float, y2: float) -> Rect:
        """From two corners in any order (a rubber-band selection)."""
        left, right = sorted((round(x1), round(x2)))
        top, bottom = sorted((round(y1), round(y2)))
        return cls(left, top, right - left, bottom - top)


@dataclass(frozen=True)
class Monitor:
    index: int  # mss numbering: 1..n (0 is the whole virtual screen)
    rect: Rect
    scale: float = 1.0
    is_primary: bool = False
    name: str = ""

    @property
    def logical_rect(self) -> Rect:
        """The monitor as Qt sees it: same origin, size divided by the scale."""
        return Rect(self.rect.left, self.rect.top, round(self.rect.width / self.scale),
                    round(self.rect.height / self.scale))


def monitors_from_mss(entries: Sequence[Mapping[str, Any]]) -> list[Monitor]:
    """mss's ``monitors`` list (entry 0 = all together) -> :class:`Monitor` objects."""
    result = []
    for index, entry in enumerate(entries[1:], start=1):
        rect = Rect(int(entry["left"]), int(entry["top"]), int(entry["width"]), int(entry["height"]))
        result.append(Monitor(index, rect, float(entry.get("scale", 1.0) or 1.0), bool(entry.get("is_primary")),
                              str(entry.get("name") or entry.get("output") or "")))
    return result


def virtual_bounds(monitors: Iterable[Monitor]) -> Rect:
    """Bounding box of all monitors (may start at negative coordinates)."""
    rects = [m.rect for m in monitors]
    if not rects:
        raise ValueError("no monitors")
    left, top = min(r.left for r in rects), min(r.top for r in rects)
    right, bottom = max(r.right for r in rects), max(r.bottom for r in rects)
    return Rect(left, top, right - left, bottom - top)


def offset_in_virtual(monitor: Monitor, monitors: Sequence[Monitor]) -> tuple[int, int]:
    """Where ``monitor``'s top-left lands in a capture of the whole virtual screen."""
    bounds = virtual_bounds(monitors)
    return monitor.rect.left - bounds.left, monitor.rect.top - bounds.top


def primary(monitors: Sequence[Monitor]) -> Monitor:
    """The primary monitor: flagged, else the one at the origin, else the first."""
    for m in monitors:
        if m.is_primary:
            return m
    return next((m for m in monitors if m.rect.contains_point(0, 0)), monitors[0])


def monitor_at(x: float, y: float, monitors: Sequence[Monitor]) -> Monitor | None:
    return next((m for m in monitors if m.rect.contains_point(x, y)), None)


def clip_to_screens(region: Rect, monitors: Sequence[Monitor]) -> Rect:
    """``region`` cut to the virtual screen; ValueError when nothing of it is on screen."""
    clipped = region.intersect(virtual_bounds(monitors))
    if clipped.empty or not any(not clipped.intersect(m.rect).empty for m in monitors):
        raise ValueError(f"the region {region} is not on any screen")
    return clipped


def logical_to_capture(region: Rect, monitors: Sequence[Monitor]) -> Rect:
    """A rectangle in the UI's device-independent coordinates -> capture coordinates.

    The monitor whose logical area overlaps ``region`` most decides the scale (a
    selection spanning two monitors with different scales cannot be exact on both).
    """
    best = max(monitors, key=lambda m: _area(region.intersect(m.logical_rect)))
    if _area(region.intersect(best.logical_rect)) == 0:
        raise ValueError(f"the region {region} is not on any screen")
    s, origin = best.scale, best.rect
    left = origin.left + round((region.left - origin.left) * s)
    top = origin.top + round((region.top - origin.top) * s)
    return Rect(left, top, round(region.width * s), round(region.height * s))


def to_image_pixels(region: Rect, capture: Rect, pixel_width: int, pixel_height: int) -> Rect:
    """A region in capture coordinates -> pixel box inside an image of ``capture``.

    On macOS a capture of W×H points is (W·s)×(H·s) pixels; elsewhere the factor is 1.
    The result is clipped to the image.
    """
    sx, sy = pixel_width / capture.width, pixel_height / capture.height
    box = Rect(round((region.left - capture.left) * sx), round((region.top - capture.top) * sy),
               round(region.width * sx), round(region.height * sy))
    return box.intersect(Rect(0, 0, pixel_width, pixel_height))


def _area(rect: Rect) -> int:
    return 0 if rect.empty else rect.width * rect.height
