"""Paid escalation: requested from an open P3, approved by the verified primary contact, refused to others."""

from __future__ import annotations

import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from tickets_helpers import file_ticket, refresh, refresh_until

from intake_app.client.errors import RejectedError
from intake_app.core.priorities import Priority
from intake_app.ui.tickets.actions import TicketActions
from intake_app.ui.tickets.approvals import ApprovalsView
from intake_app.ui.tickets.dialogs import EscalateDialog

pytestmark = pytest.mark.gui


def click(qtbot: Any, button: Any) -> None:
    assert button.isVisible() and button.isEnabled(), f"{button.objectName()} is not clickable"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def identity_loaded(qtbot: Any, window: Any) -> None:
    with qtbot.waitSignal(window.actions.succeeded, timeout=60_000,
                          check_params_cb=lambda action, _ref, _answer: action == "me"):
        window.actions.load_identity()


def test_escalation_requested_by_the_user_and_approved_by_the_primary_contact(
        qtbot: Any, live: Any, user: Any, make_tickets: Any) -> None:
    ref = file_ticket(user, "New starter needs a laptop sooner", priority=Priority.NORMAL)
    ui = make_tickets(user)
    refresh(qtbot, ui.refresher)
    with qtbot.waitSignal(ui.window.detail_shown, timeout=60_000):
        ui.window.open_ticket(ref)
    detail = ui.window.detail
    identity_loaded(qtbot, ui.window)
    assert not ui.window.tabs.isTabVisible(ui.window.approvals_tab)  # not the primary contact
    click(qtbot, detail.buttons["escalate"])
    dialog = ui.window.flow.dialog
    assert isinstance(dialog, EscalateDialog)
    assert "$250" in dialog.intro.text() and "primary IT contact must approve" in dialog.intro.text()
    qtbot.keyClicks(dialog.reason, "She starts on Monday.")
    with qtbot.waitSignal(ui.window.actions.succeeded, timeout=60_000):
        click(qtbot, dialog.send_button)
    assert detail.info.text().startswith("Escalation requested (fee $250)")
    qtbot.waitUntil(lambda: detail.escalation.text().startswith("Escalation requested (fee $250): waiting"),
                    timeout=30_000)
    assert not detail.buttons["escalate"].isVisible()
    with pytest.raises(RejectedError) as again:
        user.escalate(ref, "twice")
    assert again.value.status == 409 and "already has an escalation" in str(again.value)

    boss = make_tickets(live.boss)
    identity_loaded(qtbot, boss.window)
    assert boss.window.tabs.isTabVisible(boss.window.approvals_tab)
    approvals = boss.window.approvals
    with qtbot.waitSignal(approvals.actions.succeeded, timeout=60_000):
        boss.window.tabs.setCurrentIndex(boss.window.approvals_tab)
    rows = [approvals.list.item(n) for n in range(approvals.list.count())]
    mine = next(item for item in rows if item.data(Qt.ItemDataRole.UserRole)["ticket"] == ref)
    assert "She starts on Monday." in mine.text() and "$250" in mine.text()
    approvals.list.setCurrentItem(mine)
    qtbot.keyClicks(approvals.reason, "Approved: new starter.")
    with qtbot.waitSignal(approvals.decided, timeout=60_000) as decided:
        click(qtbot, approvals.approve_button)
    assert decided.args[0]["state"] == "approved"
    assert decided.args[0]["audit"][-1]["reason"] == "Approved: new starter."
    assert approvals.info.text() == f"Approved: escalation of ticket {ref}."

    deadline = time.monotonic() + 60  # the service writes the decision to the helpdesk in the background
    while user.ticket(ref).get("assigned_priority") != 2:
        assert time.monotonic() < deadline, "the approved escalation never raised the priority"
        time.sleep(0.2)
    approved = "Your escalation was approved: the priority is now P2."
    refresh_until(qtbot, ui.refresher, lambda: approved in [t for _, t in ui.notifier.history], "the new priority")
    texts = [text for _title, text in ui.notifier.history]
    assert not any("miscoded" in text for text in texts)
    qtbot.waitUntil(lambda: detail.escalation.text() == "Escalation approved (fee $250).", timeout=30_000)


def test_another_user_may_neither_see_nor_decide_escalations(
        qtbot: Any, live: Any, user: Any, make_tickets: Any, runner: Any) -> None:
    ref = file_ticket(user, "Need Visio installed today")
    user.escalate(ref, "deadline")
    colleague = live.enrol("Casey Colleague", "casey@demo.example", verify=True)
    ui = make_tickets(colleague)
    identity_loaded(qtbot, ui.window)
    assert not ui.window.tabs.isTabVisible(ui.window.approvals_tab)

    view = ApprovalsView(TicketActions(runner, lambda: colleague))
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.actions.failed, timeout=60_000):
        view.load()
    assert "primary IT contact" in view.error.text()
    pending = next(e for e in live.boss.escalations("pending") if e["ticket"] == ref)
    view.show_escalations([pending])
    qtbot.keyClicks(view.reason, "looks fine")
    with qtbot.waitSignal(view.actions.failed, timeout=60_000):
        click(qtbot, view.approve_button)
    assert "primary IT contact" in view.error.text()
    assert next(e for e in live.boss.escalations(None) if e["ticket"] == ref)["state"] == "pending"


def test_a_denial_needs_a_reason(qtbot: Any, live: Any, user: Any, runner: Any) -> None:
    ref = file_ticket(user, "Second monitor for the reception desk")
    user.escalate(ref, "")
    view = ApprovalsView(TicketActions(runner, lambda: live.boss))
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.actions.succeeded, timeout=60_000):
        view.load()
    mine = next(n for n in range(view.list.count())
                if view.list.item(n).data(Qt.ItemDataRole.UserRole)["ticket"] == ref)
    view.list.setCurrentRow(mine)
    click(qtbot, view.deny_button)
    assert view.error.text() == "Please give the reason for denying."
    qtbot.keyClicks(view.reason, "Not urgent: next week is fine.")
    with qtbot.waitSignal(view.decided, timeout=60_000) as decided:
        click(qtbot, view.deny_button)
    assert decided.args[0]["state"] == "denied"
