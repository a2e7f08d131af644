"""Black out parts of a screenshot before it is sent.

The editor only collects boxes in *image* pixels; they are burned into the
pixels by diagnostics' redact step when the shot is encoded, so the original
never leaves memory. Mouse: drag a box. Keyboard: arrows move the marker box,
Shift+arrows resize it, Enter adds it, Ctrl+Z removes the last box.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen, QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

Box = tuple[int, int, int, int]  # x, y, width, height in image pixels

KEY_STEP = 0.02  # the keyboard marker moves by 2 % of the image per key press


class RedactionCanvas(QWidget):
    """Shows the image scaled to fit, with the boxes painted solid black."""

    def __init__(self, image: QImage, boxes: list[Box], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = image
        self.boxes: list[Box] = list(boxes)
        self._drag_from: QPointF | None = None
        self._drag_to: QPointF | None = None
        w, h = image.width(), image.height()
        self.marker = QRect(w // 4, h // 4, max(1, w // 4), max(1, h // 8))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.setMinimumSize(320, 200)
        self.setAccessibleName(self.tr("Screenshot to black out"))
        self.setAccessibleDescription(self.tr("Drag with the mouse to black out an area. Keyboard: arrow keys move "
                                              "the dashed box, Shift+arrows resize it, Enter blacks it out, "
                                              "Ctrl+Z removes the last box."))

    def sizeHint(self) -> QSize:
        return QSize(min(self.image.width(), 960), min(self.image.height(), 600))

    # -- geometry -------------------------------------------------------------------------

    def _target(self) -> QRectF:
        if self.image.isNull():
            return QRectF(self.rect())
        scale = min(self.width() / self.image.width(), self.height() / self.image.height())
        w, h = self.image.width() * scale, self.image.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def to_image(self, point: QPointF) -> QPointF:
        t = self._target()
        x = (point.x() - t.x()) * self.image.width() / t.width()
        y = (point.y() - t.y()) * self.image.height() / t.height()
        return QPointF(min(max(x, 0.0), self.image.width()), min(max(y, 0.0), self.image.height()))

    def to_widget(self, rect: QRect) -> QRectF:
        t = self._target()
        sx, sy = t.width() / self.image.width(), t.height() / self.image.height()
        return QRectF(t.x() + rect.x() * sx, t.y() + rect.y() * sy, rect.width() * sx, rect.height() * sy)

    # -- editing --------------------------------------------------------------------------

    def add_box(self, rect: QRect) -> None:
        rect = rect.normalized().intersected(self.image.rect())
        if rect.width() > 0 and rect.height() > 0:
            self.boxes.append((rect.x(), rect.y(), rect.width(), rect.height()))
            self.update()

    def undo(self) -> None:
        if self.boxes:
            self.boxes.pop()
            self.update()

    def clear(self) -> None:
        self.boxes.clear()
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = self._drag_to = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._drag_to = event.position()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is None or event.button() != Qt.MouseButton.LeftButton:
            return
        a, b = self.to_image(self._drag_from), self.to_image(event.position())
        self._drag_from = self._drag_to = None
        self.add_box(QRect(QPoint(round(min(a.x(), b.x())), round(min(a.y(), b.y()))),
                           QPoint(round(max(a.x(), b.x())) - 1, round(max(a.y(), b.y())) - 1)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        step_x = max(1, round(self.image.width() * KEY_STEP))
        step_y = max(1, round(self.image.height() * KEY_STEP))
        moves = {Qt.Key.Key_Left: (-step_x, 0), Qt.Key.Key_Right: (step_x, 0),
                 Qt.Key.Key_Up: (0, -step_y), Qt.Key.Key_Down: (0, step_y)}
        if key in moves:
            dx, dy = moves[key]
            if mods & Qt.KeyboardModifier.ShiftModifier:
                self.marker.setWidth(max(1, self.marker.width() + dx))
                self.marker.setHeight(max(1, self.marker.height() + dy))
            else:
                self.marker.translate(dx, dy)
            clipped = self.marker.intersected(self.image.rect())
            self.marker = QRect(0, 0, step_x, step_y) if clipped.isEmpty() else clipped
            self.update()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.add_box(QRect(self.marker))
        elif key == Qt.Key.Key_Z and mods & Qt.KeyboardModifier.ControlModifier:
            self.undo()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self._target(), self.image)
        for x, y, w, h in self.boxes:
            painter.fillRect(self.to_widget(QRect(x, y, w, h)), QColor("black"))
        if self._drag_from is not None and self._drag_to is not None:
            painter.fillRect(QRectF(self._drag_from, self._drag_to).normalized(), QColor(0, 0, 0, 160))
        if self.hasFocus():
            pen = QPen(self.palette().highlight().color(), 2, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRect(self.to_widget(self.marker))
        painter.end()


class RedactionEditor(QDialog):
    """Modal editor; :meth:`boxes` after ``accept()`` are the boxes to burn in."""

    def __init__(self, image: QImage, boxes: list[Box], title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Black out parts of %1").replace("%1", title))
        layout = QVBoxLayout(self)
        hint = QLabel(self.tr("Drag over anything private (passwords, other people's data) to black it out. "
                              "Keyboard: arrows move the dashed box, Shift+arrows resize it, Enter blacks it out."),
                      self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.canvas = RedactionCanvas(image, boxes, self)
        layout.addWidget(self.canvas, 1)
        row = QHBoxLayout()
        self.undo_button = QPushButton(self.tr("&Undo last box"), self)
        self.clear_button = QPushButton(self.tr("&Remove all boxes"), self)
        row.addWidget(self.undo_button)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        row.addWidget(self.buttons)
        layout.addLayout(row)
        self.undo_button.clicked.connect(self.canvas.undo)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)  # keyboard users start on the picture

    def boxes(self) -> list[Box]:
        return list(self.canvas.boxes)
