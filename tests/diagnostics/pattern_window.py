"""Show known coloured rectangles on an X display, for screen-capture tests (run as a subprocess).

``python pattern_window.py '[[x, y, w, h, [r, g, b]], ...]'`` with ``DISPLAY`` set: one
frameless, always-on-top window per rectangle at exactly that position (there is no
window manager on the test Xvfb to move them). Prints ``READY`` once every window is
exposed and painted, then stays up until terminated. A subprocess, because Qt binds
one X display per process and the tests use several Xvfb displays.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget


def main() -> int:
    rects = json.loads(sys.argv[1])
    app = QApplication(sys.argv[:1])
    windows = []
    for x, y, w, h, (r, g, b) in rects:
        win = QWidget(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
                      | Qt.WindowType.X11BypassWindowManagerHint)
        win.setAutoFillBackground(True)
        palette = win.palette()
        palette.setColor(win.backgroundRole(), QColor(r, g, b))
        win.setPalette(palette)
        win.setGeometry(x, y, w, h)
        win.show()
        windows.append(win)

    def ready() -> None:
        if all(w.windowHandle() is not None and w.windowHandle().isExposed() for w in windows):
            for w in windows:
                w.repaint()
            app.sync()  # every paint request reached the X server
            print("READY", flush=True)
        else:
            QTimer.singleShot(20, ready)

    QTimer.singleShot(0, ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
