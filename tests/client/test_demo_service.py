"""The demo service child: started, reused, stopped, and never left behind (checked with psutil)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

from intake_app.client.api import ApiClient
from intake_app.client.demo import DemoError, DemoService
from intake_app.paths import AppPaths
from live_service import REPO, processes_mentioning, wait_until


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def answers(url: str) -> bool:
    with ApiClient(url) as api:
        return api.ping()


def test_start_then_stop_leaves_no_process(paths: AppPaths) -> None:
    service = DemoService(paths)
    url = service.start()
    try:
        assert service.owned and answers(url)
        child = psutil.Process(service.pid)  # type: ignore[arg-type]
        assert "serve" in child.cmdline() and str(paths.demo_service) in child.cmdline()
        assert child.ppid() == os.getpid()
    finally:
        service.stop()
    assert gone(child.pid)
    assert processes_mentioning(str(paths.demo_service)) == []
    assert not (paths.demo_service / "demo-service.json").exists()


def test_a_second_user_reuses_the_running_service_and_does_not_stop_it(paths: AppPaths) -> None:
    first = DemoService(paths, owner="tray")
    url = first.start()
    try:
        second = DemoService(paths)
        assert second.start() == url and not second.owned and second.pid == first.pid
        second.stop()
        assert answers(url)
    finally:
        first.stop()
    assert processes_mentioning(str(paths.demo_service)) == []


DRIVER = textwrap.dedent("""
    import os, sys, threading, time
    from intake_app.client.demo import DemoService
    from intake_app.paths import user_paths
    service = DemoService(user_paths())
    if sys.argv[1] == "crash":   # started off the main thread (like the tray's worker): no PDEATHSIG
        worker = threading.Thread(target=service.start)
        worker.start()
        worker.join()
        print(service.pid, flush=True)
        os._exit(9)              # a crash: no atexit, no stop()
    service.start()
    print(service.pid, flush=True)
    if sys.argv[1] == "hang":
        time.sleep(600)
    # "exit": leave without stop(); atexit must end the child
""")


def run_driver(mode: str) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, mode], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip().isdigit(), f"driver failed: {line!r}"
    return proc, int(line)


def test_the_child_stops_when_its_parent_exits_without_stopping_it(paths: AppPaths) -> None:
    proc, child = run_driver("exit")
    proc.communicate(timeout=60)
    wait_until(lambda: gone(child), 30, "the demo service ending with its parent (atexit)")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG exists only on Linux")
def test_the_child_dies_with_a_killed_parent(paths: AppPaths) -> None:
    proc, child = run_driver("hang")
    proc.kill()  # SIGKILL: no atexit, no cleanup in the parent at all
    proc.communicate(timeout=60)
    wait_until(lambda: gone(child), 30, "the demo service ending with its SIGKILLed parent")
    assert processes_mentioning(str(paths.demo_service)) == []


def test_an_unusable_demo_folder_is_a_clear_error(paths: AppPaths) -> None:
    paths.demo_service.parent.mkdir(parents=True, exist_ok=True)
    paths.demo_service.write_text("not a folder")
    with pytest.raises(DemoError, match="cannot be created"):
        DemoService(paths).start()


def test_a_service_that_dies_at_start_is_reported_with_its_log(paths: AppPaths, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # a sitecustomize that exits makes the child fail at start-up: the launcher must say so, not hang
    broken = tmp_path / "sitecustomize.py"
    broken.write_text("raise SystemExit('demo child refuses to start')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(DemoError, match="stopped while starting") as info:
        DemoService(paths, startup_timeout=60).start()
    assert "service.log" in str(info.value)
    assert processes_mentioning(str(paths.demo_service)) == []


def test_a_service_left_by_a_crashed_starter_is_adopted_and_stopped(paths: AppPaths) -> None:
    proc, orphan = run_driver("crash")
    proc.communicate(timeout=60)
    assert not gone(orphan)  # nothing ended it: an orphan
    service = DemoService(paths)
    try:
        service.start()
        assert service.pid == orphan and service.owned
    finally:
        service.stop()
    wait_until(lambda: gone(orphan), 30, "the adopted demo service stopping")
    assert processes_mentioning(str(paths.demo_service)) == []
