"""About this computer, Call support and Settings: what they show, copy, open and save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from gui_helpers import catch_urls
from intake_app.config.profile import UserProfile, load_profile
from intake_app.core.ticket import ContactMethod
from intake_app.paths import AppPaths
from intake_app.ui.about import AboutDialog, ComputerFacts, gather_facts
from intake_app.ui.settings_dialog import SettingsDialog, profile_problems
from intake_app.ui.support import SupportDialog, tel_url
from intake_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

FACTS = ComputerFacts("PC-042", "dana", ("10.1.2.3", "2001:db8::7"))


@pytest.fixture
def tasks(qapp: Any) -> Any:
    runner = TaskRunner()
    yield runner
    runner.shutdown()
    runner.deleteLater()


def test_gather_facts_finds_this_computer() -> None:
    facts = gather_facts()
    assert facts.computer and facts.user
    assert all(not a.startswith(("127.", "::1", "fe80")) for a in facts.addresses)


def test_about_shows_and_copies_the_identity(qtbot: Any, tasks: TaskRunner, tmp_path: Path) -> None:
    dialog = AboutDialog(FACTS, product_name="Intake", version="0.1.0", log_dir=tmp_path / "log",
                         service_text="https://helpdesk.example.com", tasks=tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.fields["computer"].text() == "PC-042"
    assert dialog.fields["addresses"].text() == "10.1.2.3\n2001:db8::7"
    assert dialog.fields["logs"].text() == str(tmp_path / "log")
    assert not dialog.diag_button.isEnabled()  # nothing to collect diagnostics with
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "Computer: PC-042\nUser: dana\nIP addresses: 10.1.2.3, 2001:db8::7"
    assert dialog.status.text().startswith("Copied")


def test_copy_diagnostics_runs_on_a_worker_and_fills_the_clipboard(qtbot: Any, tasks: TaskRunner,
                                                                   tmp_path: Path) -> None:
    dialog = AboutDialog(FACTS, product_name="Intake", version="0.1.0", log_dir=tmp_path, service_text="demo",
                         tasks=tasks, collect_diagnostics=lambda: "OS: Debian\nCPU: 2 cores")
    qtbot.addWidget(dialog)
    dialog.diag_button.click()
    assert not dialog.diag_button.isEnabled()  # busy until the worker answers
    qtbot.waitUntil(lambda: dialog.diag_button.isEnabled(), timeout=5000)
    assert QGuiApplication.clipboard().text() == "OS: Debian\nCPU: 2 cores"
    assert dialog.status.text() == "System information copied (2 lines)."


def test_failed_diagnostics_say_so(qtbot: Any, tasks: TaskRunner, tmp_path: Path) -> None:
    def broken() -> str:
        raise OSError("psutil exploded")

    dialog = AboutDialog(FACTS, product_name="Intake", version="0.1.0", log_dir=tmp_path, service_text="demo",
                         tasks=tasks, collect_diagnostics=broken)
    qtbot.addWidget(dialog)
    dialog.copy_diagnostics()
    qtbot.waitUntil(lambda: "psutil exploded" in dialog.status.text(), timeout=5000)


def test_open_log_folder_opens_a_file_url(qtbot: Any, tasks: TaskRunner, tmp_path: Path) -> None:
    dialog = AboutDialog(FACTS, product_name="Intake", version="0.1.0", log_dir=tmp_path / "log",
                         service_text="demo", tasks=tasks)
    qtbot.addWidget(dialog)
    with catch_urls("file") as caught:
        dialog.logs_button.click()
    assert caught.urls == [(tmp_path / "log").as_uri()]


@pytest.mark.parametrize(("phone", "url"), [
    ("(713) 782-4357", "tel:7137824357"),
    ("+1 713 782 4357", "tel:+17137824357"),
    ("713.782.4357 ext. 12", "tel:7137824357;ext=12"),
    ("+44 20 7946 0958 x7", "tel:+442079460958;ext=7"),
])
def test_tel_urls(phone: str, url: str) -> None:
    assert tel_url(phone).toString() == url


def test_call_support_opens_tel_and_copies_the_number(qtbot: Any) -> None:
    dialog = SupportDialog("(713) 782-4357", company="Acme")
    qtbot.addWidget(dialog)
    with catch_urls("tel") as caught:
        dialog.call_button.click()
    assert caught.urls == ["tel:7137824357"]
    assert dialog.status.text() == "Calling (713) 782-4357…"
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "(713) 782-4357"
    assert dialog.number.text() == "(713) 782-4357"
    assert dialog.call_button.accessibleName() == "Call (713) 782-4357"


def test_settings_keep_bad_input_and_say_what_is_wrong(qtbot: Any) -> None:
    dialog = SettingsDialog(UserProfile(name="Dana", email="dana@example.com"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.email.setText("dana-at-example")
    dialog.phone.setText("call me")
    with qtbot.assertNotEmitted(dialog.profile_saved):
        dialog._save()
    assert dialog.isVisible()
    assert "is not an e-mail address" in dialog.errors["email"].text() and dialog.errors["email"].isVisible()
    assert "is not a phone number" in dialog.errors["phone"].text()
    assert dialog.email.text() == "dana-at-example"  # nothing the user typed is lost
    assert dialog.errors["name"].isHidden()


def test_settings_save_a_valid_profile(qtbot: Any) -> None:
    dialog = SettingsDialog(UserProfile())
    qtbot.addWidget(dialog)
    dialog.name.setText("  Dana Tester ")
    dialog.email.setText("dana@example.com")
    dialog.phone.setText("+1 555 0100 22")
    dialog.method.setCurrentIndex(dialog.method.findData(ContactMethod.CHAT.value))
    dialog.detail.setText("dana@teams.example.com")
    with qtbot.waitSignal(dialog.profile_saved) as blocker:
        dialog._save()
    saved = blocker.args[0]
    assert (saved.name, saved.email, saved.phone, saved.contact_method, saved.contact_detail) == (
        "Dana Tester", "dana@example.com", "+1 555 0100 22", ContactMethod.CHAT, "dana@teams.example.com")


def test_profile_problems_rules() -> None:
    assert profile_problems(UserProfile()) == {}
    assert set(profile_problems(UserProfile(contact_method=ContactMethod.PHONE, contact_detail="abc"))) == {
        "contact_detail"}


def test_settings_from_the_app_are_saved_to_disk(qtbot: Any, paths: AppPaths, offline_admin: Any) -> None:
    from gui_helpers import build_app, stop

    app = build_app(paths, offline_admin, tray=False)
    try:
        app.start()
        app.actions.settings.trigger()
        dialog = app.windows.settings
        assert isinstance(dialog, SettingsDialog) and dialog.name.text() == "Dana Tester"
        dialog.phone.setText("+1 555 0199")
        with qtbot.waitSignal(app.notifier.shown, timeout=5000):
            dialog._save()
        assert load_profile(paths).phone == "+1 555 0199"
    finally:
        stop(app)
