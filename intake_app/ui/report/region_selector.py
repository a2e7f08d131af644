"""Pick a region of the screen over a frozen grab: a full-screen rubber band.

The grab is taken first (with the report window hidden), then shown here
full-screen, so what the user selects is exactly what was on screen. The
selection is reported in the grab's own pixels (HiDPI-safe). Enter with no
selection takes everything; Esc cancels.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget


class RegionSelector(QWidget):
    chosen = Signal(QRect)  # in image pixels
    cancelled = Signal()

    def __init__(self, image: QImage, geometry: QRect, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
                         | Qt.WindowType.Tool)
        self.image = image
        self.setGeometry(geometry)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Select a region of the screen"))
        self.setAccessibleDescription(self.tr("Drag to select; Enter takes the selection (or everything), "
                                              "Escape cancels."))
        self._from: QPointF | None = None
        self._to: QPointF | None = None
        self._done = False

    def selection(self) -> QRect:
        """The current selection in image pixels (empty when nothing is selected)."""
        if self._from is None or self._to is None:
            return QRect()
        sx = self.image.width() / max(1, self.width())
        sy = self.image.height() / max(1, self.height())
        r = QRectF(self._from, self._to).normalized()
        rect = QRect(QPoint(round(r.left() * sx), round(r.top() * sy)),
                     QPoint(round(r.right() * sx) - 1, round(r.bottom() * sy) - 1))
        return rect.intersected(self.image.rect())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._from = self._to = event.position()
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._from is not None:
            self._to = event.position()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._from is None:
            return
        self._to = event.position()
        selected = self.selection()
        if selected.width() >= 4 and selected.height() >= 4:
            self._finish(selected)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._finish(None)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            selected = self.selection()
            self._finish(selected if not selected.isEmpty() else self.image.rect())
        else:
            super().keyPressEvent(event)

    def _finish(self, rect: QRect | None) -> None:
        if self._done:
            return
        self._done = True
        self.hide()
        if rect is None:
            self.cancelled.emit()
        else:
            self.chosen.emit(rect)
        self.deleteLater()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(QRectF(self.rect()), self.image)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 90))
        if self._from is not None and self._to is not None:
            band = QRectF(self._from, self._to).normalized()
            source = QRectF(band.x() * self.image.width() / max(1, self.width()),
                            band.y() * self.image.height() / max(1, self.height()),
                            band.width() * self.image.width() / max(1, self.width()),
                            band.height() * self.image.height() / max(1, self.height()))
            painter.drawImage(band, self.image, source)
            painter.setPen(QPen(QColor("white"), 1, Qt.PenStyle.DashLine))
            painter.drawRect(band)
        painter.end()
