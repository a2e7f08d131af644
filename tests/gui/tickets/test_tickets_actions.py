"""The user's actions from the detail, against the real service: reply, close, reopen, update, attachments."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QFileDialog
from tickets_helpers import file_ticket, refresh, refresh_until

from intake_app.core.ticket import Attachment
from intake_app.ui.support import SupportDialog
from intake_app.ui.tickets.dialogs import ReplyDialog
from intake_app.ui.tickets.model import Scope
from intake_app.ui.tickets.update_dialog import UpdateDetailsDialog

pytestmark = pytest.mark.gui


def show(qtbot: Any, make_tickets: Any, api: Any, ref: str) -> Any:
    ui = make_tickets(api)
    refresh(qtbot, ui.refresher)
    with qtbot.waitSignal(ui.window.detail_shown, timeout=60_000):
        ui.window.open_ticket(ref)
    return ui


def click(qtbot: Any, button: Any) -> None:
    assert button.isVisible() and button.isEnabled(), f"{button.objectName()} is not clickable"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def status_of(ui: Any, ref: str) -> str:
    return next(r.status for r in ui.window.model.rows() if r.key == ref)


def send(qtbot: Any, ui: Any, dialog: Any, action: str) -> None:
    with qtbot.waitSignal(ui.window.actions.succeeded, timeout=60_000,
                          check_params_cb=lambda name, _ref, _answer: name == action):
        click(qtbot, dialog.send_button)


def test_reply_moves_the_ticket_to_client_responded_and_clears_needs_you(
        qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    ref = file_ticket(user, "Outlook asks for my password")
    live.tech.status(ref, "Waiting on client")
    ui = show(qtbot, make_tickets, user, ref)
    assert ui.refresher.needs_user == {ref}
    counts: list[int] = []
    ui.feature.needs_user_changed.connect(counts.append)
    click(qtbot, ui.window.detail.buttons["reply"])
    dialog = ui.window.flow.dialog
    assert isinstance(dialog, ReplyDialog) and dialog.isVisible()
    click(qtbot, dialog.send_button)  # nothing written yet: said inline, nothing sent
    assert dialog.error.text() == "Please write your reply." and dialog.isVisible()
    qtbot.keyClicks(dialog.text, "I changed my password yesterday.")
    send(qtbot, ui, dialog, "reply")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert status_of(ui, ref) == "Client Responded"
    assert counts == [0] and ui.notifier.history == []  # the user's own change is not announced back
    detail = ui.window.detail
    assert detail.info.text() == "Reply sent. Status: Client Responded."
    qtbot.waitUntil(lambda: "I changed my password yesterday." in detail.timeline.toPlainText(), timeout=30_000)
    assert "You wrote" in detail.timeline.toPlainText()
    refresh(qtbot, ui.refresher)
    assert ui.notifier.history == []


def test_a_reply_carries_a_file_and_a_pasted_screenshot(
        qtbot: Any, live: Any, user: Any, make_tickets: Any, tmp_path: Path) -> None:
    ref = file_ticket(user, "Excel crashes on save")
    ui = show(qtbot, make_tickets, user, ref)
    click(qtbot, ui.window.detail.buttons["reply"])
    dialog = ui.window.flow.dialog
    log = tmp_path / "excel.log"
    log.write_text("Faulting module: mso.dll\n", encoding="utf-8")
    dialog.attachments.attach_paths([str(log)])
    qtbot.waitUntil(lambda: len(dialog.strip.items) == 1, timeout=30_000)
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("orange"))
    QGuiApplication.clipboard().setImage(image)
    click(qtbot, dialog.strip.paste_button)
    qtbot.waitUntil(lambda: len(dialog.strip.items) == 2, timeout=10_000)
    qtbot.keyClicks(dialog.text, "Here is the log and what I see.")
    send(qtbot, ui, dialog, "reply")
    names = sorted(a["filename"] for a in live.tech.detail(ref)["attachments"])
    assert len(names) == 2 and "excel.log" in names and any(n.endswith(".png") for n in names)
    qtbot.waitUntil(lambda: ui.window.detail.attachments.count() == 2, timeout=30_000)


def test_fixed_close_it_then_not_fixed_reopen(qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    ref = file_ticket(user, "Wi-Fi drops in the meeting room")
    live.tech.status(ref, "Pending Closure")
    ui = show(qtbot, make_tickets, user, ref)
    detail = ui.window.detail
    assert detail.expected.text().startswith("Still broken? Reply. Fixed? Close it.")
    assert detail.buttons["still-broken"].isVisible() and not detail.buttons["reopen"].isVisible()
    with qtbot.waitSignal(ui.window.actions.succeeded, timeout=60_000):
        click(qtbot, detail.buttons["close"])
    assert status_of(ui, ref) == "Completed"
    assert ui.window.scope.currentData() == int(Scope.ALL)  # still shown although it is closed now
    qtbot.waitUntil(lambda: detail.buttons["reopen"].isVisible(), timeout=30_000)
    assert detail.expected.text() == "Not fixed? Reopen it."
    click(qtbot, detail.buttons["reopen"])
    dialog = ui.window.flow.dialog
    assert dialog.strip is None  # reopening says what is wrong; screenshots go in a reply afterwards
    click(qtbot, dialog.send_button)
    assert dialog.error.text() == "Please say what is still wrong."
    qtbot.keyClicks(dialog.text, "It dropped again this morning.")
    send(qtbot, ui, dialog, "reopen")
    assert status_of(ui, ref) == "Re-opened"
    assert ui.notifier.history == []


def test_still_broken_on_pending_closure_is_a_reply(qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    ref = file_ticket(user, "Scanner saves blank pages")
    live.tech.status(ref, "Pending Closure")
    ui = show(qtbot, make_tickets, user, ref)
    click(qtbot, ui.window.detail.buttons["still-broken"])
    dialog = ui.window.flow.dialog
    qtbot.keyClicks(dialog.text, "Still blank.")
    send(qtbot, ui, dialog, "reply")
    assert status_of(ui, ref) == "Client Responded"


def test_pending_closure_without_a_reply_completes_after_one_business_day(
        qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    ref = file_ticket(user, "Shared drive is slow")
    live.tech.status(ref, "Pending Closure")
    ui = show(qtbot, make_tickets, user, ref)
    ui.window.scope.setCurrentIndex(ui.window.scope.findData(int(Scope.OPEN)))
    later = datetime.now(UTC) + timedelta(days=7)
    assert ref in live.service.admin("jobs", "run", "--now", later.isoformat()).stdout
    refresh_until(qtbot, ui.refresher, lambda: status_of(ui, ref) == "Completed", "the automatic closure")
    assert status_of(ui, ref) == "Completed"
    assert [text for _title, text in ui.notifier.history] == [  # the status, and the helpdesk's own note
        "Status: Completed. Not fixed? Reopen it.",
        "Intake (automatic) wrote: Closed automatically: no reply for 1 business day."]
    assert ref in [r.key for r in ui.window.rows()]  # the selected ticket stays in view
    ui.window.scope.setCurrentIndex(ui.window.scope.findData(int(Scope.OPEN)))
    assert ref not in [r.key for r in ui.window.rows()]
    ui.window.scope.setCurrentIndex(ui.window.scope.findData(int(Scope.CLOSED)))
    assert ref in [r.key for r in ui.window.rows()]


def test_update_contact_details_on_an_open_ticket(qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    ref = file_ticket(user, "Phone headset crackles")
    ui = show(qtbot, make_tickets, user, ref)
    click(qtbot, ui.window.detail.buttons["update"])
    dialog = ui.window.flow.dialog
    assert isinstance(dialog, UpdateDetailsDialog)
    assert dialog.contact.fields["email"].text() == "sam@example.com"
    click(qtbot, dialog.send_button)
    assert dialog.error.text() == "Nothing was changed."
    email = dialog.contact.fields["email"]
    email.selectAll()
    qtbot.keyClicks(email, "not an address")
    with qtbot.waitSignal(ui.window.actions.failed, timeout=60_000):
        click(qtbot, dialog.send_button)
    assert dialog.isVisible() and dialog.contact.errors["contact.email"].isVisibleTo(dialog)
    email.selectAll()
    qtbot.keyClicks(email, "sam.new@example.com")
    phone = dialog.contact.fields["phone"]
    phone.selectAll()
    qtbot.keyClicks(phone, "+1 713 555 0199")
    window = dialog.availability.add_window()  # tomorrow is better: one time window instead of "any time"
    window.day.setDate(window.day.date().addDays(1))
    send(qtbot, ui, dialog, "update")
    ticket = live.tech.detail(ref)
    assert (ticket["contact"]["email"], ticket["contact"]["phone"]) == ("sam.new@example.com", "+1 713 555 0199")
    assert ticket["availability"]["any_time_business_hours"] is False
    assert len(ticket["availability"]["windows"]) == 1
    assert ui.window.detail.info.text().startswith("Your details were updated.")


def test_attachments_open_from_a_private_folder_and_save_where_the_user_chose(
        qtbot: Any, live: Any, user: Any, make_tickets: Any, tmp_path: Path) -> None:
    data = b"2026-03-02 09:00 ERROR printer offline\n"
    ref = file_ticket(user, "Printer offline", attachments=(Attachment("printer.log", data),))
    ui = show(qtbot, make_tickets, user, ref)
    detail = ui.window.detail
    assert detail.attachments.count() == 1 and "printer.log" in detail.attachments.item(0).text()
    with qtbot.waitSignal(ui.window.files.opened, timeout=30_000):
        click(qtbot, detail.buttons["open-attachment"])
    opened = Path(ui.opened.urls[0].toLocalFile())
    assert opened.name == "printer.log" and opened.read_bytes() == data
    assert stat.S_IMODE(os.stat(opened).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(ui.window.files.folder()).st_mode) == 0o700
    click(qtbot, detail.buttons["save-attachment"])
    chooser = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible())
    target = tmp_path / "saved.log"
    chooser.selectFile(str(target))
    with qtbot.waitSignal(ui.window.files.saved, timeout=30_000):
        chooser.accept()
    assert target.read_bytes() == data
    assert detail.info.text() == f"Saved to {target}."
    ui.feature.stop()
    assert not opened.exists()  # the private folder goes at quit


def test_call_support_shows_the_number_with_a_tel_link_and_copy(
        qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    ref = file_ticket(user, "Cannot print labels")
    ui = show(qtbot, make_tickets, user, ref)
    click(qtbot, ui.window.detail.buttons["call"])
    dialog = ui.window.flow.support
    assert isinstance(dialog, SupportDialog) and dialog.isVisible()
    assert dialog.number.text() == "(713) 782-4357"
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert QGuiApplication.clipboard().text() == "(713) 782-4357"
