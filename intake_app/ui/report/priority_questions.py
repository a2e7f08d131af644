"""The guide's own questions ("Not sure?"): who is affected, is there a workaround, is it planned,
is it a security event. The proposal and its reason update as they are answered.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from intake_app.core.priorities import Affected, PriorityAnswers, suggest_priority


class PriorityQuestions(QFrame):
    """The guide's questions; the proposal updates as they are answered."""

    changed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(self)
        self.affected = QComboBox(self)
        for value, text in (("", "—"), (Affected.ME.value, self.tr("Just me")),
                            (Affected.GROUP.value, self.tr("A group of us")),
                            (Affected.ORGANIZATION.value, self.tr("The whole organization"))):
            self.affected.addItem(text, value)
        self.workaround = self._yes_no()
        self.planned = self._yes_no()
        self.security = self._yes_no()
        for combo, text in ((self.affected, self.tr("Who is affected?")),
                            (self.workaround, self.tr("Is there a workaround (another way to keep working)?")),
                            (self.planned, self.tr("Is it planned work (new setup, installation, update)?")),
                            (self.security, self.tr("Is it an IT security event (intrusion, account to lock)?"))):
            label = QLabel(text, self)
            label.setWordWrap(True)
            label.setBuddy(combo)
            combo.setAccessibleName(label.text().replace("&", ""))
            form.addRow(label, combo)
            combo.currentIndexChanged.connect(self._update)
        self.suggestion = QLabel(self)
        self.suggestion.setWordWrap(True)
        self.suggestion.setAccessibleName(self.tr("Suggested priority"))
        self.use_button = QPushButton(self.tr("&Use this priority"), self)
        row = QHBoxLayout()
        row.addWidget(self.suggestion, 1)
        row.addWidget(self.use_button)
        form.addRow(row)
        self._update()

    def _yes_no(self) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem("—", "")
        combo.addItem(self.tr("Yes"), "yes")
        combo.addItem(self.tr("No"), "no")
        return combo

    def answers(self) -> PriorityAnswers:
        affected = self.affected.currentData()
        return PriorityAnswers(Affected(affected) if affected else None, _bool(self.workaround),
                               _bool(self.planned), _bool(self.security))

    def set_answers(self, answers: PriorityAnswers) -> None:
        affected = answers.affected.value if answers.affected else ""
        self.affected.setCurrentIndex(max(self.affected.findData(affected), 0))
        for combo, value in ((self.workaround, answers.has_workaround), (self.planned, answers.planned_work),
                             (self.security, answers.security_event)):
            combo.setCurrentIndex(max(combo.findData("" if value is None else ("yes" if value else "no")), 0))

    def _update(self) -> None:
        proposal = suggest_priority(self.answers())
        self.suggestion.setText(self.tr("Suggested: P%1. %2").replace("%1", str(int(proposal.priority)))
                                .replace("%2", proposal.reason))
        self.changed.emit()


def _bool(combo: QComboBox) -> bool | None:
    value = combo.currentData()
    return None if not value else value == "yes"
