"""The baseline: the smallest PySide6 program that shows a tray icon, and nothing else.

    python benchmarks/baseline_tray.py

Every start-up and memory figure of the app is set beside this script measured
in the same run (same interpreter, same display, same machine load), as a
ratio. It imports what any Qt tray app needs (QtWidgets), paints a 32×32 icon
with a one-item menu and idles. SIGTERM ends it (the default action).
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor("#2f6fdf"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    menu = QMenu()
    menu.addAction("Quit", app.quit)
    tray.setContextMenu(menu)
    tray.show()
    trace = os.environ.get("INTAKE_BENCH_TRACE")  # benchmarks: the CPU used until the icon was shown
    if trace:
        with open(trace, "a", encoding="utf-8") as fh:
            fh.write(f"{time.monotonic():.6f} tray-show cpu={time.process_time() * 1000:.1f}\n")
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
