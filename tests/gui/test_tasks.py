"""run_task: work on a worker, the result on the GUI thread; one outbox lane; clean shutdown."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QThread

from intake_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui


@pytest.fixture
def runner(qapp: Any) -> Any:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()
    tasks.deleteLater()


def test_fn_runs_on_a_worker_and_on_done_on_the_gui_thread(qtbot: Any, runner: TaskRunner) -> None:
    seen: dict[str, Any] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(result: Any, error: BaseException | None) -> None:
        seen["done"] = (result, error, threading.get_ident(),
                        QThread.currentThread() == QCoreApplication.instance().thread())

    runner.run_task(work, done)
    qtbot.waitUntil(lambda: "done" in seen)
    result, error, done_thread, on_gui = seen["done"]
    assert (result, error) == (42, None)
    assert on_gui and done_thread == threading.get_ident() != seen["worker"]
    assert runner.pending() == 0


def test_an_exception_in_fn_arrives_as_the_error(qtbot: Any, runner: TaskRunner) -> None:
    got: list[tuple[Any, BaseException | None]] = []

    def work() -> None:
        raise OSError("disk full")

    runner.run_task(work, lambda result, error: got.append((result, error)))
    qtbot.waitUntil(lambda: bool(got))
    assert got[0][0] is None and isinstance(got[0][1], OSError) and str(got[0][1]) == "disk full"


def test_outbox_tasks_run_one_at_a_time_in_order(qtbot: Any, runner: TaskRunner) -> None:
    order: list[int] = []
    active = {"now": 0, "max": 0}
    lock = threading.Lock()

    def write(n: int) -> int:
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        QThread.msleep(5)  # overlap would be visible if two ran at once
        with lock:
            active["now"] -= 1
        return n

    for n in range(10):
        runner.run_outbox_task(lambda n=n: write(n), lambda result, _e: order.append(result))
    qtbot.waitUntil(lambda: len(order) == 10)
    assert order == list(range(10)) and active["max"] == 1


def test_shutdown_waits_for_running_work_and_then_refuses_new_work(qtbot: Any, runner: TaskRunner) -> None:
    started, finished = threading.Event(), threading.Event()
    delivered: list[Any] = []

    def slow() -> str:
        started.set()
        QThread.msleep(100)
        finished.set()
        return "done"

    runner.run_task(slow, lambda r, _e: delivered.append(r), serial=True)
    assert started.wait(5)
    assert runner.shutdown() is True
    assert finished.is_set()  # shutdown returned only after the write finished
    assert runner.run_task(lambda: 1) is False
    qtbot.wait(20)
    assert delivered == []  # no callbacks after shutdown (windows may be gone)


def test_failed_task_without_on_done_is_logged(qtbot: Any, runner: TaskRunner, caplog: pytest.LogCaptureFixture) -> None:
    def boom() -> None:
        raise ValueError("lost?")

    runner.run_task(boom, name="unwatched")
    qtbot.waitUntil(lambda: runner.pending() == 0)
    assert "background task unwatched failed" in caplog.text
