"""Drafts: autosaved (debounced), restored by a new window, written only once the user keeps them."""

from __future__ import annotations

import io
import json
from datetime import date, time, timedelta
from typing import Any

import pytest
from PIL import Image
from PySide6.QtGui import QGuiApplication

from intake_app.core.priorities import Priority
from intake_app.core.ticket import ContactMethod
from intake_app.paths import AppPaths
from intake_app.ui.report.shots import ShotItem

from report_helpers import click, type_into

pytestmark = pytest.mark.gui

ERROR_TEXT = "Unhandled exception:\tSystem.IO.IOException — «disk full» ✓\r\n\tat X.Y() 😀"


def test_draft_survives_closing_and_a_new_window(qtbot: Any, make_window: Any, paths: AppPaths,
                                                 runner: Any) -> None:
    first = make_window([("Screen 1", Image.new("RGB", (300, 200), (255, 255, 255)))])
    form = first.form
    type_into(qtbot, form.problem.summary, "Shared drive missing")
    QGuiApplication.clipboard().setText(ERROR_TEXT)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == ERROR_TEXT, timeout=3000)
    click(qtbot, form.problem.paste_button)
    type_into(qtbot, form.problem.description, "Since the update")
    click(qtbot, form.priority.buttons[Priority.QUICK])
    day = date.today() + timedelta(days=3)
    form.availability.add_window(day, time(22, 0), time(1, 30))
    form.contact.method.setCurrentIndex(form.contact.method.findData("phone"))
    click(qtbot, form.contact.for_someone)
    type_into(qtbot, form.contact.other_fields["name"], "Ann Other")
    form.strip.items[0].boxes.append((10, 10, 50, 40))
    form.strip.refresh_item(form.strip.items[0])
    with qtbot.waitSignal(first.autosaver.saved, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: not first.autosaver.pending, timeout=10_000)
    saved_id = first.base.client_ticket_id

    # the shot on disk already has the box burned in: the original pixels never reach the disk
    index = json.loads((paths.drafts / "draft.json").read_text(encoding="utf-8"))
    (entry,) = index["attachments"]
    on_disk = Image.open(io.BytesIO((paths.drafts / entry["file"]).read_bytes()))
    assert on_disk.getpixel((30, 30))[:3] == (0, 0, 0) and on_disk.getpixel((200, 150))[:3] == (255, 255, 255)
    first.close()
    assert runner.wait(10_000)

    second = make_window()  # a new window from the same base dir, as after restarting the app
    restored = second.current_draft()
    assert restored.client_ticket_id == saved_id
    assert restored.summary == "Shared drive missing"
    assert restored.error_details == ERROR_TEXT
    assert restored.description == "Since the update"
    assert restored.requested_priority == Priority.QUICK
    assert restored.contact_method == ContactMethod.PHONE and restored.contact_method_detail == "+1 713 555 0100"
    assert restored.reported_for is not None and restored.reported_for.name == "Ann Other"
    (window,) = restored.availability.windows
    assert (window.start.date(), window.start.time(), window.end.time()) == (day, time(22, 0), time(1, 30))
    assert window.end.date() == day + timedelta(days=1)
    (shot,) = second.form.strip.items
    assert isinstance(shot, ShotItem) and shot.origin == "draft"
    assert shot.picture.getpixel((30, 30))[:3] == (0, 0, 0)
    assert "was restored" in second.notice.text()


def test_untouched_window_writes_nothing(qtbot: Any, make_window: Any, paths: AppPaths, runner: Any) -> None:
    window = make_window([("Screen 1", Image.new("RGB", (50, 50)))])
    window.close()
    assert runner.wait(10_000)
    assert not (paths.drafts / "draft.json").exists()
    assert not list(paths.drafts.glob("*.dat")) if paths.drafts.exists() else True


def test_unreadable_draft_is_reported_and_kept(qtbot: Any, make_window: Any, paths: AppPaths) -> None:
    paths.drafts.mkdir(parents=True, exist_ok=True)
    (paths.drafts / "draft.json").write_text("{broken", encoding="utf-8")
    window = make_window()
    assert "could not be read" in window.notice.text() and "nothing is lost" in window.notice.text()
    assert window.form.isEnabled()
    assert any(p.name.startswith("draft-unreadable-") for p in paths.drafts.iterdir())


def test_discard_deletes_the_draft(qtbot: Any, make_window: Any, paths: AppPaths, runner: Any) -> None:
    window = make_window()
    type_into(qtbot, window.form.problem.summary, "Temporary")
    window.autosaver.save_now()
    assert runner.wait(10_000) and (paths.drafts / "draft.json").exists()
    window.discard_draft()
    assert runner.wait(10_000)
    assert not (paths.drafts / "draft.json").exists() and not window.isVisible()
