"""Fixtures for the My tickets tests: the real service on loopback, real users, a real task runner.

* ``live`` (session): ``intake-app serve --demo --port 0 --data <tmp>`` as a subprocess, a technician
  token (``intake-app admin technician add``), and the company's primary IT contact (in demo mode the
  first user to enrol), verified. Every test files its own tickets as its own user.
* ``user``: a newly enrolled user (not the primary contact) with the real ``ApiClient``.
* ``tickets``: the real :class:`TicketsFeature` (refresher + window) for ``user``, with the app's
  real ``Notifier``; stopped and the runner shut down at the end, then the gui conftest's leak check
  fails the test on any thread, pool or timer left behind.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from client.live_service import ServiceProcess, subprocess_env
from PySide6.QtCore import QThreadPool, QUrl
from tickets_helpers import Tech

from intake_app.client.api import ApiClient
from intake_app.client.outbox import Outbox
from intake_app.paths import AppPaths
from intake_app.ui.notifier import Notifier
from intake_app.ui.tasks import TaskRunner
from intake_app.ui.tickets.feature import TicketsFeature

_numbers = itertools.count(1)


@dataclass
class Live:
    service: ServiceProcess
    tech: Tech
    boss: ApiClient
    boss_email: str
    clients: list[ApiClient] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.service.url

    def enrol(self, name: str, email: str, *, verify: bool = False) -> ApiClient:
        answer = ApiClient(self.url).enroll("demo", device_name=f"PC-{next(_numbers):03d}", user_name=name,
                                            user_email=email)
        api = ApiClient(self.url, token=answer["token"])
        self.clients.append(api)
        if verify:
            assert api.verify_start(email).get("verified") is True  # demo mode verifies at once
        return api


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("tickets-live")
    env = subprocess_env(root / "base", root / "keyring.json")
    # The background sync is slowed to once an hour: every change in these tests refreshes the service's
    # cache itself, and a sync pass that read a ticket just before a technician's change writes the old
    # values back for a moment (reported to the service; it would make these tests flaky, not wrong).
    service = ServiceProcess(root / "service", env, demo=True, extra_args=("--sync-interval", "3600"))
    service.start()
    live: Live | None = None
    try:
        token = service.admin("technician", "add", "Tess").stdout.strip().splitlines()[0].strip()
        boss_email = "boss@demo.example"
        boss_enrolled = ApiClient(service.url).enroll("demo", device_name="PC-BOSS", user_name="Pat Primary",
                                                     user_email=boss_email)
        boss = ApiClient(service.url, token=boss_enrolled["token"])
        live = Live(service, Tech(service.url, token), boss, boss_email, [boss])
        assert boss.verify_start(boss_email).get("verified") is True  # demo mode verifies at once
        assert boss.me()["user"]["role"] == "primary_contact"  # the first user to enrol, in demo mode
        yield live
    finally:
        for api in live.clients if live is not None else ():
            api.close()
        service.stop()


@pytest.fixture
def user(live: Live) -> ApiClient:
    number = next(_numbers)
    return live.enrol(f"User {number}", f"user{number}@demo.example")


@pytest.fixture
def runner(qapp: Any) -> Iterator[TaskRunner]:
    baseline = {t for t in threading.enumerate() if not t.daemon}
    tasks = TaskRunner()
    yield tasks
    assert tasks.shutdown(30_000), "background work still running at the end of the test"
    assert tasks.pending() == 0
    assert QThreadPool.globalInstance().waitForDone(5000)
    leaked = {t for t in threading.enumerate() if not t.daemon and t.is_alive()} - baseline
    assert not leaked, f"threads left running: {leaked}"
    tasks.deleteLater()


@pytest.fixture
def outbox(paths: AppPaths) -> Iterator[Outbox]:
    box = Outbox.open(paths)
    yield box
    box.close()


class Opened:
    """Stands in for QDesktopServices.openUrl: the desktop's viewer cannot run here; records what was opened."""

    def __init__(self) -> None:
        self.urls: list[QUrl] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url)
        return True


@dataclass
class TicketsUi:
    feature: TicketsFeature
    notifier: Notifier
    opened: Opened

    @property
    def refresher(self) -> Any:
        return self.feature.refresher

    @property
    def window(self) -> Any:
        return self.feature.get_window()


@pytest.fixture
def make_tickets(qtbot: Any, runner: TaskRunner, tmp_path: Path) -> Iterator[Callable[..., TicketsUi]]:
    made: list[TicketsUi] = []

    def make(api: Any, *, outbox: Any = None, show: bool = True, provider: Callable[[], Any] | None = None
             ) -> TicketsUi:
        notifier = Notifier("Intake")
        opened = Opened()
        feature = TicketsFeature(runner, provider or (lambda: api), lambda: outbox,
                                 attachments_root=tmp_path / "open", open_url=opened)
        feature.connect_notifier(notifier)
        ui = TicketsUi(feature, notifier, opened)
        made.append(ui)
        if show:
            window = ui.window
            window.show()
            qtbot.waitExposed(window)
        return ui

    yield make
    for ui in made:
        ui.feature.stop()
        assert not ui.refresher.timer.isActive()
        assert runner.wait(30_000)
        ui.notifier.deleteLater()
        ui.feature.deleteLater()
