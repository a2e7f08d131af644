"""A report window built ahead (hidden, ``open_now=False``) and opened later with ``offer``.

Everything that may change between the build and the click is read at ``offer``:
the profile, the device name, the policy, the branding, a draft saved meanwhile.
Real task runner, outbox and draft store (the fixtures of this folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PIL import Image
from PySide6.QtGui import QColor, QPalette

from intake_app.client.outbox import Outbox
from intake_app.config.profile import UserProfile
from intake_app.core.policy import Announcement, Policy
from intake_app.core.priorities import Priority, PriorityDefinition
from intake_app.core.ticket import ContactMethod
from intake_app.diagnostics.settings import ProbeSettings
from intake_app.paths import AppPaths
from intake_app.ui.report.draft_store import DraftStore
from intake_app.ui.report.grabber import DiagnosticsGrabber
from intake_app.ui.report.ports import ReportServices
from intake_app.ui.report.window import ReportWindow
from intake_app.ui.tasks import TaskRunner

from report_helpers import type_into

pytestmark = pytest.mark.gui

WHITE = (255, 255, 255)
PROBES = ProbeSettings(enabled={"reachability": False, "public_ip": False})  # no real network here
PROFILE = UserProfile(name="Dana Example", email="dana@example.com", phone="+1 713 555 0100",
                      contact_method=ContactMethod.EMAIL)


@pytest.fixture
def services(runner: TaskRunner, outbox: Outbox, paths: AppPaths) -> ReportServices:
    return ReportServices(runner=runner, outbox=outbox, drafts=DraftStore(paths.drafts), grabber=DiagnosticsGrabber(),
                          profile=PROFILE, probe_settings=PROBES, computer_name=lambda: "PC-AT-BUILD")


@pytest.fixture
def built(qtbot: Any, services: ReportServices) -> Iterator[ReportWindow]:
    """A window built ahead, as the app's warm-up builds it: hidden, nothing read or started."""
    window = ReportWindow(services, open_now=False)
    qtbot.addWidget(window)
    window.ensurePolished()
    window.grab()  # rendered once off-screen, as WindowKeeper.prebuild does
    yield window
    if shiboken6.isValid(window):
        window.close()


def _open(qtbot: Any, window: ReportWindow, shots: Any = (), services: ReportServices | None = None) -> None:
    window.offer(shots, services)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.waitUntil(lambda: not window.system_info.collecting and not window.restoring, timeout=15_000)


def test_building_ahead_reads_and_starts_nothing(built: ReportWindow, runner: TaskRunner) -> None:
    assert not built.offered and not built.isVisible()
    assert runner.pending() == 0  # no system information, no draft read, no monitors list yet
    assert built.form.strip.items == [] and built.form.problem.device_name.text() == ""
    assert built.form.contact.fields["name"].text() == ""


def test_offer_shows_the_screenshots_and_what_changed_since_the_build(qtbot: Any, built: ReportWindow,
                                                                     services: ReportServices) -> None:
    # after the build: Settings saved other details, identify found the name, /meta answered, branding
    services.profile = UserProfile(name="Robin New", email="robin@example.com", phone="+1 555 0199",
                                   contact_method=ContactMethod.PHONE)
    services.computer_name = lambda: "PC-AFTER-BUILD"
    p1 = PriorityDefinition(Priority.EMERGENCY, "Everything is down", "Nobody can work.", ("Server room flooded",))
    others = tuple(d for d in Policy().priorities if d.priority != Priority.EMERGENCY)
    services.policy = Policy(priorities=(p1, *others), escalation_fee="$999",
                             announcements=(Announcement("1", "VPN is down", "", "outage"),))
    services.product_name, services.accent_color = "Acme Help", "#ffcc00"
    shots = [("Screen 1", Image.new("RGB", (320, 200), WHITE)), ("Screen 2", Image.new("RGB", (200, 100), WHITE))]

    _open(qtbot, built, shots)

    form = built.form
    assert [(i.label, i.origin) for i in form.strip.items] == [("Screen 1", "asked"), ("Screen 2", "asked")]
    assert form.strip.items[0].picture.size == (320, 200)
    assert form.problem.device_name.text() == "PC-AFTER-BUILD"
    assert form.contact.fields["name"].text() == "Robin New"
    assert form.contact.fields["email"].text() == "robin@example.com"
    assert form.contact.method_value() == ContactMethod.PHONE and form.contact.method_detail() == "+1 555 0199"
    assert form.priority.buttons[Priority.EMERGENCY].text().replace("&", "") == "P1 – Everything is down"
    assert "$999" in form.priority.escalate.text()
    assert [label.text() for label in built.banner.items] == ["Outage: VPN is down"]
    assert built.policy is services.policy
    assert built.windowTitle() == "Acme Help – Report a problem" and "Acme Help" in built.header.text()
    assert built.header.palette().color(QPalette.ColorRole.Window) == QColor("#ffcc00")
    assert "#ffcc00" in built.submit_button.styleSheet()
    assert built.form.problem.summary.hasFocus()


def test_offer_takes_the_services_it_is_given(qtbot: Any, built: ReportWindow, services: ReportServices,
                                              paths: AppPaths) -> None:
    """The app hands over its current services object at open time (same runner, store and grabber)."""
    current = ReportServices(runner=services.runner, outbox=services.outbox, drafts=services.drafts,
                             grabber=services.grabber, profile=UserProfile(name="Sam Current"),
                             probe_settings=PROBES, computer_name=lambda: "PC-CURRENT")
    _open(qtbot, built, [], current)
    assert built.services is current and built.system_info.document is not None
    assert built.form.contact.fields["name"].text() == "Sam Current"
    assert built.form.problem.device_name.text() == "PC-CURRENT"


def test_a_draft_saved_after_the_build_is_restored(qtbot: Any, make_window: Any, built: ReportWindow,
                                                   runner: TaskRunner) -> None:
    earlier = make_window()  # another report, written after the hidden one was built
    type_into(qtbot, earlier.form.problem.summary, "Printer jams on page 2")
    with qtbot.waitSignal(earlier.autosaver.saved, timeout=10_000):
        pass
    earlier.close()
    assert runner.wait(10_000)

    _open(qtbot, built, [("Screen 1", Image.new("RGB", (64, 48), WHITE))])
    assert built.current_draft().summary == "Printer jams on page 2"
    assert built.current_draft().client_ticket_id == earlier.base.client_ticket_id
    assert "was restored" in built.notice.text()
    assert [i.origin for i in built.form.strip.items] == ["asked"]  # the new screenshot, after the draft's


def test_a_window_is_offered_once(qtbot: Any, built: ReportWindow) -> None:
    _open(qtbot, built)
    assert built.stale_reason(built.services) == "already offered"
    with pytest.raises(ValueError, match="already offered"):
        built.offer([])


def test_other_build_time_services_are_refused(built: ReportWindow, services: ReportServices,
                                               paths: AppPaths, runner: TaskRunner) -> None:
    """What is wired in at build time cannot be swapped: the caller must build a fresh window."""
    other = ReportServices(runner=services.runner, outbox=services.outbox, drafts=DraftStore(paths.drafts),
                           grabber=services.grabber)
    assert "draft store" in built.stale_reason(other)
    with pytest.raises(ValueError, match="cannot be offered"):
        built.offer([], other)
    assert not built.offered and runner.pending() == 0
