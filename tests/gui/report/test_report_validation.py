"""Inline validation with the domain's messages; Submit disabled with the reason shown."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from intake_app.core.priorities import Priority
from intake_app.core.validation import check_availability, check_email, check_summary
from intake_app.core.ticket import Availability

from report_helpers import click, type_into

pytestmark = pytest.mark.gui


def test_empty_report_cannot_be_submitted_and_says_why(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    problem = window.form.problem
    assert problem.summary_error.isHidden()  # no nagging before the user has done anything
    click(qtbot, window.next_button)
    assert not window.submit_button.isEnabled()
    reason = window.reason.text()
    assert "Before you can submit" in reason and "Please give a short summary of the problem." in reason
    assert window.submit_button.toolTip() == "Please give a short summary of the problem."
    assert problem.summary_error.text() == "Please give a short summary of the problem."
    assert problem.summary.accessibleDescription() == "Please give a short summary of the problem."
    window.reason.linkActivated.emit("summary")  # "Fix it" takes the user to the field
    assert window.stack.currentIndex() == 0 and problem.summary.hasFocus()
    type_into(qtbot, problem.summary, "VPN drops every 5 minutes")
    assert problem.summary_error.isHidden()
    click(qtbot, window.next_button)
    assert window.submit_button.isEnabled() and window.reason.text() == ""


def test_summary_counter_and_limit(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    problem = window.form.problem
    type_into(qtbot, problem.summary, "x" * 101)
    assert problem.summary_counter.text() == "101/100"
    problem.device_name.setFocus()  # leaving the field shows its problem
    assert problem.summary_error.text() == check_summary("x" * 101)
    assert problem.summary.text() == "x" * 101  # nothing typed is cut off silently
    qtbot.keyClick(problem.summary, Qt.Key.Key_Backspace)
    assert problem.summary_counter.text() == "100/100" and problem.summary_error.isHidden()


def test_field_messages_appear_after_leaving_the_field(qtbot: Any, make_window: Any) -> None:
    window = make_window(profile=None)
    contact = window.form.contact
    type_into(qtbot, window.form.problem.summary, "Printer jams")
    type_into(qtbot, contact.fields["email"], "not-an-address")
    assert contact.errors["contact.email"].isHidden()
    contact.fields["phone"].setFocus()
    assert contact.errors["contact.email"].text() == check_email("not-an-address")
    type_into(qtbot, contact.fields["phone"], "12")
    contact.fields["name"].setFocus()
    assert "is not a phone number" in contact.errors["contact.phone"].text()
    assert not window.submit_button.isEnabled()


def test_contact_method_detail_required(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    contact = window.form.contact
    type_into(qtbot, window.form.problem.summary, "Teams crashes")
    contact.method.setCurrentIndex(contact.method.findData("chat"))
    click(qtbot, window.next_button)
    assert window.problems["contact_method_detail"] == "Please enter your Teams or chat address."
    assert contact.errors["contact_method_detail"].text() == "Please enter your Teams or chat address."


def test_reported_for_needs_a_name_and_valid_details(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    contact = window.form.contact
    type_into(qtbot, window.form.problem.summary, "New starter needs an account")
    click(qtbot, contact.for_someone)
    type_into(qtbot, contact.other_fields["email"], "bad")
    click(qtbot, window.next_button)
    assert window.problems["reported_for.name"] == "Please enter the name of the person you are reporting for."
    assert "is not an e-mail address" in window.problems["reported_for.email"]
    assert not window.submit_button.isEnabled()


def test_availability_window_in_the_past_and_empty_choice(qtbot: Any, make_window: Any) -> None:
    from datetime import date, time, timedelta

    window = make_window()
    editor = window.form.availability
    type_into(qtbot, window.form.problem.summary, "Screen flickers")
    click(qtbot, editor.specific)
    click(qtbot, window.next_button)
    assert window.problems["availability"] == check_availability(Availability(False, ()))
    assert editor.error.text() == window.problems["availability"]
    editor.add_window(date.today() - timedelta(days=2), time(9, 0), time(10, 0))
    assert "is already over" in window.problems["availability"]


def test_paste_error_text_is_verbatim(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    text = "Error 0x80070005:\tAccess is denied.\r\n  at Foo.Bar() ✓ 日本語 😀\u00a0\n" + "long " * 500
    QGuiApplication.clipboard().setText(text)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == text, timeout=3000)
    click(qtbot, window.form.problem.paste_button)
    assert window.current_draft().error_details == text
    QGuiApplication.clipboard().clear()
    click(qtbot, window.form.problem.paste_button)
    assert window.form.problem.error_details_error.text() == "The clipboard has no text to paste."


def test_escalation_only_with_p3(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    picker = window.form.priority
    click(qtbot, picker.escalate)
    picker.set_priority(Priority.QUICK)
    assert "escalation_requested" not in window.problems  # the UI drops the request with the P3
