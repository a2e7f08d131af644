"""The Report window built ahead by the running app (``WindowKeeper.prebuild``), then used by a click.

The real app (offline deployed configuration: real outbox, real draft store, real
profile file), a real ``ReportWindow``; only the screen grab is replaced (it returns
one known picture), so each test knows what the window must show.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from gui_helpers import RecordingWindow, build_app, stop
from intake_app.app import IntakeApp
from intake_app.config.admin import AdminConfig
from intake_app.config.probes import ProbeSettings
from intake_app.config.profile import UserProfile, save_profile
from intake_app.core.policy import Announcement, Policy
from intake_app.core.priorities import Priority, PriorityDefinition
from intake_app.paths import AppPaths
from intake_app.ui.about import ComputerFacts
from intake_app.ui.report.submit_flow import Outcome
from intake_app.ui.report.window import ReportWindow
from intake_app.ui.service_link import POLICY_CACHE
from intake_app.ui.windows import WindowKeeper

pytestmark = pytest.mark.gui

WHITE, BLUE = (255, 255, 255), (20, 40, 200)


@pytest.fixture
def apps() -> Iterator[list[IntakeApp]]:
    made: list[IntakeApp] = []
    yield made
    for app in made:
        stop(app)


@pytest.fixture
def admin(offline_admin: AdminConfig) -> AdminConfig:
    # the reachability probe leaves a socket open (ResourceWarning) and needs a network: off here
    probes = ProbeSettings(enabled={**ProbeSettings().enabled, "reachability": False, "public_ip": False})
    return AdminConfig(**{**offline_admin.__dict__, "probes": probes})


class Screens:
    """The screen grab, replaced: each call returns one picture of the colour set last."""

    def __init__(self) -> None:
        self.color = WHITE

    def __call__(self) -> list[tuple[str, Image.Image]]:
        return [("Screen 1", Image.new("RGB", (320, 200), self.color))]


def _started(qtbot: Any, apps: list[IntakeApp], paths: AppPaths, admin: AdminConfig,
             windows: WindowKeeper | None = None) -> IntakeApp:
    app = build_app(paths, admin, tray=False, windows=windows or WindowKeeper(capture=Screens()))
    apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: app.link.outbox is not None and app.facts is not None, timeout=10_000)
    return app


def _prebuilt(app: IntakeApp) -> ReportWindow:
    assert app.windows.prebuild()
    window = app.windows.prebuilt
    assert isinstance(window, ReportWindow) and not window.isVisible() and not window.offered
    return window


def _open(qtbot: Any, app: IntakeApp) -> ReportWindow:
    with qtbot.waitSignal(app.report_opened, timeout=10_000):
        app.request_report()
    window = app.windows.report
    assert isinstance(window, ReportWindow) and window.isVisible()
    qtbot.waitUntil(lambda: not window.system_info.collecting and not window.restoring, timeout=15_000)
    return window


def test_the_warm_up_builds_it_and_a_click_uses_it_with_the_screens(qtbot: Any, apps: list[IntakeApp],
                                                                    paths: AppPaths, admin: AdminConfig) -> None:
    app = _started(qtbot, apps, paths, admin)
    qtbot.waitUntil(lambda: app.windows.prebuilt is not None, timeout=15_000)  # the app's own warm-up timer
    prebuilt = app.windows.prebuilt
    assert isinstance(prebuilt, ReportWindow) and not prebuilt.isVisible()
    window = _open(qtbot, app)
    assert window is prebuilt and app.windows.prebuilt is None
    (shot,) = window.form.strip.items
    assert (shot.label, shot.origin, shot.picture.size) == ("Screen 1", "asked", (320, 200))
    assert window.form.contact.fields["name"].text() == "Dana Tester"  # the profile file of offline_admin


def test_profile_name_and_policy_that_change_after_the_build_are_shown(qtbot: Any, apps: list[IntakeApp],
                                                                      paths: AppPaths, admin: AdminConfig) -> None:
    app = _started(qtbot, apps, paths, admin)
    prebuilt = _prebuilt(app)
    # then: Settings saved new details, the policy arrived (cached /meta), "identify my PC" answered again
    save_profile(paths, UserProfile(name="Robin New", email="robin@example.com"))
    p2 = PriorityDefinition(Priority.QUICK, "Urgent for you", "You cannot work.", ())
    policy = Policy(company="Acme", priorities=(p2,), announcements=(Announcement("1", "Mail is slow"),))
    (paths.cache / POLICY_CACHE).write_text(json.dumps(policy.to_dict()), encoding="utf-8")
    with qtbot.waitSignal(app.link.policy_changed, timeout=5000):
        app.link.load_cached_policy()
    qtbot.waitUntil(lambda: app.tasks.pending() == 0, timeout=10_000)  # a new policy also renews "identify
    # my PC": let that answer land first
    app._facts_ready(ComputerFacts("PC-ARRIVED-LATER", "robin", ("10.0.0.7",)), None)

    window = _open(qtbot, app)
    assert window is prebuilt
    form = window.form
    assert form.contact.fields["name"].text() == "Robin New"
    assert form.contact.fields["email"].text() == "robin@example.com"
    assert form.problem.device_name.text() == "PC-ARRIVED-LATER"
    assert form.priority.buttons[Priority.QUICK].text().replace("&", "") == "P2 – Urgent for you"
    assert [label.text() for label in window.banner.items] == ["Notice: Mail is slow"]
    assert window.policy == policy


def test_a_saved_draft_is_restored_into_the_prebuilt_window(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                                            admin: AdminConfig) -> None:
    from report.report_helpers import type_into

    app = _started(qtbot, apps, paths, admin)
    first = _open(qtbot, app)  # nothing built ahead yet: built at the click, as before
    type_into(qtbot, first.form.problem.summary, "Scanner shows error 42")
    first.close()  # the draft is kept (saved on close)
    qtbot.waitUntil(lambda: app.windows.prebuilt is not None, timeout=15_000)  # built again, a little later
    assert app.tasks.wait(10_000)
    assert (paths.drafts / "draft.json").exists()

    window = _open(qtbot, app)
    assert window is not first
    assert window.form.problem.summary.text() == "Scanner shows error 42"
    assert "was restored" in window.notice.text()
    assert [i.origin for i in window.form.strip.items] == ["draft", "asked"]  # the draft's shot, then the new one


def test_after_submit_the_next_report_starts_clean(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                                  admin: AdminConfig) -> None:
    from report.report_helpers import has_color, submit_and_wait, type_into

    screens = Screens()
    app = _started(qtbot, apps, paths, admin, WindowKeeper(capture=screens))
    _prebuilt(app)
    first = _open(qtbot, app)
    type_into(qtbot, first.form.problem.summary, "Monitor flickers")
    result = submit_and_wait(qtbot, first)
    assert result.outcome is Outcome.QUEUED  # offline: kept in the outbox, the draft dropped
    first.close()
    qtbot.waitUntil(lambda: app.windows.prebuilt is not None, timeout=15_000)
    assert app.windows.report is None  # the closed window (and its screenshots) went at the rebuild

    screens.color = BLUE
    second = _open(qtbot, app)
    assert second is not first
    assert second.form.problem.summary.text() == "" and second.notice.text() == ""
    (shot,) = second.form.strip.items
    assert shot.origin == "asked" and has_color(shot.picture, BLUE) and not has_color(shot.picture, WHITE)
    assert second.stack.currentIndex() == 0 and second.finished_result is None


def test_after_closing_an_untouched_report_the_next_is_clean(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                                            admin: AdminConfig) -> None:
    app = _started(qtbot, apps, paths, admin)
    _prebuilt(app)
    first = _open(qtbot, app)
    first.close()
    qtbot.waitUntil(lambda: app.windows.prebuilt is not None, timeout=15_000)
    second = _open(qtbot, app)
    assert second is not first and [i.origin for i in second.form.strip.items] == ["asked"]
    assert not (paths.drafts / "draft.json").exists()


def test_built_once_the_outbox_opens_when_asked_before(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                                       admin: AdminConfig) -> None:
    app = build_app(paths, admin, tray=False, windows=WindowKeeper(capture=Screens()))
    apps.append(app)
    assert not app.windows.prebuild()  # the outbox is not open yet
    app.start()
    qtbot.waitUntil(lambda: app.windows.prebuilt is not None, timeout=15_000)


def test_an_injected_factory_is_used_and_nothing_is_built_ahead(qtbot: Any, apps: list[IntakeApp],
                                                                paths: AppPaths, admin: AdminConfig) -> None:
    keeper = WindowKeeper(capture=Screens(), report_factory=lambda _app, shots: RecordingWindow(shots))
    app = _started(qtbot, apps, paths, admin, keeper)
    assert not keeper.prebuild() and keeper.prebuilt is None
    app._warm_up()  # what the warm-up timer runs
    assert keeper.prebuilt is None
    with qtbot.waitSignal(app.report_opened, timeout=10_000):
        app.request_report()
    window = keeper.report
    assert isinstance(window, RecordingWindow) and window.shots[0][0] == "Screen 1"
    window.close()
    assert not keeper.prebuild() and keeper.prebuilt is None


def test_nothing_is_built_while_a_report_is_open_or_when_quitting(qtbot: Any, apps: list[IntakeApp],
                                                                 paths: AppPaths, admin: AdminConfig) -> None:
    app = _started(qtbot, apps, paths, admin)
    window = _open(qtbot, app)
    assert not app.windows.prebuild() and app.windows.prebuilt is None  # open: it is the one in use
    window.hide()  # as while it grabs a screen for "add a screenshot": still in use
    assert not app.windows.prebuild() and app.windows.report is window
    window.show()
    app._warm_up()
    assert app.windows.prebuilt is None
    window.close()  # a rebuild is now due in a few seconds...
    app.shutdown()  # ...but the user quits first
    assert not app.windows.prebuild() and app.windows.prebuilt is None
    assert app.windows.report is None


def test_quitting_deletes_the_window_built_ahead(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                                 admin: AdminConfig) -> None:
    import shiboken6

    app = _started(qtbot, apps, paths, admin)
    prebuilt = _prebuilt(app)
    app.shutdown()
    assert app.windows.prebuilt is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(prebuilt), timeout=5000)  # deleteLater ran


def test_a_prebuilt_window_that_no_longer_fits_is_replaced(qtbot: Any, apps: list[IntakeApp], paths: AppPaths,
                                                          admin: AdminConfig) -> None:
    import shiboken6

    app = _started(qtbot, apps, paths, admin)
    prebuilt = _prebuilt(app)
    app._report_services = None  # the services are built anew: another draft store than the one wired in
    window = _open(qtbot, app)
    assert window is not prebuilt and window.offered
    assert [(i.label, i.origin) for i in window.form.strip.items] == [("Screen 1", "asked")]
    qtbot.waitUntil(lambda: not shiboken6.isValid(prebuilt), timeout=5000)  # the stale one is deleted
