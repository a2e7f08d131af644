"""Screen capture with mss, into memory only: nothing is written to disk here.

SPEC §9: the screens are grabbed the moment "Report a problem" is chosen, before the
app's window appears. The UI hides its own windows and lets the compositor settle
*before* calling in (on the GUI thread), then captures on a worker thread; for simple
synchronous callers ``capture(target, before=hide, after=restore)`` runs the two hooks
around the grab (``after`` runs even if the grab fails).

A :class:`Screenshot` holds mss's raw BGRX pixels, no copy made; turn it into a Pillow
image with :meth:`Screenshot.image` (a zero-copy view) for encoding or redaction.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from intake_app.diagnostics.errors import CaptureError
from intake_app.diagnostics.geometry import Monitor, Rect, clip_to_screens, monitors_from_mss, virtual_bounds

if TYPE_CHECKING:
    from PIL import Image

ALL_MONITORS = 0  # monitor_index of a capture of the whole virtual screen
REGION = -1  # monitor_index of a region capture
Target = Literal["all", "each"] | int | Rect
_T = TypeVar("_T")
log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Screenshot:
    """Raw pixels plus where they came from. ``pixels`` is BGRX, 4 bytes per pixel, rows packed."""

    pixels: bytes | bytearray
    width: int  # in pixels
    height: int
    geometry: Rect  # in capture coordinates (pixels; points on macOS)
    monitor_index: int  # 1..n, ALL_MONITORS or REGION
    taken_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def scale(self) -> float:
        """Pixels per capture unit (2.0 on a Retina display, else 1.0)."""
        return self.width / self.geometry.width if self.geometry.width else 1.0

    def image(self) -> Image.Image:
        """A Pillow RGB image sharing this screenshot's memory (read-only; edits copy first)."""
        from PIL import Image  # noqa: PLC0415 - keep `import capture` cheap

        return Image.frombuffer("RGB", (self.width, self.height), self.pixels, "raw", "BGRX", 0, 1)

    def with_pixels(self, pixels: bytes | bytearray) -> Screenshot:
        return replace(self, pixels=pixels)


class ScreenSource(Protocol):
    """Where pixels come from: mss in the app; tests may pass an mss source on their own display."""

    def monitors(self) -> list[Monitor]: ...
    def grab(self, rect: Rect) -> tuple[bytes | bytearray, int, int]: ...


class MssSource:
    """mss on this computer's screens (``display`` selects an X display on Linux, e.g. ":99").

    Use it as a context manager to grab several times over one connection; mss objects
    belong to the thread that made them (GDI on Windows), so make one per worker call, or
    keep one on a thread of its own (:mod:`intake_app.diagnostics.screen_grabber`).
    """

    def __init__(self, display: str | None = None) -> None:
        self.display = display
        self._sct: Any = None

    def __enter__(self) -> MssSource:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        import mss  # noqa: PLC0415

        kwargs: dict[str, Any] = {"display": self.display} if self.display and sys.platform.startswith("linux") else {}
        try:
            self._sct = mss.MSS(**kwargs)
        except mss.ScreenShotError as exc:
            raise CaptureError(f"The screen cannot be captured: {failure_text(exc)}.") from exc

    def close(self) -> None:
        """Release the connection; a connection the display already dropped closes quietly."""
        sct, self._sct = self._sct, None
        if sct is not None:
            try:
                sct.close()
            except Exception as exc:  # noqa: BLE001 - mss reports a lost connection again while closing it
                log.debug("the screen connection was already broken: %s", exc)

    @property
    def is_open(self) -> bool:
        return self._sct is not None

    def _require(self) -> Any:
        if self._sct is None:
            raise RuntimeError("use MssSource as a context manager")
        return self._sct

    def _call(self, failure: str, fn: Callable[[Any], _T]) -> _T:
        """``fn(mss instance)``, with mss's own errors turned into a CaptureError saying ``failure``."""
        import mss  # noqa: PLC0415

        try:
            return fn(self._require())
        except mss.ScreenShotError as exc:
            raise CaptureError(f"{failure}: {failure_text(exc)}.") from exc

    def monitors(self) -> list[Monitor]:
        """Read afresh on every call, so a source kept open sees monitors added, removed or resized."""
        return self._call("The screens cannot be listed", lambda sct: monitors_from_mss(_fresh_monitors(sct)))

    def grab(self, rect: Rect) -> tuple[bytearray, int, int]:
        shot = self._call("The screen cannot be captured", lambda sct: sct.grab(rect.as_mss()))
        return shot.raw, shot.width, shot.height


