"""The one scrolling form: what's wrong, screenshots, priority, contact, availability.

One page rather than a wizard because most reports need only a summary: the
rest is pre-filled (device, contact, "any time", P3, the screenshots taken when
the user asked), so the user types one line and goes to Review. A field's
problem is shown once the user has left it (or asked to review), not while
they are still typing into an empty form.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from intake_app.core.policy import Policy
from intake_app.ui.report.availability_editor import AvailabilityEditor
from intake_app.ui.report.capture_widgets import CaptureStrip
from intake_app.ui.report.contact_section import ContactSection
from intake_app.ui.report.priority_picker import PriorityPicker
from intake_app.ui.report.problem_section import ProblemSection

FIELDS = ("summary", "error_details", "description", "device_name", "escalation_requested", "contact.name",
          "contact.email", "contact.phone", "contact_method_detail", "availability", "reported_for.name",
          "reported_for.email", "reported_for.phone")


class FormPage(QScrollArea):
    changed = Signal()
    touched_changed = Signal()

    def __init__(self, policy: Policy, zone: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.problem = ProblemSection(body)
        self.strip = CaptureStrip(body)
        self.priority = PriorityPicker(policy, body)
        self.contact = ContactSection(body)
        self.availability = AvailabilityEditor(zone, body)
        for section in (self.problem, self.strip, self.priority, self.contact, self.availability):
            layout.addWidget(section)
            section.changed.connect(self.changed)
        layout.addStretch(1)
        self.setWidget(body)
        self.touched: set[str] = set()
        self._field_of: dict[QObject, str] = {}
        for name in FIELDS:
            widget = self.widget_for(name)
            if widget is not None:
                self._field_of[widget] = name
                widget.installEventFilter(self)
        for row_widget in (self.availability.add_button, self.availability.any_time, self.availability.specific):
            self._field_of[row_widget] = "availability"
            row_widget.installEventFilter(self)

    def sections(self) -> list[tuple[str, QWidget]]:
        return [(self.tr("What's wrong"), self.problem), (self.tr("Screenshots"), self.strip),
                (self.tr("Priority"), self.priority), (self.tr("Contact"), self.contact),
                (self.tr("Availability"), self.availability)]

    def scroll_to(self, section: QWidget) -> None:
        self.verticalScrollBar().setValue(section.y())
        widget = section.nextInFocusChain()
        while widget is not None and widget is not section:
            if (section.isAncestorOf(widget) and widget.isVisibleTo(section) and widget.isEnabled()
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return
            widget = widget.nextInFocusChain()

    def widget_for(self, field: str) -> QWidget | None:
        if field == "availability":
            return self.availability.rows[0].day if self.availability.rows else self.availability.any_time
        if field == "escalation_requested":
            return self.priority.escalate
        return self.problem.focus_widget_for(field) or self.contact.focus_widget_for(field)

    def focus_field(self, field: str) -> None:
        widget = self.widget_for(field)
        if widget is not None:
            self.ensureWidgetVisible(widget)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_problems(self, problems: dict[str, str], show_all: bool) -> None:
        shown = problems if show_all else {k: v for k, v in problems.items() if k in self.touched}
        self.problem.show_problems(shown)
        self.priority.show_problems(shown)
        self.contact.show_problems(shown)
        self.availability.show_problems(shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and watched in self._field_of:
            name = self._field_of[watched]
            if name not in self.touched:
                self.touched.add(name)
                self.touched_changed.emit()
        return False
