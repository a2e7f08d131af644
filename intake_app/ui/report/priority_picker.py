"""Requested priority, defined the way the helpdesk defines it (SPEC §3, the guide).

The user reads the four definitions and examples, or answers the guide's own
questions ("Not sure?") and gets a proposal with its reason. A P3 offers the
paid escalation with the fee and who approves it; the response target is shown
only when the MSP configured one.
"""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QGroupBox, QLabel, QPushButton, QRadioButton, QVBoxLayout,
                               QWidget)

from intake_app.core.policy import Policy
from intake_app.core.priorities import Priority, PriorityAnswers, suggest_priority
from intake_app.ui.report.priority_questions import PriorityQuestions
from intake_app.ui.report.theme import FieldError
from intake_app.ui.report.timefmt import format_local


class PriorityPicker(QGroupBox):
    changed = Signal()

    def __init__(self, policy: Policy, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("How urgent is it?"), parent)
        self.setAccessibleName(self.tr("Priority"))
        self._policy = policy
        layout = QVBoxLayout(self)
        self.group = QButtonGroup(self)
        self.buttons: dict[Priority, QRadioButton] = {}
        self._details: dict[Priority, QLabel] = {}
        for priority in Priority:
            button = QRadioButton(self)
            detail = QLabel(self)
            detail.setWordWrap(True)
            detail.setIndent(self.fontMetrics().horizontalAdvance("M") * 2)
            self.group.addButton(button, int(priority))
            self.buttons[priority] = button
            self._details[priority] = detail
            layout.addWidget(button)
            layout.addWidget(detail)
        self.buttons[Priority.NORMAL].setChecked(True)

        self.target = QLabel(self)
        self.target.setWordWrap(True)
        self.target.setAccessibleName(self.tr("Response target"))
        layout.addWidget(self.target)

        self.escalate = QCheckBox(self)
        self.escalate.setAccessibleName(self.tr("Request paid escalation"))
        self.escalation_error = FieldError(self.escalate, self)
        layout.addWidget(self.escalate)
        layout.addWidget(self.escalation_error)

        self.not_sure = QPushButton(self.tr("Not sure? Answer the helpdesk's &questions"), self)
        self.not_sure.setCheckable(True)
        layout.addWidget(self.not_sure, 0, Qt.AlignmentFlag.AlignLeft)
        self.questions = PriorityQuestions(self)
        self.questions.hide()
        layout.addWidget(self.questions)

        self.not_sure.toggled.connect(self.questions.setVisible)
        self.questions.use_button.clicked.connect(self._use_suggestion)
        self.group.idToggled.connect(self._on_toggled)
        self.escalate.toggled.connect(self.changed)
        self.questions.changed.connect(self.changed)
        self.set_policy(policy)

    # -- public API -----------------------------------------------------------------------

    def set_policy(self, policy: Policy) -> None:
        self._policy = policy
        by_priority = {d.priority: d for d in policy.priorities}
        for priority, button in self.buttons.items():
            definition = by_priority.get(priority)
            name = definition.name if definition else ""
            button.setText(f"P&{int(priority)} – {name}" if name else f"P&{int(priority)}")
            if definition:
                examples = ", ".join(definition.examples)
                text = definition.definition
                if examples:
                    text += "\n" + self.tr("Examples: %1").replace("%1", examples)
                self._details[priority].setText(text)
                button.setAccessibleDescription(text)
        self.escalate.setText(self.tr(
            "Escalate for faster help: a flat fee of %1. Your company's primary IT contact must approve it."
        ).replace("%1", policy.escalation_fee))
        self._refresh()

    def priority(self) -> Priority:
        return Priority(self.group.checkedId())

    def set_priority(self, priority: Priority) -> None:
        self.buttons[priority].setChecked(True)

    def escalation_requested(self) -> bool:
        return self.escalate.isChecked() and self.priority() == Priority.NORMAL and self._policy.escalation_enabled

    def set_escalation(self, requested: bool) -> None:
        self.escalate.setChecked(requested)

    def answers(self) -> PriorityAnswers:
        return self.questions.answers()

    def set_answers(self, answers: PriorityAnswers) -> None:
        self.questions.set_answers(answers)

    def show_problems(self, problems: dict[str, str]) -> None:
        self.escalation_error.set_message(problems.get("escalation_requested"))

    def refresh_target(self, now: datetime | None = None) -> None:
        """Show "a technician will respond by …" for the chosen priority, if the MSP has targets."""
        try:
            due = self._policy.respond_by(self.priority(), now or datetime.now(timezone.utc))
        except ValueError:  # a calendar that is never open is the MSP's error, not the user's
            due = None
        if due is None:
            self.target.clear()
            self.target.hide()
            return
        self.target.setText(self.tr("A technician will respond by %1.").replace("%1", format_local(due)))
        self.target.show()

    # -- internals ------------------------------------------------------------------------

    def _on_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._refresh()
            self.changed.emit()

    def _refresh(self) -> None:
        offer = self.priority() == Priority.NORMAL and self._policy.escalation_enabled
        self.escalate.setVisible(offer)
        self.refresh_target()

    def _use_suggestion(self) -> None:
        self.set_priority(suggest_priority(self.answers()).priority)
        self.buttons[self.priority()].setFocus()
