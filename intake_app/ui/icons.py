"""The app icon, branded: the admin's own icon file, or ours in the admin's accent colour.

Our artwork is ``resources/icons/intake.svg`` with PNGs of every tray/taskbar
size committed beside it (``scripts/make_icons.py``). A different accent colour
re-renders the SVG at run time. The state variants (a red "needs attention"
dot, an amber "D" for demo mode) are drawn over any icon with QPainter, so
they work on the admin's icon too.
"""

from __future__ import annotations

import logging
import re
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QIcon, QPixmap

from intake_app.paths import resources_dir

if TYPE_CHECKING:
    from PySide6.QtGui import QImage, QPainter

# QImage, QPainter, QFont, QRectF and QSvgRenderer are imported where they are drawn with: PySide6
# builds each class's enums on first use (~5-10 ms for these), and the default icon needs none of them.

log = logging.getLogger(__name__)

DEFAULT_ACCENT = "#2F6FDF"  # the placeholder colour inside intake.svg
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
ATTENTION_COLOR = "#D1242F"
DEMO_COLOR = "#BF8700"


_HEX_RGB = re.compile(r"#[0-9A-Fa-f]{6}")


class Badge(Enum):
    ATTENTION = "attention"
    DEMO = "demo"


def icons_dir() -> Path:
    return resources_dir() / "icons"


def svg_source(accent: str | None = None) -> bytes:
    data = (icons_dir() / "intake.svg").read_text(encoding="utf-8")
    if accent and accent.upper() != DEFAULT_ACCENT:
        data = data.replace(DEFAULT_ACCENT, QColor(accent).name().upper())
    return data.encode("utf-8")


def render_svg(svg: bytes, size: int) -> QImage:
    """Render SVG bytes to a transparent square image (also used by scripts/make_icons.py)."""
    # QtSvg only for a re-coloured icon (the default one is PNGs); `Qt` here, not at the top: see badged()
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def valid_accent(accent: str | None) -> str | None:
    """The accent as #RRGGBB, or None when it is missing or not a colour Qt understands."""
    if not accent:
        return None
    if _HEX_RGB.fullmatch(accent.strip()):  # the usual case, what QColor would answer, without QColor
        return accent.strip().upper()
    color = QColor(accent.strip())
    if not color.isValid():
        log.warning("branding accent colour %r is not a colour; using the default", accent)
        return None
    return color.name().upper()


def app_icon(*, icon_path: str | Path | None = None, accent: str | None = None) -> QIcon:
    """The branded icon: the admin's file if it loads, else ours (re-coloured for ``accent``)."""
    if icon_path:
        icon = QIcon(str(icon_path))
        if not icon.isNull() and icon.availableSizes():
            return icon
        if Path(icon_path).suffix.lower() == ".svg" and not icon.isNull():
            return icon
        log.warning("branding icon %s could not be loaded; using the built-in icon", icon_path)
    accent = valid_accent(accent)
    icon = QIcon()
    if accent and accent != DEFAULT_ACCENT:
        svg = svg_source(accent)
        for size in SIZES:
            icon.addPixmap(QPixmap.fromImage(render_svg(svg, size)))
        return icon
    for size in SIZES:
        png = icons_dir() / f"intake-{size}.png"
        if png.exists():
            icon.addFile(str(png))
    if icon.isNull():  # PNGs not generated (a source checkout before make_icons): render the SVG
        svg = svg_source()
        for size in SIZES:
            icon.addPixmap(QPixmap.fromImage(render_svg(svg, size)))
    return icon


def badged(icon: QIcon, *badges: Badge) -> QIcon:
    """``icon`` with a corner badge per state: demo bottom-left, attention top-right."""
    if not badges:
        return icon
    # The `Qt` namespace costs ~40 ms the first time (PySide6 builds all its enums): not before the
    # tray icon shows when no badge is drawn (a deployed app starts without one).
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPainter

    result = QIcon()
    for size in SIZES:
        pixmap = icon.pixmap(size, size)
        if pixmap.isNull():
            continue
        canvas = QPixmap(size, size)
        canvas.fill(Qt.GlobalColor.transparent)
        painter = QPainter(canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawPixmap(0, 0, pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
        for badge in badges:
            _paint_badge(painter, size, badge)
        painter.end()
        result.addPixmap(canvas)
    return result


def _paint_badge(painter: QPainter, size: int, badge: Badge) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QFont

    diameter = max(7.0, size * (0.38 if badge is Badge.ATTENTION else 0.44))
    if badge is Badge.ATTENTION:
        rect = QRectF(size - diameter, 0, diameter, diameter)
        color = ATTENTION_COLOR
    else:
        rect = QRectF(0, size - diameter, diameter, diameter)
        color = DEMO_COLOR
    painter.setPen(QColor("white"))
    painter.setBrush(QColor(color))
    painter.drawEllipse(rect.adjusted(0.5, 0.5, -0.5, -0.5))
    if badge is Badge.DEMO and diameter >= 9:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(diameter * 0.72))
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "D")
