"""``intake-app config check``: run for real, as a subprocess, and in-process for the exit codes."""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest

from helpers.memkeyring import MemoryKeyring
from intake_app.cli import config_cmd
from intake_app.logsetup import teardown_logging

TESTS_DIR = Path(__file__).resolve().parents[1]
ENROLMENT_KEY = "ek-acme-5b2e9f71c3"
GOOD = f"""\
schema_version = 1
[service]
url = "https://intake.example.com"
enrolment_key = "{ENROLMENT_KEY}"
[branding]
product_name = "Acme Help"
[probes]
public_ip = true
[app]
hotkey = "Ctrl+F12"
"""


@pytest.fixture
def admin_file(tmp_path: Path) -> Path:
    path = tmp_path / "etc" / "intake.toml"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    return path


def run_cli(*args: str, keyring_backend: str = "helpers.memkeyring.FileKeyring",
            tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)  # carries the per-test INTAKE_BASEDIR and XDG_* isolation
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS_DIR), env.get("PYTHONPATH")]))
    env["PYTHON_KEYRING_BACKEND"] = keyring_backend
    env["TEST_KEYRING_FILE"] = str(tmp_path / "keyring.json")
    return subprocess.run([sys.executable, "-m", "intake_app", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60, check=False)


def test_good_file_prints_values_origins_and_exits_0(admin_file: Path, tmp_path: Path) -> None:
    result = run_cli("--config", str(admin_file), "config", "check", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"Admin file: {admin_file}" in out
    assert "service.url" in out and "https://intake.example.com   [admin file [service] url]" in out
    assert "probes.public_ip           true   [admin file [probes] public_ip]" in out
    assert "app.log_level              INFO   [default]" in out
    assert "ek-a…(18 characters)" in out and ENROLMENT_KEY not in out + result.stderr
    assert "Device token: not stored (not enrolled yet); kept in: memkeyring FileKeyring" in out
    assert f"config    {tmp_path / 'app' / 'config'}" in out
    assert "Result: OK" in out
    assert result.stderr == ""


def test_json_report_never_holds_secrets(admin_file: Path, tmp_path: Path) -> None:
    token = "dev-token-9f8e7d6c5b4a"
    keyring_file = tmp_path / "keyring.json"
    keyring_file.write_text(json.dumps({"intake-app\x00https://intake.example.com": token}), encoding="utf-8")
    result = run_cli("--config", str(admin_file), "config", "check", "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["admin_file"] == str(admin_file) and report["demo_mode"] is False
    assert report["values"]["service.url"] == {"value": "https://intake.example.com",
                                               "origin": f"{admin_file}: [service] url"}
    assert report["values"]["service.enrolment_key"]["value"] == "ek-a…(18 characters)"
    assert report["values"]["app.screenshot_budget_mib"] == {"value": 20, "origin": "default"}
    assert report["keyring"] == {"backend": "memkeyring FileKeyring", "fallback_file": False, "token_stored": True}
    assert [c["source"] for c in report["lookup"]][:2] == ["--config", "$INTAKE_CONFIG"]
    assert token not in result.stdout and ENROLMENT_KEY not in result.stdout


def test_broken_file_prints_one_message_naming_file_and_key(admin_file: Path, tmp_path: Path) -> None:
    admin_file.write_text(GOOD.replace('product_name = "Acme Help"', 'accent_color = "red"'), encoding="utf-8")
    result = run_cli("--config", str(admin_file), "config", "check", tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (f'intake-app: {admin_file}: [branding] accent_color: expected a colour written '
                             f'"#rrggbb" (e.g. "#2f6fdf"), got "red"\n')


def test_syntax_error_names_the_line(admin_file: Path, tmp_path: Path) -> None:
    admin_file.write_text(GOOD + "autostart = maybe\n", encoding="utf-8")
    result = run_cli("--config", str(admin_file), "config", "check", tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"intake-app: {admin_file}: line 11, column 13: TOML syntax error: ")


def test_no_file_is_demo_mode(tmp_path: Path) -> None:
    result = run_cli("config", "check", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Admin file: none: demo mode" in result.stdout


def test_fallback_token_file_is_a_warning_not_a_failure(admin_file: Path, tmp_path: Path) -> None:
    result = run_cli("--config", str(admin_file), "config", "check", tmp_path=tmp_path,
                     keyring_backend="keyring.backends.fail.Keyring")
    assert result.returncode == 0, result.stderr
    token_file = tmp_path / "app" / "data" / "device-token"
    assert f"kept in: file {token_file} (no OS keyring; fail Keyring)" in result.stdout
    assert f"WARNING: No OS keyring is available (fail Keyring): the device token is kept in {token_file}" \
        in result.stdout


@pytest.fixture
def in_process() -> Iterator[None]:
    """config_cmd.run sets up logging like the real command; undo it afterwards."""
    level = logging.getLogger().level
    yield
    teardown_logging()
    logging.getLogger().setLevel(level)


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("the login keyring is locked")


def test_problems_exit_1_and_are_listed(admin_file: Path, in_process: None,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    keyring.set_keyring(LockedKeyring())
    args = argparse.Namespace(basedir=None, config_file=str(admin_file), json=False, config_action="check")
    assert config_cmd.run("config", args) == 1
    out = capsys.readouterr().out
    assert "ERROR: Could not read the device token from the keyring (the login keyring is locked)." in out
    assert "Result: 1 problem(s) to fix" in out


def test_warnings_are_one_list_and_still_exit_0(admin_file: Path, in_process: None, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    admin_file.write_text(GOOD.replace("https://intake.example.com", "http://intake.example.com")
                          + "colour = 1\n", encoding="utf-8")
    shadowed = tmp_path / "app" / "config" / "intake.toml"
    shadowed.parent.mkdir(parents=True)
    shadowed.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("INTAKE_CONFIG", str(admin_file))
    args = argparse.Namespace(basedir=None, config_file=None, json=False, config_action="check")
    assert config_cmd.run("config", args) == 0
    out = capsys.readouterr().out
    problems = out.split("Problems:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert problems == [
        f"  WARNING: {admin_file}: [app] colour: unknown key (ignored); known: hotkey, autostart, log_level, "
        "screenshot_budget_mib",
        f"  WARNING: {shadowed} (user config dir) is not used: {admin_file} comes first in the lookup order",
        "  WARNING: [service] url http://intake.example.com is plain http://: tokens and tickets travel "
        "unencrypted; use https://",
    ]
    assert "Result: OK" in out


def test_hotkey_state_of_the_running_app_is_shown(admin_file: Path, in_process: None, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    runtime = tmp_path / "app" / "runtime"
    runtime.mkdir(parents=True)
    status = {"hotkey": "Ctrl+F12", "active": False, "reason": "another program has it", "pid": os.getpid()}
    (runtime / "hotkey-status.json").write_text(json.dumps(status), encoding="utf-8")
    args = argparse.Namespace(basedir=None, config_file=str(admin_file), json=False, config_action="check")
    assert config_cmd.run("config", args) == 0
    out = capsys.readouterr().out
    assert f"Running app: pid {os.getpid()}; hotkey Ctrl+F12 off" in out
    assert "WARNING: the hotkey Ctrl+F12 is not active in the running app: another program has it" in out


def test_a_stale_hotkey_status_means_not_running(admin_file: Path, in_process: None, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    runtime = tmp_path / "app" / "runtime"
    runtime.mkdir(parents=True)
    status = {"hotkey": "Ctrl+F12", "active": False, "reason": "x", "pid": int(gone.stdout)}
    (runtime / "hotkey-status.json").write_text(json.dumps(status), encoding="utf-8")
    args = argparse.Namespace(basedir=None, config_file=str(admin_file), json=False, config_action="check")
    assert config_cmd.run("config", args) == 0
    out = capsys.readouterr().out
    assert "Running app: not running" in out and "hotkey Ctrl+F12" not in out
