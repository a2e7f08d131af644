"""The whole report flow against a real ``intake-app serve --demo`` on loopback.

Driven like a user: keys and clicks. The service's own records are then read back:
its accepted draft (every field), the escalation it opened, the attachments' bytes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtGui import QGuiApplication

from client.live_service import ServiceProcess, subprocess_env, wait_until
from intake_app.client.api import ApiClient
from intake_app.client.outbox import Outbox
from intake_app.client.outbox_item import ItemState
from intake_app.client.outbox_sender import send_pending
from intake_app.core.priorities import Priority
from intake_app.core.ticket import ContactMethod
from intake_app.paths import AppPaths
from intake_app.ui.report.submit_flow import Outcome

from report_helpers import click, submit_and_wait, type_into

pytestmark = [pytest.mark.gui, pytest.mark.slow]

ERROR_TEXT = "Outlook:\tCannot connect (0x800CCC0E)\r\n\tServer: mail.example.com ✓ Ünïcødé 😀 " + "x" * 300
WHITE, BLUE = (255, 255, 255), (20, 40, 200)


@pytest.fixture
def service(tmp_path: Path, isolated_basedir: Path) -> Iterator[ServiceProcess]:
    env = subprocess_env(isolated_basedir, tmp_path / "keyring.json")
    proc = ServiceProcess(tmp_path / "service", env, demo=True).start()
    yield proc
    proc.stop()


@pytest.fixture
def api(service: ServiceProcess) -> Iterator[ApiClient]:
    client = ApiClient(service.url)
    answer = client.enroll("demo", device_name="PC-0042", user_name="Dana Example", user_email="dana@example.com")
    client.set_token(answer["token"])
    yield client
    client.close()


def _stored(service: ServiceProcess, client_ticket_id: str) -> dict[str, Any]:
    rows = service.helpdesk_rows("SELECT draft_json FROM tickets WHERE client_ticket_id = ?", client_ticket_id)
    assert len(rows) == 1, rows
    return json.loads(rows[0][0])


def test_whole_report_reaches_the_service_with_every_field(qtbot: Any, make_window: Any, api: ApiClient,
                                                           service: ServiceProcess) -> None:
    shots = [("Screen 1", Image.new("RGB", (400, 300), WHITE)), ("Screen 2", Image.new("RGB", (320, 200), BLUE))]
    window = make_window(shots, api=api, policy=api.policy())
    form = window.form
    qtbot.waitUntil(lambda: form.contact.contact_on_file() is not None, timeout=10_000)
    assert form.contact.fields["name"].text() == "Dana Example"  # as the helpdesk has it on file

    # what's wrong: typed and pasted
    type_into(qtbot, form.problem.summary, "Outlook cannot connect")
    QGuiApplication.clipboard().setText(ERROR_TEXT)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == ERROR_TEXT, timeout=3000)
    click(qtbot, form.problem.paste_button)
    type_into(qtbot, form.problem.description, "Started after the password change.")
    form.problem.device_name.selectAll()
    type_into(qtbot, form.problem.device_name, "LAPTOP-7")
    # black out part of screen 1 with the keyboard
    form.strip.list.setCurrentRow(0)
    click(qtbot, form.strip.redact_button)
    editor = window.attachments.editor
    qtbot.waitUntil(lambda: editor.canvas.hasFocus(), timeout=5000)
    box = editor.canvas.marker
    expected_box = (box.x(), box.y(), box.width(), box.height())
    qtbot.keyClick(editor.canvas, Qt.Key.Key_Return)
    click(qtbot, editor.buttons.button(editor.buttons.StandardButton.Ok))
    # priority P3 with the paid escalation
    click(qtbot, form.priority.buttons[Priority.NORMAL])
    click(qtbot, form.priority.escalate)
    # contact: a corrected phone, reach me by phone, and it is for someone else
    form.contact.fields["phone"].selectAll()
    type_into(qtbot, form.contact.fields["phone"], "+1 713 555 0199")
    form.contact.method.setFocus()
    form.contact.method.setCurrentIndex(form.contact.method.findData("phone"))
    assert form.contact.detail.text() == "+1 713 555 0199"
    assert "You corrected: phone" in form.contact.on_file_note.text()
    click(qtbot, form.contact.for_someone)
    type_into(qtbot, form.contact.other_fields["name"], "Ann Other")
    type_into(qtbot, form.contact.other_fields["email"], "ann@example.com")
    # availability: one window tomorrow evening, past midnight
    click(qtbot, form.availability.add_button)
    row = form.availability.rows[0]
    tomorrow = date.today() + timedelta(days=1)
    row.day.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    row.start.setTime(QTime(22, 0))
    row.end.setTime(QTime(1, 0))
    assert row.next_day.isVisibleTo(window)

    # review: the full text, and one optional part of the system information switched off
    click(qtbot, window.next_button)
    qtbot.waitUntil(lambda: "processes" in window.review.switches, timeout=10_000)
    click(qtbot, window.review.switches["processes"])
    text = window.review.text.toPlainText()
    for expected in ("Summary: Outlook cannot connect", "Computer or device: LAPTOP-7",
                     "Reported for: Ann Other, ann@example.com", "phone: — → +1 713 555 0199",
                     "Escalation requested: yes, flat fee $250", "System information", "screenshot-1.png"):
        assert expected in text, expected
    assert "Outlook:\tCannot connect (0x800CCC0E)" in text and "Ünïcødé 😀" in text
    assert "Top processes" not in text

    result = submit_and_wait(qtbot, window)
    assert result.outcome is Outcome.SENT, result.message
    assert window.stack.currentIndex() == 2
    assert window.result.reference.text() == f"Intake reference: {result.reference}"
    assert window.result.target.text().startswith("A technician will respond by")
    qtbot.waitUntil(lambda: window.result.helpdesk.text().startswith("Helpdesk ticket number: #"), timeout=20_000)
    assert not window.result.call_now.isVisibleTo(window)

    stored = _stored(service, result.draft.client_ticket_id)
    assert stored["summary"] == "Outlook cannot connect"
    assert stored["error_details"] == ERROR_TEXT  # verbatim: tabs, CRLF, unicode, long line
    assert stored["description"] == "Started after the password change."
    assert stored["device_name"] == "LAPTOP-7"
    assert stored["reported_for"] == {"name": "Ann Other", "email": "ann@example.com", "phone": ""}
    (slot,) = stored["availability"]["windows"]
    assert stored["availability"]["any_time_business_hours"] is False
    assert slot["start"].startswith(f"{tomorrow.isoformat()}T22:00")
    assert slot["end"].startswith(f"{(tomorrow + timedelta(days=1)).isoformat()}T01:00")
    assert stored["contact_method"] == ContactMethod.PHONE.value
    assert stored["contact_method_detail"] == "+1 713 555 0199"
    assert stored["contact"]["phone"] == "+1 713 555 0199" and stored["contact_corrected"] is True
    assert stored["contact_on_file"]["phone"] == ""
    assert stored["requested_priority"] == 3 and stored["escalation_requested"] is True
    assert stored["system_info"]["probes"]["os"] and "processes" not in stored["system_info"]["probes"]
    assert stored["system_info"]["withheld_by_user"] == ["processes"]
    assert "Not shared by the user: processes" in stored["system_info_text"]
    assert len(stored["attachments"]) == 2
    assert {a["kind"] for a in stored["attachments"]} == {"screenshot"}
    escalations = service.helpdesk_rows("SELECT state, fee FROM escalations")
    assert escalations == [("pending", "$250")]

    # the black box reached the stored attachment, burned into its pixels
    first = next(a for a in stored["attachments"] if a["filename"].startswith("screenshot-1"))
    data = api.attachment(result.reference, first["key"])
    picture = Image.open(io.BytesIO(data)).convert("RGB")
    x, y, w, h = expected_box
    assert picture.getpixel((x + w // 2, y + h // 2)) == (0, 0, 0)
    assert picture.getpixel((2, 2)) == WHITE

    # the outbox has it as sent and kept no bytes; the draft is gone
    item = window.services.outbox.find(result.draft.client_ticket_id)
    assert item is not None and item.state is ItemState.SENT
    assert not window.services.drafts.exists()


def test_keyboard_alone_files_a_ticket(qtbot: Any, make_window: Any, api: ApiClient,
                                       service: ServiceProcess) -> None:
    window = make_window(api=api, policy=api.policy())
    qtbot.waitUntil(lambda: window.form.contact.contact_on_file() is not None, timeout=10_000)
    summary = window.form.problem.summary
    assert summary.hasFocus()  # the cursor starts where the user types
    qtbot.keyClicks(summary, "Monitor is black")
    qtbot.keyClick(summary, Qt.Key.Key_Tab)
    assert window.form.problem.error_details.hasFocus()  # sensible tab order
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentIndex() == 1
    qtbot.waitUntil(window.submit_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(window.submitted, timeout=30_000) as blocker:
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    result = blocker.args[0]
    assert result.outcome is Outcome.SENT
    assert _stored(service, result.draft.client_ticket_id)["summary"] == "Monitor is black"


def test_service_down_queues_then_sends_when_it_returns(qtbot: Any, make_window: Any, api: ApiClient,
                                                        service: ServiceProcess, paths: AppPaths,
                                                        outbox: Outbox) -> None:
    policy = api.policy()
    service.stop()
    window = make_window(api=api, policy=policy)
    type_into(qtbot, window.form.problem.summary, "Internet is down")
    result = submit_and_wait(qtbot, window, timeout=60_000)
    assert result.outcome is Outcome.QUEUED
    assert window.result.headline.text().startswith(
        "<b>Saved. It will be sent automatically when you are back online.</b>")
    assert not window.result.call_now.isVisibleTo(window)  # P3: no "call now"
    item = outbox.find(result.draft.client_ticket_id)
    assert item is not None and item.state is ItemState.QUEUED

    service.start()  # same port and data: the service is back
    assert outbox.retry_now(item.id)  # what the tray does when the service answers again
    outcomes = send_pending(outbox, api)  # the tray sender's next round
    assert [o.sent for o in outcomes] == [True]
    wait_until(lambda: service.helpdesk_rows("SELECT COUNT(*) FROM tickets WHERE client_ticket_id = ?",
                                             result.draft.client_ticket_id) == [(1,)], what="ticket stored")
    assert _stored(service, result.draft.client_ticket_id)["summary"] == "Internet is down"


def test_p1_offline_says_call_now_with_the_phone(qtbot: Any, make_window: Any, refused_url: str) -> None:
    offline = ApiClient(refused_url, token="device-token-for-a-service-that-is-down")
    try:
        window = make_window(api=offline)
        type_into(qtbot, window.form.problem.summary, "Server room flooded")
        click(qtbot, window.form.priority.buttons[Priority.EMERGENCY])
        result = submit_and_wait(qtbot, window, timeout=60_000)
    finally:
        offline.close()
    assert result.outcome is Outcome.QUEUED
    page = window.result
    assert "Saved. It will be sent automatically when you are back online." in page.headline.text()
    assert page.call_now.isVisibleTo(window)
    assert "please call the helpdesk now at" in page.call_now.text()
    assert 'href="tel:7137824357"' in page.call_now.text() and "(713) 782-4357" in page.call_now.text()
    click(qtbot, page.copy_phone)
    assert QGuiApplication.clipboard().text() == "(713) 782-4357"


def test_known_issues_from_the_service_are_shown_first(qtbot: Any, make_window: Any, api: ApiClient,
                                                       service: ServiceProcess) -> None:
    service.admin("announcement", "add", "Demo company", "E-mail is down", "--body", "We are on it.",
                  "--severity", "outage")
    window = make_window(api=api)  # starts with the last known policy (none), refreshed from /meta
    qtbot.waitUntil(lambda: window.banner.isVisibleTo(window), timeout=10_000)
    assert [label.text() for label in window.banner.items] == ["Outage: E-mail is down\nWe are on it."]
    layout = window.layout()
    assert layout.indexOf(window.banner) < layout.indexOf(window.stack.parentWidget() or window.stack) or \
        window.banner.y() < window.stack.y()  # above the form: read before filing a duplicate


def test_revoked_device_keeps_the_ticket_until_enrolled_again(qtbot: Any, make_window: Any,
                                                              service: ServiceProcess, outbox: Outbox) -> None:
    client = ApiClient(service.url)
    try:
        device = client.enroll("demo", device_name="PC-9", user_name="Dana Example", user_email="dana@example.com")
        client.set_token(device["token"])
        policy = client.policy()
        service.admin("device", "revoke", device["device_id"])  # the helpdesk revoked this computer
        window = make_window(api=client, policy=policy)
        type_into(qtbot, window.form.problem.summary, "Cannot print")
        result = submit_and_wait(qtbot, window)
    finally:
        client.close()
    assert result.outcome is Outcome.QUEUED
    assert "enrolled again" in result.message and "enrolled again" in window.result.headline.text()
    item = outbox.find(result.draft.client_ticket_id)
    assert item is not None and item.state is ItemState.NEEDS_ATTENTION  # the outbox waits for the enrolment
    assert service.helpdesk_rows("SELECT COUNT(*) FROM tickets") == [(0,)]


def test_restored_corrections_survive_the_record_arriving(qtbot: Any, make_window: Any, api: ApiClient,
                                                          runner: Any) -> None:
    first = make_window(api=api)
    qtbot.waitUntil(lambda: first.form.contact.contact_on_file() is not None, timeout=10_000)
    phone = first.form.contact.fields["phone"]
    phone.selectAll()
    type_into(qtbot, phone, "+1 713 555 0142")
    type_into(qtbot, first.form.problem.summary, "Headset crackles")
    first.close()
    assert runner.wait(10_000)

    second = make_window(api=api)  # restores the draft; /me answers with the old record meanwhile
    qtbot.waitUntil(lambda: second.form.contact.contact_on_file() is not None, timeout=10_000)
    assert second.form.contact.fields["phone"].text() == "+1 713 555 0142"
    assert second.current_draft().contact_corrections == {"phone": ("", "+1 713 555 0142")}
