"""Icons: committed PNGs match the SVG, branding (file, accent), state badges drawn at run time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage

from intake_app.ui.icons import (
    ATTENTION_COLOR,
    DEFAULT_ACCENT,
    DEMO_COLOR,
    SIZES,
    Badge,
    app_icon,
    badged,
    icons_dir,
    render_svg,
    svg_source,
    valid_accent,
)

pytestmark = pytest.mark.gui


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < tolerance


def _share(image: QImage, color: str, region: tuple[int, int, int, int] | None = None) -> float:
    target = QColor(color)
    x0, y0, w, h = region or (0, 0, image.width(), image.height())
    hits = sum(_close(image.pixelColor(x, y), target) and image.pixelColor(x, y).alpha() > 200
               for y in range(y0, y0 + h) for x in range(x0, x0 + w))
    return hits / (w * h)


@pytest.mark.parametrize("size", SIZES)
def test_committed_pngs_are_the_svg_rendered(qapp: Any, size: int) -> None:
    png = QImage(str(icons_dir() / f"intake-{size}.png"))
    assert png.width() == size and png.height() == size, "run scripts/make_icons.py and commit the PNGs"
    fresh = render_svg(svg_source(), size).convertToFormat(png.format())
    assert fresh == png, f"intake-{size}.png is out of date: run scripts/make_icons.py"


def test_default_icon_has_every_size_in_the_accent(qapp: Any) -> None:
    icon = app_icon()
    assert {s.width() for s in icon.availableSizes()} >= set(SIZES)
    assert _share(icon.pixmap(64, 64).toImage(), DEFAULT_ACCENT) > 0.4


def test_admin_accent_recolours_our_icon(qapp: Any) -> None:
    image = app_icon(accent="#2E7D32").pixmap(64, 64).toImage()
    assert _share(image, "#2E7D32") > 0.4 and _share(image, DEFAULT_ACCENT) == 0


def test_a_bad_accent_falls_back_to_ours(qapp: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert valid_accent("not-a-colour") is None and valid_accent(" #abcdef ") == "#ABCDEF"
    assert _share(app_icon(accent="not-a-colour").pixmap(64, 64).toImage(), DEFAULT_ACCENT) > 0.4
    assert "not a colour" in caplog.text


def test_admin_icon_file_is_used(qapp: Any, tmp_path: Path) -> None:
    own = QImage(48, 48, QImage.Format.Format_ARGB32)
    own.fill(QColor("#FF8800"))
    path = tmp_path / "msp.png"
    assert own.save(str(path))
    assert _share(app_icon(icon_path=path, accent="#000000").pixmap(48, 48).toImage(), "#FF8800") > 0.9


def test_an_unloadable_admin_icon_falls_back(qapp: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    assert _share(app_icon(icon_path=broken).pixmap(64, 64).toImage(), DEFAULT_ACCENT) > 0.4
    assert "could not be loaded" in caplog.text


def test_badges_mark_the_corners(qapp: Any) -> None:
    base = app_icon()
    size = 64
    demo = badged(base, Badge.DEMO).pixmap(size, size).toImage()
    attention = badged(base, Badge.ATTENTION).pixmap(size, size).toImage()
    corner = size // 4
    assert _share(demo, DEMO_COLOR, (0, size - corner, corner, corner)) > 0.3  # bottom left
    assert _share(attention, ATTENTION_COLOR, (size - corner, 0, corner, corner)) > 0.3  # top right
    both = badged(base, Badge.DEMO, Badge.ATTENTION).pixmap(size, size).toImage()
    assert _share(both, DEMO_COLOR) > 0.05 and _share(both, ATTENTION_COLOR) > 0.05
    assert badged(base) is base
    small = badged(base, Badge.ATTENTION).pixmap(16, 16).toImage()
    assert _share(small, ATTENTION_COLOR) > 0.05  # still visible at tray size
