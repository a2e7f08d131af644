""""What's wrong": summary with a counter, exact error details, description, device name.

The error details are the one field that must reach the technician byte for
byte (SPEC §2: unicode, tabs, long lines). A ``QPlainTextEdit`` normalises some
characters on the way out (line separators, no-break spaces), so the text that
came from the clipboard or a restored draft is kept as-is until the user edits it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake_app.core.validation import SUMMARY_MAX
from intake_app.ui.report.theme import FieldError, error_color

PARAGRAPH_SEPARATOR = "\u2029"


class ExactTextEdit(QPlainTextEdit):
    """A plain-text editor whose :meth:`exact_text` returns what was put in, verbatim."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._exact: str | None = None
        self._setting = False
        self.setTabChangesFocus(True)  # Tab moves on (keyboard use); pasted tabs are kept
        self.textChanged.connect(self._user_edited)

    def set_exact_text(self, text: str) -> None:
        self._setting = True
        try:
            self.setPlainText(text)
        finally:
            self._setting = False
        self._exact = text

    def exact_text(self) -> str:
        if self._exact is not None:
            return self._exact
        return self.document().toRawText().replace(PARAGRAPH_SEPARATOR, "\n")

    def _user_edited(self) -> None:
        if not self._setting:
            self._exact = None


class ProblemSection(QGroupBox):
    """The user's words; emits ``changed`` on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("What's wrong?"), parent)
        self.setAccessibleName(self.tr("What's wrong?"))
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

        self.summary = QLineEdit(self)
        self.summary.setPlaceholderText(self.tr("e.g. Outlook says “cannot connect to server”"))
        self.summary.setAccessibleName(self.tr("Summary"))
        self.summary_counter = QLabel(self)
        self.summary_counter.setAccessibleName(self.tr("Summary length"))
        self.summary_error = FieldError(self.summary, self)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.summary_counter)
        label = QLabel(self.tr("&Summary:"), self)
        label.setBuddy(self.summary)
        form.addRow(label, _stack(summary_row, self.summary_error))

        self.error_details = ExactTextEdit(self)
        self.error_details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.error_details.setPlaceholderText(self.tr("The exact error message, if there is one"))
        self.error_details.setAccessibleName(self.tr("Error details"))
        _lines(self.error_details, 3, 8)
        self.paste_button = QPushButton(self.tr("Paste error te&xt"), self)
        self.paste_button.setToolTip(self.tr("Paste the text on the clipboard exactly as it is"))
        self.paste_button.clicked.connect(self.paste_error_text)
        self.error_details_error = FieldError(self.error_details, self)
        details_row = QVBoxLayout()
        details_row.addWidget(self.error_details)
        details_row.addWidget(self.paste_button, 0, Qt.AlignmentFlag.AlignLeft)
        label = QLabel(self.tr("&Error details:"), self)
        label.setBuddy(self.error_details)
        form.addRow(label, _stack(details_row, self.error_details_error))

        self.description = ExactTextEdit(self)
        self.description.setPlaceholderText(self.tr("What were you doing? What did you expect to happen?"))
        self.description.setAccessibleName(self.tr("Description"))
        _lines(self.description, 3, 8)
        self.description_error = FieldError(self.description, self)
        label = QLabel(self.tr("&Description:"), self)
        label.setBuddy(self.description)
        form.addRow(label, _stack(self.description, self.description_error))

        self.device_name = QLineEdit(self)
        self.device_name.setAccessibleName(self.tr("Computer or device name"))
        self.device_name.setToolTip(self.tr("This computer's name; change it if you need help with another "
                                            "device, e.g. a printer"))
        self.device_name_error = FieldError(self.device_name, self)
        label = QLabel(self.tr("Computer or de&vice:"), self)
        label.setBuddy(self.device_name)
        form.addRow(label, _stack(self.device_name, self.device_name_error))

        self.summary.textChanged.connect(self._update_counter)
        for signal in (self.summary.textChanged, self.error_details.textChanged,
                       self.description.textChanged, self.device_name.textChanged):
            signal.connect(self.changed)
        self._update_counter()

    def paste_error_text(self) -> None:
        """Put the clipboard's text into the error details exactly as it is."""
        text = QGuiApplication.clipboard().text()
        if not text:
            self.error_details_error.set_message(self.tr("The clipboard has no text to paste."))
            return
        if not self.error_details.exact_text().strip():
            self.error_details.set_exact_text(text)
        else:
            self.error_details.insertPlainText(text)
        self.error_details.setFocus()

    def show_problems(self, problems: dict[str, str]) -> None:
        self.summary_error.set_message(problems.get("summary"))
        self.error_details_error.set_message(problems.get("error_details"))
        self.description_error.set_message(problems.get("description"))
        self.device_name_error.set_message(problems.get("device_name"))

    def focus_widget_for(self, field: str) -> QWidget | None:
        return {"summary": self.summary, "error_details": self.error_details,
                "description": self.description, "device_name": self.device_name}.get(field)

    def _update_counter(self) -> None:
        length = len(self.summary.text().strip())
        self.summary_counter.setText(self.tr("%1/%2").replace("%1", str(length)).replace("%2", str(SUMMARY_MAX)))
        over = length > SUMMARY_MAX
        self.summary_counter.setStyleSheet(f"color: {error_color(self).name()};" if over else "")


def _lines(edit: QPlainTextEdit, minimum: int, maximum: int) -> None:
    """Height in text lines, so it scales with the font (HiDPI, large-text settings)."""
    line = edit.fontMetrics().lineSpacing()
    edit.setMinimumHeight(line * minimum + 12)
    edit.setMaximumHeight(line * maximum + 12)


def _stack(content: object, error: FieldError) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    if isinstance(content, QWidget):
        layout.addWidget(content)
    else:
        layout.addLayout(content)  # type: ignore[arg-type]
    layout.addWidget(error)
    return box
