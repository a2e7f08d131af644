"""Smoke-run the *built* PyInstaller bundle (STYLE habit 15), with dialogs suppressed.

Everything runs the frozen executable, never the source: ``--version``,
``diagnostics --json``, the service (``serve --demo`` from the bundle) with the
bundle's own ``enroll`` and ``submit``, and the tray icon docking in trayer on
a private Xvfb, with the demo service it starts as ``intake-app serve`` (the
same executable). Building takes minutes, so the bundle is reused when it is
newer than the sources and built only when ``INTAKE_BUNDLE_SMOKE=1``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

from intake_app import __version__
from ship import bundle
from ship.xsession import XSession, missing_tools

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def executable() -> Path:
    if not bundle.is_fresh():
        if os.environ.get(bundle.OPT_IN_ENV) != "1":
            pytest.skip(f"bundle not current ({bundle.stale_reason()}); building takes minutes: set "
                        f"{bundle.OPT_IN_ENV}=1 to build and smoke-test it")
        bundle.build()
    return bundle.EXECUTABLE


@pytest.fixture
def env(isolated_basedir: Path) -> dict[str, str]:
    """The test's isolated dirs; no session bus and no keyring override, like a fresh headless login."""
    drop = ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "QT_QPA_PLATFORM", "PYTHONPATH")
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(executable: Path, *args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(executable), "--no-dialogs", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=executable.parent)


def test_version_and_build_stamp(executable: Path, env: dict[str, str]) -> None:
    result = run(executable, "--version", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"intake-app {__version__}"
    stamp = json.loads((executable.parent / "BUILD-INFO.json").read_text(encoding="utf-8"))
    assert stamp["version"] == __version__ and stamp["form"] == "onedir" and stamp["git"]


def test_diagnostics_json(executable: Path, env: dict[str, str]) -> None:
    result = run(executable, "diagnostics", "--json", env=env)
    assert result.returncode == 0, result.stderr
    snapshot = json.loads(result.stdout)
    versions = snapshot["probes"]["versions"]
    assert versions["frozen"] is True and versions["app"] == __version__
    assert not versions["qt"].startswith("unavailable")  # package metadata travelled with the bundle


@pytest.fixture
def service(executable: Path, env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """``intake-app serve --demo --port 0`` run from the bundle (migrations, FastAPI, uvicorn frozen)."""
    ready = tmp_path / "service.ready"
    log = (tmp_path / "service.log").open("wb")
    proc = subprocess.Popen([str(executable), "serve", "--port", "0", "--data", str(tmp_path / "svc"), "--demo",
                             "--ready-file", str(ready)], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 90
        while not (ready.exists() and ready.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the bundled service did not start:\n{(tmp_path / 'service.log').read_text()[-3000:]}")
            time.sleep(0.1)
        yield ready.read_text().strip()
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def test_headless_enroll_and_submit_through_the_bundled_service(executable: Path, env: dict[str, str],
                                                                 service: str, tmp_path: Path) -> None:
    admin = tmp_path / "intake.toml"
    admin.write_text(f'[service]\nurl = "{service}"\nenrolment_key = "demo"\n', encoding="utf-8")

    enrolled = run(executable, "--config", str(admin), "enroll", "--name", "Dana Smoke", "--email",
                   "dana@example.com", "--json", env=env)
    assert enrolled.returncode == 0, enrolled.stderr
    assert json.loads(enrolled.stdout)["company"] == "Demo company"

    submitted = run(executable, "--config", str(admin), "submit", "--summary", "Printer says PC LOAD LETTER",
                    "--description", "smoke test", "--json", env=env)
    assert submitted.returncode == 0, submitted.stderr
    receipt = json.loads(submitted.stdout)
    assert receipt["state"] == "sent" and receipt["helpdesk_id"], receipt

    listed = run(executable, "--config", str(admin), "tickets", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    numbers = [t["helpdesk_id"] for t in json.loads(listed.stdout)["tickets"]]
    assert receipt["helpdesk_id"] in numbers


@pytest.mark.tray
def test_tray_icon_docks_and_the_demo_service_runs_from_the_bundle(executable: Path, env: dict[str, str],
                                                                    isolated_basedir: Path) -> None:
    if missing_tools():
        pytest.skip(f"needs {', '.join(missing_tools())} (Debian: xvfb trayer x11-utils)")
    with XSession() as x:
        app = subprocess.Popen([str(executable), "--no-dialogs"], env=env | {"DISPLAY": x.display},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            x.wait_for(x.is_docked, 60, "the bundle's tray icon to dock in trayer")
            state_file = isolated_basedir / "data" / "demo-service" / "demo-service.json"
            x.wait_for(state_file.exists, 90, f"the demo service ({state_file})")
            recorded = json.loads(state_file.read_text(encoding="utf-8"))
            child = psutil.Process(recorded["pid"])
            assert child.ppid() == app.pid
            assert child.cmdline()[:3] == [str(executable), "serve", "--demo"]  # same executable, no python
            assert requests.get(recorded["url"] + "/api/v1/openapi.json", timeout=10).status_code == 200
        finally:
            app.send_signal(signal.SIGTERM)
            _, stderr = app.communicate(timeout=60)
        assert app.returncode == 0, stderr.decode(errors="replace")[-3000:]
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


def test_without_a_display_the_bundle_points_to_the_command_line(executable: Path, env: dict[str, str]) -> None:
    no_display = {k: v for k, v in env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = run(executable, env=no_display)
    assert result.returncode == 2
    assert "intake-app submit --help" in result.stderr


def test_an_admin_file_next_to_the_executable_is_used(executable: Path, env: dict[str, str]) -> None:
    """Lookup step 3: a portable or silent install can drop intake.toml beside the program."""
    beside = executable.parent / "intake.toml"
    assert not beside.exists(), f"{beside} left over from an earlier run"
    beside.write_text('[service]\nurl = "https://intake.example.com"\nenrolment_key = "k-123456"\n'
                      '[branding]\nproduct_name = "Contoso IT Help"\n', encoding="utf-8")
    try:
        result = run(executable, "config", "check", env=env)
    finally:
        beside.unlink()
    assert f"Admin file: {beside}" in result.stdout, result.stdout
    assert "Contoso IT Help" in result.stdout
