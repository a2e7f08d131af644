"""The background jobs of an open (system information, monitors, draft read) start after the first paint.

The window shows their waiting state at once (Submit waits for system information, the form is disabled
while a draft is read), the jobs follow the first paint, and they still run when no paint comes (an
offered window that stays hidden) or the window closes first. Real task runner, draft store, probes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PIL import Image
from report_helpers import type_into

from intake_app.client.outbox import Outbox
from intake_app.diagnostics.settings import ProbeSettings
from intake_app.paths import AppPaths
from intake_app.ui.report.draft_store import DraftStore
from intake_app.ui.report.grabber import DiagnosticsGrabber
from intake_app.ui.report.ports import ReportServices
from intake_app.ui.report.window import ReportWindow
from intake_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

PROBES = ProbeSettings(enabled={"reachability": False, "public_ip": False})  # no real network here
SHOT = ("Screen 1", Image.new("RGB", (64, 48), (255, 255, 255)))


@pytest.fixture
def built(qtbot: Any, runner: TaskRunner, outbox: Outbox, paths: AppPaths) -> Iterator[ReportWindow]:
    services = ReportServices(runner=runner, outbox=outbox, drafts=DraftStore(paths.drafts),
                              grabber=DiagnosticsGrabber(), probe_settings=PROBES, computer_name=lambda: "PC-1")
    window = ReportWindow(services, open_now=False)
    qtbot.addWidget(window)
    window.grab()  # rendered once off-screen, as WindowKeeper.prebuild does: no jobs come of it
    yield window
    if shiboken6.isValid(window):
        window.close()


def _save_a_draft(qtbot: Any, make_window: Any, runner: TaskRunner) -> None:
    earlier = make_window()
    type_into(qtbot, earlier.form.problem.summary, "Printer jams on page 2")
    with qtbot.waitSignal(earlier.autosaver.saved, timeout=10_000):
        pass
    earlier.close()
    assert runner.wait(10_000)


def test_the_waiting_state_shows_at_once_and_the_jobs_follow_the_first_paint(qtbot: Any, built: ReportWindow,
                                                                            runner: TaskRunner) -> None:
    assert runner.pending() == 0
    built.offer([SHOT])
    assert built.system_info.collecting  # Submit already waits for it ...
    type_into(qtbot, built.form.problem.summary, "x")  # (the form is usable meanwhile)
    built.form.problem.summary.clear()
    assert [i.label for i in built.form.strip.items] == ["Screen 1"]
    assert runner.pending() == 0  # ... but nothing competes with the first paint
    built.show()
    qtbot.waitExposed(built)
    qtbot.waitUntil(lambda: not built.system_info.collecting, timeout=15_000)
    assert built.system_info.document is not None and built.system_info.error == ""
    qtbot.waitUntil(lambda: bool(built.form.strip.screen_menu.actions()), timeout=10_000)  # the monitor list
    assert not built._launch.isActive()


def test_submit_says_it_waits_for_system_information_until_it_arrives(qtbot: Any, built: ReportWindow) -> None:
    built.offer([SHOT])
    built.problems = {}
    assert built.submit_blocker() == "Collecting system information (a few seconds)…"
    built.show()
    qtbot.waitUntil(lambda: not built.system_info.collecting, timeout=15_000)
    built.problems = {}
    assert built.submit_blocker() == ""


def test_an_offered_window_that_is_never_shown_still_runs_its_jobs(qtbot: Any, built: ReportWindow) -> None:
    built.offer([SHOT])
    qtbot.waitUntil(lambda: not built.system_info.collecting, timeout=15_000)
    assert not built.isVisible() and built.system_info.document is not None
    qtbot.waitUntil(lambda: bool(built.form.strip.screen_menu.actions()), timeout=10_000)


def test_a_draft_is_read_after_the_first_paint_with_the_form_disabled_until_then(
        qtbot: Any, make_window: Any, built: ReportWindow, runner: TaskRunner) -> None:
    _save_a_draft(qtbot, make_window, runner)
    built.offer([SHOT])
    assert built.restoring and not built.form.isEnabled() and built.notice.text() == "Restoring your draft…"
    assert built.form.strip.items == []  # the new shot joins after the draft's
    with qtbot.waitSignal(built.draft_restored, timeout=15_000):
        built.show()
    assert not built.restoring and built.form.isEnabled()
    assert built.current_draft().summary == "Printer jams on page 2" and "was restored" in built.notice.text()
    assert [i.origin for i in built.form.strip.items] == ["asked"]


def test_closing_before_the_first_paint_starts_no_job_and_keeps_the_draft(
        qtbot: Any, make_window: Any, built: ReportWindow, runner: TaskRunner) -> None:
    """At quit the app closes every window: a window never painted must not start HTTP calls then."""
    _save_a_draft(qtbot, make_window, runner)
    built.offer([SHOT])
    assert built._pending_jobs
    restored: list[bool] = []
    built.draft_restored.connect(lambda: restored.append(True))
    queued = runner.pending()  # the draft saved just before may still be delivering
    built.close()
    assert not built._launch.isActive() and built._pending_jobs == []
    assert runner.pending() <= queued  # a started job would be queued on the runner right away
    assert restored == []
    assert built.services.drafts.exists()  # closing the report keeps the user's draft
