"""When the technician may contact the user: time windows, or any time in business hours.

Guide: "send detailed information on your available time, date and best method
of contact". Windows are a date plus two clock times in the user's own zone; a
"to" before "from" runs past midnight (22:00–02:00), as the domain defines it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from intake_app.core.ticket import Availability, AvailabilityWindow
from intake_app.core.validation import MAX_WINDOWS
from intake_app.ui.report.theme import FieldError
from intake_app.ui.report.timefmt import local_zone_name


class WindowRow(QWidget):
    """One window: date, from, to, and a remove button."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.day = QDateEdit(self)
        self.day.setCalendarPopup(True)
        self.start = QTimeEdit(self)
        self.end = QTimeEdit(self)
        self.next_day = QLabel(self.tr("(next day)"), self)
        self.remove = QPushButton(self.tr("Remove"), self)
        for text, widget in ((self.tr("Date"), self.day), (self.tr("from"), self.start), (self.tr("to"), self.end)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
        layout.addWidget(self.next_day)
        layout.addWidget(self.remove)
        layout.addStretch(1)
        self.renumber(number)
        self.day.dateChanged.connect(self._changed)
        self.start.timeChanged.connect(self._changed)
        self.end.timeChanged.connect(self._changed)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self._changed()

    def renumber(self, number: int) -> None:
        self.day.setAccessibleName(self.tr("Time window %1: date").replace("%1", str(number)))
        self.start.setAccessibleName(self.tr("Time window %1: from").replace("%1", str(number)))
        self.end.setAccessibleName(self.tr("Time window %1: to").replace("%1", str(number)))
        self.remove.setAccessibleName(self.tr("Remove time window %1").replace("%1", str(number)))

    def set_values(self, day: date, start: time, end: time) -> None:
        self.day.setDate(QDate(day.year, day.month, day.day))
        self.start.setTime(QTime(start.hour, start.minute))
        self.end.setTime(QTime(end.hour, end.minute))

    def window(self, zone: str) -> AvailabilityWindow:
        d, s, e = self.day.date(), self.start.time(), self.end.time()
        return AvailabilityWindow.from_local(date(d.year(), d.month(), d.day()), time(s.hour(), s.minute()),
                                             time(e.hour(), e.minute()), zone)

    def _changed(self) -> None:
        self.next_day.setVisible(self.end.time() < self.start.time())
        self.changed.emit()


class AvailabilityEditor(QGroupBox):
    changed = Signal()

    def __init__(self, zone: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("When can a technician reach you?"), parent)
        self.setAccessibleName(self.tr("Availability"))
        self.zone = zone or local_zone_name()
        self.rows: list[WindowRow] = []
        layout = QVBoxLayout(self)
        self.any_time = QRadioButton(self.tr("Any time during &business hours"), self)
        self.specific = QRadioButton(self.tr("Only at &certain times (your time zone: %1):").replace("%1", self.zone),
                                     self)
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.any_time)
        self.choice.addButton(self.specific)
        self.any_time.setChecked(True)
        layout.addWidget(self.any_time)
        layout.addWidget(self.specific)
        self.rows_box = QVBoxLayout()
        layout.addLayout(self.rows_box)
        self.add_button = QPushButton(self.tr("Add a ti&me"), self)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.error = FieldError(self, self)
        layout.addWidget(self.error)
        self.add_button.clicked.connect(self._add_clicked)
        self.specific.toggled.connect(self._choice_changed)

    def availability(self) -> Availability:
        if self.any_time.isChecked():
            return Availability(any_time_business_hours=True)
        return Availability(False, tuple(row.window(self.zone) for row in self.rows))

    def set_availability(self, availability: Availability) -> None:
        for row in list(self.rows):
            self._remove_row(row)
        local = ZoneInfo(self.zone)
        for window in availability.windows:
            start, end = window.start.astimezone(local), window.end.astimezone(local)
            self.add_window(start.date(), start.time(), end.time())
        (self.any_time if availability.any_time_business_hours else self.specific).setChecked(True)
        self._choice_changed()

    def add_window(self, day: date | None = None, start: time | None = None, end: time | None = None) -> WindowRow:
        """Add a row; defaults to the next whole hour, two hours long."""
        if len(self.rows) >= MAX_WINDOWS:
            return self.rows[-1]
        now = datetime.now(ZoneInfo(self.zone))
        begin = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        row = WindowRow(len(self.rows) + 1, self)
        row.set_values(day or begin.date(), start or begin.time(), end or (begin + timedelta(hours=2)).time())
        row.changed.connect(self.changed)
        row.remove_requested.connect(self._remove_row)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        row.show()
        self.specific.setChecked(True)
        self._choice_changed()
        self.changed.emit()
        return row

    def show_problems(self, problems: dict[str, str]) -> None:
        self.error.set_message(problems.get("availability"))

    def _add_clicked(self) -> None:
        row = self.add_window()
        row.day.setFocus()

    def _remove_row(self, row: WindowRow) -> None:
        if row not in self.rows:
            return
        self.rows.remove(row)
        self.rows_box.removeWidget(row)
        row.hide()
        row.deleteLater()
        for number, other in enumerate(self.rows, start=1):
            other.renumber(number)
        self.add_button.setEnabled(True)
        self.add_button.setFocus()
        self.changed.emit()

    def _choice_changed(self) -> None:
        specific = self.specific.isChecked()
        for row in self.rows:
            row.setEnabled(specific)
        self.add_button.setEnabled(len(self.rows) < MAX_WINDOWS)
        self.changed.emit()
