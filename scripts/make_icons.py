#!/usr/bin/env python3
"""Render resources/icons/intake.svg to the PNG sizes the tray, taskbar and bundle use.

Run after editing the SVG and commit the PNGs: ``.venv/bin/python scripts/make_icons.py``.
Uses Qt's own SVG renderer (QtSvg, part of PySide6-Essentials); needs no display.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from intake_app.ui.icons import SIZES, icons_dir, render_svg, svg_source

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = svg_source()
    for size in SIZES:
        out = icons_dir() / f"intake-{size}.png"
        if not render_svg(svg, size).save(str(out), "PNG"):
            print(f"could not write {out}", file=sys.stderr)
            return 1
        print(f"{out.relative_to(icons_dir().parent.parent)}  {size}x{size}  {out.stat().st_size} bytes")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