def _fresh_monitors(sct: Any) -> Any:
    """mss's monitor list, read now: mss keeps the first answer for the life of its object
    (python-mss issues #79 and #432; clearing ``_monitors`` is the maintainers' advice)."""
    if hasattr(sct, "_monitors"):
        sct._monitors = None  # noqa: SLF001
    return sct.monitors


def failure_text(exc: Exception) -> str:
    """The first line of an mss error, as words for the user (they read CaptureError verbatim)."""
    text = str(exc).split("\n", 1)[0]
    return "no display is available" if "display" in text.lower() else text


def apply_scales(monitors: Sequence[Monitor], scales: Mapping[tuple[int, int], float]) -> list[Monitor]:
    """Attach the OS scale factors (e.g. from Qt's screens, keyed by native top-left) to monitors."""
    return [replace(m, scale=scales.get((m.rect.left, m.rect.top), m.scale)) for m in monitors]


def shoot(source: ScreenSource, target: Target) -> list[Screenshot]:
    """Grab ``target`` from an open ``source`` (what :func:`capture` does inside its session)."""
    monitors = source.monitors()
    if not monitors:
        raise CaptureError("No screen was found to capture.")
    if target == "each":
        return [_grab(source, m.rect, m.index) for m in monitors]
    if target == "all":
        return [_grab(source, virtual_bounds(monitors), ALL_MONITORS)]
    if isinstance(target, Rect):
        try:
            return [_grab(source, clip_to_screens(target, monitors), REGION)]
        except ValueError as exc:
            raise CaptureError(f"Nothing to capture: {exc}.") from None
    if isinstance(target, int) and not isinstance(target, bool):
        chosen = next((m for m in monitors if m.index == target), None)
        if chosen is None:
            raise CaptureError(f"There is no monitor {target}; this computer has {len(monitors)}.")
        return [_grab(source, chosen.rect, chosen.index)]
    raise TypeError(f"unknown capture target {target!r}")


def _grab(source: ScreenSource, rect: Rect, index: int) -> Screenshot:
    pixels, width, height = source.grab(rect)
    return Screenshot(pixels, width, height, rect, index)


def capture(target: Target = "each", *, before: Callable[[], object] | None = None,
            after: Callable[[], object] | None = None, source: ScreenSource | None = None) -> list[Screenshot]:
    """Grab ``target``: ``"each"`` monitor separately, ``"all"`` as one image, a monitor index, or a Rect.

    ``before`` runs first (hide your window and let it vanish), ``after`` always runs last.
    """
    if before is not None:
        before()
    try:
        with _session(source or MssSource()) as src:
            return shoot(src, target)
    finally:
        if after is not None:
            after()


@contextmanager
def _session(source: ScreenSource) -> Iterator[ScreenSource]:
    """An MssSource that is not open yet is opened for this one call (in this thread)."""
    if isinstance(source, MssSource) and not source.is_open:
        with source:
            yield source
    else:
        yield source


def capture_now(source: ScreenSource | None = None) -> list[Screenshot]:
    """Every monitor, one Screenshot each, in memory (the "screen as it was" grab)."""
    return capture("each", source=source)


def capture_all(source: ScreenSource | None = None) -> Screenshot:
    """The whole virtual screen (all monitors) as one image."""
    return capture("all", source=source)[0]


def capture_monitor(index: int, source: ScreenSource | None = None) -> Screenshot:
    """Monitor ``index`` (1-based, as in :func:`list_monitors`)."""
    return capture(index, source=source)[0]


def capture_region(region: Rect, source: ScreenSource | None = None) -> Screenshot:
    """A rectangle in capture coordinates, clipped to the screens."""
    return capture(region, source=source)[0]


def list_monitors(source: ScreenSource | None = None) -> list[Monitor]:
    """The monitors, numbered as the capture functions expect."""
    with _session(source or MssSource()) as src:
        return src.monitors()
