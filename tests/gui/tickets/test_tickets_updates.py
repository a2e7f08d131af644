"""What the technician does reaches the user: list, detail and one notification per change (real service)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from tickets_helpers import access_log, file_ticket, refresh, refresh_until, soon

from intake_app.core.statuses import GUIDE_STATUSES, WAITING_PARTS
from intake_app.ui.icons import app_icon

pytestmark = pytest.mark.gui


def open_ticket(qtbot: Any, ui: Any, ref: str) -> None:
    with qtbot.waitSignal(ui.window.detail_shown, timeout=60_000):
        ui.window.open_ticket(ref)
    assert ui.window.current_row().key == ref


def row(ui: Any, ref: str) -> Any:
    return next(r for r in ui.window.model.rows() if r.key == ref)


def test_each_technician_change_updates_the_list_and_detail_with_one_notification(
        qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    ref = file_ticket(user, "Printer jams on every page")
    ui = make_tickets(user)
    refresh(qtbot, ui.refresher)
    open_ticket(qtbot, ui, ref)
    detail, history = ui.window.detail, ui.notifier.history
    number = row(ui, ref).number
    assert number.startswith("#") and row(ui, ref).status == "New (Portal)"
    assert "brief review" in detail.expect.text() and detail.expect.isVisible()  # what to expect, on a new ticket
    assert history == []  # the first picture is a baseline
    counts: list[int] = []
    ui.feature.needs_user_changed.connect(counts.append)

    live.tech.status(ref, "Waiting on client")
    refresh_until(qtbot, ui.refresher, lambda: history, "the status change")
    assert len(history) == 1 and number in history[0][0]
    assert "Status: Waiting on client." in history[0][1] and "Please reply" in history[0][1]
    assert row(ui, ref).status == "Waiting on client" and row(ui, ref).needs_user
    assert counts == [1]
    qtbot.waitUntil(lambda: detail.status.text() == "Status: Waiting on client", timeout=30_000)
    assert detail.meaning.text() == "The technician needs something from you."
    assert detail.buttons["reply"].isVisible() and detail.buttons["reply"].isDefault()

    live.tech.priority(ref, 2)
    refresh_until(qtbot, ui.refresher, lambda: len(history) == 2, "the priority change")
    assert len(history) == 2
    assert history[1][1] == ("The helpdesk set the priority to P2. You asked for P3. "
                             "Think this is miscoded? Call (713) 782-4357.")
    assert row(ui, ref).priority == "P2 (you asked for P3)"
    qtbot.waitUntil(lambda: "miscoded" in detail.priority.text(), timeout=30_000)
    assert 'href="tel:' in detail.priority.text()

    live.tech.assign(ref, "Dana")
    refresh_until(qtbot, ui.refresher, lambda: len(history) == 3, "the new technician")
    assert len(history) == 3 and history[2][1] == "Dana is now your technician."
    assert row(ui, ref).technician == "Dana"
    qtbot.waitUntil(lambda: detail.technician.text() == "Dana", timeout=30_000)

    start, end = soon()
    live.tech.appointment(ref, start, end)
    refresh_until(qtbot, ui.refresher, lambda: len(history) == 4, "the appointment")
    assert len(history) == 4 and history[3][1].startswith("Appointment: ")
    qtbot.waitUntil(lambda: detail.appointment.isVisible() and detail.appointment.text() != "", timeout=30_000)

    live.tech.note(ref, "Please restart the printer and tell me if the jam comes back.")
    live.tech.note(ref, "Internal: customer's printer is out of warranty.", internal=True)
    refresh_until(qtbot, ui.refresher, lambda: len(history) == 5, "the note")
    assert len(history) == 5
    assert history[4][1] == "Tess wrote: Please restart the printer and tell me if the jam comes back."
    qtbot.waitUntil(lambda: "tell me if the jam" in detail.timeline.toPlainText(), timeout=30_000)
    assert "out of warranty" not in detail.timeline.toPlainText()

    refresh(qtbot, ui.refresher)  # nothing new: nothing announced again
    assert len(history) == 5 and counts == [1]


def test_several_changes_between_two_looks_give_one_notification_each(
        qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    ref = file_ticket(user, "Monitor flickers")
    ui = make_tickets(user, show=False)
    refresh(qtbot, ui.refresher)
    live.tech.status(ref, "Working Issue Now")
    live.tech.assign(ref, "Lee")
    live.tech.note(ref, "Looking at it now.")
    refresh_until(qtbot, ui.refresher, lambda: len(ui.notifier.history) >= 3, "the three changes")
    texts = [text for _title, text in ui.notifier.history]
    assert len(texts) == 3
    assert texts[0].startswith("Status: Working Issue Now.")
    assert texts[1:] == ["Lee is now your technician.", "Tess wrote: Looking at it now."]


def test_nothing_is_downloaded_when_nothing_changed(qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    file_ticket(user, "Sound does not work")
    ui = make_tickets(user, show=False)
    refresh(qtbot, ui.refresher)
    log = live.service.log_path

    def count(path: str, status: int) -> int:
        return sum(1 for method, p, s in access_log(log) if method == "GET" and p == path and s == status)

    before = {k: count(*k) for k in (("/api/v1/tickets", 304), ("/api/v1/meta", 304), ("/api/v1/tickets", 200))}
    with qtbot.assertNotEmitted(ui.refresher.tickets_changed), qtbot.assertNotEmitted(ui.refresher.notify):
        refresh(qtbot, ui.refresher)
        refresh(qtbot, ui.refresher)
    qtbot.waitUntil(lambda: count("/api/v1/tickets", 304) >= before[("/api/v1/tickets", 304)] + 2, timeout=10_000)
    assert count("/api/v1/meta", 304) >= before[("/api/v1/meta", 304)] + 2
    assert count("/api/v1/tickets", 200) == before[("/api/v1/tickets", 200)]


def test_an_unknown_status_is_shown_as_is_in_the_working_category(
        qtbot: Any, live: Any, user: Any, make_tickets: Any, tmp_path: Path) -> None:
    from intake_app.service.demo import DEMO_POLICY

    # the company's status map no longer knows "Waiting parts/repair" (as if the helpdesk added it itself)
    policy = dict(DEMO_POLICY, statuses=[d.to_dict() for d in GUIDE_STATUSES if d.name != WAITING_PARTS])
    (tmp_path / "policy.json").write_text(json.dumps(policy), encoding="utf-8")
    live.service.admin("policy", "set", "Demo company", str(tmp_path / "policy.json"))
    ref = file_ticket(user, "Laptop hinge broken")
    ui = make_tickets(user)
    refresh(qtbot, ui.refresher)
    open_ticket(qtbot, ui, ref)
    live.tech.status(ref, WAITING_PARTS)
    refresh_until(qtbot, ui.refresher, lambda: row(ui, ref).status == WAITING_PARTS, "the new status")
    shown = row(ui, ref)
    assert (shown.status, shown.category.value, shown.is_open) == (WAITING_PARTS, "working", True)
    assert ref in [r.key for r in ui.window.rows()]  # listed under "Open tickets"
    assert ui.notifier.history[-1][1] == "Status: Waiting parts/repair. The helpdesk is working on it."
    qtbot.waitUntil(lambda: ui.window.detail.status.text() == "Status: Waiting parts/repair", timeout=30_000)
    assert ui.window.detail.meaning.text() == "The helpdesk is working on it."


def _balloon() -> Any:
    return next((w for w in QApplication.topLevelWidgets()
                 if w.metaObject().className() == "QBalloonTip" and w.isVisible()), None)


def test_clicking_the_tray_message_opens_that_ticket(
        qtbot: Any, tray_host: Any, live: Any, user: Any, make_tickets: Any) -> None:
    other = file_ticket(user, "Keyboard missing keys")
    ref = file_ticket(user, "VPN drops every hour")
    ui = make_tickets(user, show=False)
    tray = QSystemTrayIcon(app_icon())
    tray.show()
    qtbot.waitUntil(lambda: tray.geometry().width() > 0 and tray.geometry().topLeft() != QPoint(0, 0),
                    timeout=10_000)
    ui.notifier.use_tray(tray)
    try:
        refresh(qtbot, ui.refresher)
        live.tech.status(ref, "Working Issue Now")
        refresh_until(qtbot, ui.refresher, lambda: ui.notifier.history, "the status change")
        assert [t for t, _ in ui.notifier.history] == [ui.notifier.history[0][0]]
        assert "VPN drops" in ui.notifier.history[0][0] and other != ref
        qtbot.waitUntil(lambda: _balloon() is not None, timeout=10_000)
        window_shown = ui.feature.window is not None and ui.feature.window.isVisible()
        assert not window_shown
        with qtbot.waitSignal(tray.messageClicked, timeout=10_000):
            qtbot.mouseClick(_balloon(), Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
        window = ui.feature.window
        assert window is not None
        qtbot.waitUntil(window.isVisible, timeout=10_000)
        qtbot.waitUntil(lambda: window.current_row() is not None and window.current_row().key == ref,
                        timeout=30_000)
    finally:
        tray.hide()
        tray.deleteLater()
