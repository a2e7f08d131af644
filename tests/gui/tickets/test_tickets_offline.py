"""Offline: backoff with one timer, queued tickets from the outbox, errors inline; and the e-mail connector."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from tickets_helpers import draft, file_ticket, refresh

from intake_app.client.api import ApiClient
from intake_app.client.errors import OFFLINE_MESSAGE
from intake_app.client.outbox_item import ReasonCode
from intake_app.client.retry import NO_RETRY
from intake_app.core.policy import Policy
from intake_app.ui.tickets.refresher import TicketRefresher

pytestmark = pytest.mark.gui


def click(qtbot: Any, button: Any) -> None:
    assert button.isVisible() and button.isEnabled(), f"{button.objectName()} is not clickable"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_offline_the_pause_doubles_up_to_the_cap_with_exactly_one_timer(
        qtbot: Any, runner: Any, refused_url: str, live: Any, user: Any) -> None:
    offline = ApiClient(refused_url, token="device-token", retry=NO_RETRY)
    current = [offline]
    refresher = TicketRefresher(runner, lambda: current[0], policy=Policy(refresh_seconds=20), max_backoff_s=100)
    states: list[tuple[bool, str]] = []
    refresher.online_changed.connect(lambda online, why: states.append((online, why)))
    try:
        assert refresher.findChildren(QTimer) == [refresher.timer]
        with qtbot.waitSignal(refresher.refreshed, timeout=60_000):
            refresher.start()
        assert refresher.timer.isActive() and refresher.timer.isSingleShot()
        delays = [refresher.next_delay_s]
        for _ in range(3):
            refresh(qtbot, refresher)
            assert refresher.timer.interval() == refresher.next_delay_s * 1000
            delays.append(refresher.next_delay_s)
        assert delays == [40, 80, 100, 100]
        assert states[0] == (False, OFFLINE_MESSAGE)
        assert refresher.findChildren(QTimer) == [refresher.timer]

        current[0] = user  # back online: the policy's interval again (the demo's default)
        refresh(qtbot, refresher)
        assert states[-1] == (True, "")
        assert refresher.next_delay_s == refresher.policy.refresh_seconds
        assert refresher.timer.interval() == refresher.policy.refresh_seconds * 1000
    finally:
        refresher.stop()
        offline.close()
    assert not refresher.timer.isActive()


def test_the_window_says_it_is_offline_and_shows_queued_tickets_with_their_reason(
        qtbot: Any, make_tickets: Any, refused_url: str, outbox: Any) -> None:
    api = ApiClient(refused_url, token="device-token", retry=NO_RETRY)
    try:
        queued = outbox.enqueue(draft("Internet is down"))
        stuck = outbox.enqueue(draft("Bad ticket"))
        outbox.mark_needs_attention(stuck.id, ReasonCode.VALIDATION, "Some details need fixing.",
                                    {"summary": "The summary is longer than 100 characters."})
        ui = make_tickets(api, outbox=outbox)
        refresh(qtbot, ui.refresher)
        window = ui.window
        assert window.connection.isVisible() and "can't be reached" in window.connection.text()
        rows = {r.summary: r for r in window.rows()}
        assert rows["Internet is down"].status == "Queued"
        assert rows["Internet is down"].number == "not sent yet"
        assert rows["Bad ticket"].status == "Needs attention: Some details need fixing."
        window.select(rows["Bad ticket"].key)
        detail = window.detail
        assert "The summary is longer than 100 characters." in detail.expected.text()
        assert detail.buttons["retry"].isVisible() and detail.buttons["discard"].isVisible()
        assert not detail.buttons["reply"].isVisible()
        with qtbot.waitSignal(window.send_outbox_requested, timeout=30_000):
            click(qtbot, detail.buttons["retry"])
        qtbot.waitUntil(lambda: {r.summary: r.status for r in window.rows()}.get("Bad ticket") == "Queued",
                        timeout=30_000)
        assert outbox.get(stuck.id).state.value == "queued" and queued.state.value == "queued"
    finally:
        api.close()


def test_an_action_that_cannot_reach_the_service_says_so_in_its_dialog(
        qtbot: Any, live: Any, user: Any, make_tickets: Any, refused_url: str) -> None:
    ref = file_ticket(user, "Calendar does not sync")
    current = [user]
    ui = make_tickets(None, provider=lambda: current[0])
    refresh(qtbot, ui.refresher)
    with qtbot.waitSignal(ui.window.detail_shown, timeout=60_000):
        ui.window.open_ticket(ref)
    click(qtbot, ui.window.detail.buttons["reply"])
    dialog = ui.window.flow.dialog
    offline = ApiClient(refused_url, token="device-token", retry=NO_RETRY)
    try:
        current[0] = offline  # the network went away after the window opened
        qtbot.keyClicks(dialog.text, "Any news?")
        with qtbot.waitSignal(ui.window.actions.failed, timeout=60_000):
            click(qtbot, dialog.send_button)
        assert dialog.isVisible() and dialog.error.text() == OFFLINE_MESSAGE
        assert dialog.text.toPlainText() == "Any news?"  # nothing the user wrote is lost
        assert dialog.send_button.isEnabled()
    finally:
        offline.close()


def test_with_the_email_connector_updates_arrive_by_email(qtbot: Any, make_tickets: Any) -> None:
    ui = make_tickets(None)
    detail = ui.window.detail
    ticket = {"reference": "INT-000007", "helpdesk_id": None, "summary": "Mailbox full",
              "status": {"name": "Sent by e-mail", "category": "new", "meaning": "", "action": "none"},
              "requested_priority": 3, "assigned_priority": None, "relay_state": "email", "timeline": [],
              "attachments": [], "updates_by_email": True}
    detail.show_ticket(ticket, Policy(connector="email"))
    assert detail.by_email.isVisible() and detail.by_email.text() == "Sent by e-mail; updates arrive by e-mail."
    assert not detail.expect.isVisible()
    for name in ("reply", "update", "escalate", "close", "reopen"):
        assert not detail.buttons[name].isVisible(), name
    assert detail.buttons["call"].isVisible()


def test_portal_link_and_respond_by_when_configured(qtbot: Any, make_tickets: Any) -> None:
    ui = make_tickets(None)
    detail = ui.window.detail
    ticket = {"reference": "INT-000008", "helpdesk_id": "1008", "summary": "New laptop",
              "status": {"name": "New (Portal)", "category": "new", "meaning": "Placed from the portal or this app.",
                         "action": "none"},
              "requested_priority": 4, "assigned_priority": 4, "respond_by": "2026-03-09T17:00:00+00:00",
              "timeline": [], "attachments": []}
    detail.show_ticket(ticket, Policy(portal_url="https://portal.msp.example/tickets"))
    assert 'href="https://portal.msp.example/tickets"' in detail.portal.text()
    assert detail.respond_by.text().startswith("A technician will respond by ")
    detail.show_ticket(ticket, Policy())
    assert not detail.portal.isVisible()
