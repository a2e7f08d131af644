"""The priority picker: the guide's definitions, "Not sure?", response target, P3 escalation."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from PySide6.QtCore import Qt

from intake_app.core.policy import Policy
from intake_app.core.priorities import Priority
from intake_app.core.sla import BusinessCalendar, ResponseTarget

from report_helpers import click

pytestmark = pytest.mark.gui


def _answer(qtbot: Any, combo: Any, text: str) -> None:
    """Choose an answer by keyboard, as a user without a mouse would."""
    combo.setFocus()
    index = combo.findText(text)
    assert index >= 0, text
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up)


@pytest.mark.parametrize(("affected", "workaround", "planned", "security", "expected", "reason"), [
    ("Just me", "No", "No", "No", Priority.QUICK, "You cannot work and there is no workaround"),
    ("A group of us", "No", "No", "No", Priority.QUICK, "A group cannot work"),
    ("The whole organization", "No", "No", "No", Priority.EMERGENCY, "whole organization is affected"),
    ("Just me", "Yes", "No", "No", Priority.NORMAL, "workaround"),
    ("Just me", "—", "Yes", "No", Priority.SCHEDULED, "Planned, scheduled work"),
    ("Just me", "Yes", "No", "Yes", Priority.EMERGENCY, "security event"),
])
def test_not_sure_proposes_the_guides_priority(qtbot: Any, make_window: Any, affected: str, workaround: str,
                                               planned: str, security: str, expected: Priority,
                                               reason: str) -> None:
    window = make_window()
    picker = window.form.priority
    click(qtbot, picker.not_sure)
    assert picker.questions.isVisible()
    questions = picker.questions
    for combo, text in ((questions.affected, affected), (questions.workaround, workaround),
                        (questions.planned, planned), (questions.security, security)):
        _answer(qtbot, combo, text)
    assert questions.suggestion.text().startswith(f"Suggested: P{int(expected)}.")
    assert reason in questions.suggestion.text()
    click(qtbot, questions.use_button)
    assert picker.priority() == expected
    assert picker.buttons[expected].hasFocus()


def test_definitions_and_examples_are_the_guides(make_window: Any) -> None:
    picker = make_window().form.priority
    assert picker.buttons[Priority.EMERGENCY].text().replace("&", "") == "P1 – Emergency Response"
    assert "Widespread network outage" in picker._details[Priority.EMERGENCY].text()
    assert "Scheduled work." in picker._details[Priority.SCHEDULED].text()
    assert picker.priority() == Priority.NORMAL


def test_response_target_shown_only_when_configured(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    assert window.form.priority.target.isHidden()
    policy = Policy(calendar=BusinessCalendar(timezone="UTC"),
                    response_targets=(ResponseTarget(Priority.EMERGENCY, 60, around_the_clock=True),))
    window.form.priority.set_policy(policy)
    picker = window.form.priority
    picker.set_priority(Priority.EMERGENCY)
    picker.refresh_target(datetime(2031, 1, 6, 9, 0, tzinfo=timezone.utc))
    assert picker.target.text().startswith("A technician will respond by ")
    assert "10:00" in picker.target.text()
    picker.set_priority(Priority.NORMAL)  # no target configured for P3
    assert picker.target.isHidden()


def test_escalation_is_offered_for_p3_only_with_fee_and_approver(qtbot: Any, make_window: Any) -> None:
    window = make_window(policy=Policy(escalation_fee="$300"))
    picker = window.form.priority
    assert picker.escalate.isVisibleTo(window)
    assert "$300" in picker.escalate.text() and "primary IT contact" in picker.escalate.text()
    click(qtbot, picker.escalate)
    assert picker.escalation_requested()
    click(qtbot, picker.buttons[Priority.QUICK])
    assert not picker.escalate.isVisibleTo(window) and not picker.escalation_requested()
    assert window.current_draft().escalation_requested is False


def test_escalation_hidden_when_the_msp_disabled_it(make_window: Any) -> None:
    window = make_window(policy=Policy(escalation_enabled=False))
    assert not window.form.priority.escalate.isVisibleTo(window)
