"""The screenshots-and-files strip: capture buttons, thumbnails, preview, black-out, remove.

It shows and edits :class:`~intake_app.ui.report.shots.ShotItem` objects and asks
the window (through signals) to capture, paste or attach; the work itself runs
elsewhere. "Screenshot taken" is said plainly after every capture: users of
other tools thought the app had crashed (SPEC §9).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intake_app.ui.report.images import STRIP_ICON
from intake_app.ui.report.preview_dialog import PreviewDialog
from intake_app.ui.report.shots import AttachmentItem, ShotItem
from intake_app.ui.report.theme import FieldError, ok_color
from intake_app.ui.report.ticket_text import human_size

THUMB = QSize(*STRIP_ICON)  # its pixels: THUMB * 2 == images.THUMB_BOX (what workers make ahead)


class _List(QListWidget):
    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_pressed.emit()
        else:
            super().keyPressEvent(event)


class CaptureStrip(QGroupBox):
    capture_all = Signal()
    capture_screen = Signal(int)  # monitor number, 1-based
    capture_region = Signal()
    paste_image = Signal()
    attach_files = Signal()
    redact = Signal(object)  # ShotItem
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Screenshots and files"), parent)
        self.setAccessibleName(self.tr("Screenshots and files"))
        self.items: list[AttachmentItem] = []
        layout = QVBoxLayout(self)
        tools = QHBoxLayout()
        self.all_button = QPushButton(self.tr("Capture &all screens"), self)
        self.screen_button = QToolButton(self)
        self.screen_button.setText(self.tr("Capture &one screen"))
        self.screen_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.screen_menu = QMenu(self.screen_button)
        self.screen_button.setMenu(self.screen_menu)
        self.region_button = QPushButton(self.tr("Capture a re&gion"), self)
        self.paste_button = QPushButton(self.tr("Paste &image"), self)
        self.files_button = QPushButton(self.tr("Attach &files…"), self)
        for button in (self.all_button, self.screen_button, self.region_button, self.paste_button,
                       self.files_button):
            tools.addWidget(button)
        tools.addStretch(1)
        layout.addLayout(tools)
        self.confirmation = QLabel(self)
        self.confirmation.setAccessibleName(self.tr("Capture status"))
        self.confirmation.setWordWrap(True)
        layout.addWidget(self.confirmation)
        self.error = FieldError(None, self)
        layout.addWidget(self.error)

        self.list = _List(self)
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWrapping(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAccessibleName(self.tr("Attached screenshots and files"))
        self.list.setMinimumHeight(THUMB.height() + self.fontMetrics().lineSpacing() * 3)
        layout.addWidget(self.list)
        actions = QHBoxLayout()
        self.preview_button = QPushButton(self.tr("Preview"), self)
        self.redact_button = QPushButton(self.tr("Blac&k out parts…"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.budget = QLabel(self)
        for widget in (self.preview_button, self.redact_button, self.remove_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.budget)
        layout.addLayout(actions)

        self.all_button.clicked.connect(self.capture_all)
        self.region_button.clicked.connect(self.capture_region)
        self.paste_button.clicked.connect(self.paste_image)
        self.files_button.clicked.connect(self.attach_files)
        self.preview_button.clicked.connect(self.preview_current)
        self.redact_button.clicked.connect(self._redact_current)
        self.remove_button.clicked.connect(self.remove_current)
        self.list.delete_pressed.connect(self.remove_current)
        self.list.itemActivated.connect(lambda _item: self.preview_current())
        self.list.currentRowChanged.connect(self._update_buttons)
        self._update_buttons()

    # -- monitors and confirmation ----------------------------------------------------------

    def set_monitors(self, monitors: list[tuple[int, str]]) -> None:
        self.screen_menu.clear()
        for number, label in monitors:
            action = self.screen_menu.addAction(label)
            action.triggered.connect(lambda _checked=False, n=number: self.capture_screen.emit(n))
        self.screen_button.setEnabled(bool(monitors))

    def confirm(self, text: str) -> None:
        """Say plainly what just happened ("Screenshot taken: screen 1")."""
        palette = self.confirmation.palette()
        palette.setColor(QPalette.ColorRole.WindowText, ok_color(self))
        self.confirmation.setPalette(palette)
        self.confirmation.setText("✔ " + text)
        self.error.set_message(None)

    def show_error(self, text: str) -> None:
        self.confirmation.clear()
        self.error.set_message(text)

    def set_busy(self, busy: bool) -> None:
        for button in (self.all_button, self.region_button, self.paste_button):
            button.setEnabled(not busy)
        self.screen_button.setEnabled(not busy and bool(self.screen_menu.actions()))

    # -- items --------------------------------------------------------------------------------

    def add_item(self, item: AttachmentItem, *, select: bool = True) -> None:
        self.items.append(item)
        entry = QListWidgetItem(self._icon(item), f"{item.label}\n{human_size(item.approx_size)}")
        entry.setData(Qt.ItemDataRole.UserRole, item.key)
        entry.setToolTip(item.label)
        self.list.addItem(entry)
        if select:
            self.list.setCurrentItem(entry)
        self._refresh_budget()
        self.changed.emit()

    def refresh_item(self, item: AttachmentItem) -> None:
        row = self._row_of(item)
        if row >= 0:
            self.list.item(row).setIcon(self._icon(item))
        self.changed.emit()

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        removed = self.items.pop(row)
        self.list.takeItem(row)
        self.confirm(self.tr("Removed: %1").replace("%1", removed.label))
        self._refresh_budget()
        self._update_buttons()
        self.changed.emit()

    def current(self) -> AttachmentItem | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def clear_items(self) -> None:
        self.items.clear()
        self.list.clear()
        self._refresh_budget()

    def set_budget_text(self, text: str) -> None:
        self.budget.setText(text)

    def preview_current(self) -> None:
        item = self.current()
        if item is not None:
            dialog = PreviewDialog(item, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    # -- internals ----------------------------------------------------------------------------

    def _redact_current(self) -> None:
        item = self.current()
        if isinstance(item, ShotItem):
            self.redact.emit(item)

    def _row_of(self, item: AttachmentItem) -> int:
        return next((n for n, other in enumerate(self.items) if other is item), -1)

    def _icon(self, item: AttachmentItem) -> QIcon:
        if isinstance(item, ShotItem):
            return QIcon(QPixmap.fromImage(item.rendered(max_size=THUMB * 2)))
        return self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    def _refresh_budget(self) -> None:
        total = sum(i.approx_size for i in self.items)
        self.budget.setText(self.tr("%1 attached").replace("%1", human_size(total)) if self.items else "")

    def _update_buttons(self) -> None:
        item = self.current()
        self.preview_button.setEnabled(item is not None)
        self.remove_button.setEnabled(item is not None)
        self.redact_button.setEnabled(isinstance(item, ShotItem))
