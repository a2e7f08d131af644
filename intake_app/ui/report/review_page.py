"""Review: the complete ticket exactly as the technician will see it, before anything is sent.

System information is part of the text; its optional parts have switches, and
switching one off removes it from what is sent (SPEC §2, STYLE habit 8).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from intake_app.ui.report.sysinfo import part_label


class ReviewPage(QWidget):
    parts_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("This is everything the helpdesk will receive. Go back to change anything."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName(self.tr("The ticket as the technician will see it"))
        self.text.setTabChangesFocus(True)
        label = QLabel(self.tr("&Ticket:"), self)
        label.setBuddy(self.text)
        layout.addWidget(label)
        layout.addWidget(self.text, 1)
        self.parts_box = QGroupBox(self.tr("System information to include"), self)
        self.parts_box.setAccessibleName(self.tr("System information to include"))
        self._grid = QGridLayout(self.parts_box)
        self.status = QLabel(self.parts_box)
        self.status.setWordWrap(True)
        self._grid.addWidget(self.status, 0, 0, 1, 2)
        layout.addWidget(self.parts_box)
        self.switches: dict[str, QCheckBox] = {}

    def set_text(self, text: str) -> None:
        if text != self.text.toPlainText():
            scroll = self.text.verticalScrollBar().value()
            self.text.setPlainText(text)
            self.text.verticalScrollBar().setValue(scroll)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def set_parts(self, present: list[str], switched_off: set[str]) -> None:
        """One switch per optional part the snapshot has (the set does not change after collection)."""
        for box in self.switches.values():
            self._grid.removeWidget(box)
            box.deleteLater()
        self.switches = {}
        for index, name in enumerate(present):
            box = QCheckBox(part_label(name), self.parts_box)
            box.setChecked(name not in switched_off)
            box.toggled.connect(self.parts_changed)
            self.switches[name] = box
            self._grid.addWidget(box, 1 + index // 2, index % 2)
            box.show()

    def switched_off(self) -> set[str]:
        return {name for name, box in self.switches.items() if not box.isChecked()}
