"""Preview of one attachment exactly as it will be sent (black boxes burned in for screenshots)."""

from __future__ import annotations

from PySide6.QtGui import QPalette, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QScrollArea, QVBoxLayout, QWidget

from intake_app.ui.report.shots import AttachmentItem, FileItem, ShotItem


class PreviewDialog(QDialog):
    """Read-only; text files show their text, other files their name and type."""

    def __init__(self, item: AttachmentItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preview: %1").replace("%1", item.label))
        layout = QVBoxLayout(self)
        if isinstance(item, ShotItem):
            view = QLabel()
            view.setPixmap(QPixmap.fromImage(item.rendered()))
            view.setAccessibleName(self.tr("Screenshot preview"))
            scroll = QScrollArea(self)
            scroll.setWidget(view)
            scroll.setBackgroundRole(QPalette.ColorRole.Dark)
            layout.addWidget(scroll)
        elif isinstance(item, FileItem):
            text = QPlainTextEdit(self)
            text.setReadOnly(True)
            text.setPlainText(item.preview_text())
            text.setAccessibleName(self.tr("File preview"))
            layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        screen = self.screen().availableGeometry()
        self.resize(min(1000, screen.width() * 3 // 4), min(700, screen.height() * 3 // 4))


