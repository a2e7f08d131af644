"""Keyring without a D-Bus session bus: the token goes straight to the 0600 file, keyring's backend scan is skipped.

``secrets.no_session_bus()`` decides from the environment only (platform, bus address, ``$XDG_RUNTIME_DIR/bus``,
an explicit keyring choice). Each test starts from "Linux, no bus, no choice" and flips one condition.
The autouse in-memory keyring of ``tests/conftest.py`` is an explicit choice (``set_keyring``), so the
``headless`` fixture takes it away for the test and puts it back afterwards.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from helpers.memkeyring import MemoryKeyring

from intake_app.config.secrets import TokenStore, active_backend, no_session_bus, third_party_backends_installed
from intake_app.paths import AppPaths, user_paths

TESTS_DIR = Path(__file__).resolve().parents[1]
URL = "https://intake.example.com"
TOKEN = "dev_tok_headless_51c0e2a9"
ADMIN = f"""\
schema_version = 1
[service]
url = "{URL}"
enrolment_key = "ek-acme-5b2e9f71c3"
"""


@pytest.fixture
def headless(memory_keyring: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Linux with no session bus and no keyring chosen; yields the (empty) runtime dir."""
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    runtime = tmp_path / "run"
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-home"))
    saved = keyring.core._keyring_backend  # conftest's set_keyring(); restored before conftest restores its own
    keyring.core._keyring_backend = None
    try:
        yield runtime
    finally:
        keyring.core._keyring_backend = saved


@pytest.fixture
def paths() -> AppPaths:
    return user_paths().ensure()


def write_keyringrc(config_home: Path) -> Path:
    path = config_home / "python_keyring" / "keyringrc.cfg"
    path.parent.mkdir(parents=True)
    path.write_text("[backend]\ndefault-keyring = helpers.memkeyring.MemoryKeyring\n", encoding="utf-8")
    return path


def test_no_bus_and_no_choice_means_the_private_file(headless: Path, paths: AppPaths) -> None:
    assert no_session_bus() is True
    store = TokenStore(paths, URL)
    assert keyring.core._keyring_backend is None  # keyring never scanned its backends
    assert store.uses_fallback_file
    assert store.backend_name() == f"file {paths.token_file} (no OS keyring; fail Keyring)"
    assert active_backend() == ("fail Keyring", True)
    assert store.get() is None
    store.set(TOKEN)
    assert stat.S_IMODE(paths.token_file.stat().st_mode) == 0o600
    assert json.loads(paths.token_file.read_text()) == {"schema_version": 1, "tokens": {URL: TOKEN}}
    assert TokenStore(paths, URL).get() == TOKEN
    assert any("No OS keyring is available (fail Keyring)" in text for text in store.warnings())
    store.delete()
    assert not paths.token_file.exists() and TokenStore(paths, URL).get() is None


def test_a_session_bus_address_means_ask_keyring(headless: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={headless / 'elsewhere'}")
    assert no_session_bus() is False


def test_an_empty_bus_address_counts_as_none(headless: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "")
    assert no_session_bus() is True


def test_the_default_bus_socket_in_the_runtime_dir_means_ask_keyring(headless: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as bus:  # what dbus-daemon / systemd --user make
        bus.bind(str(headless / "bus"))
        assert no_session_bus() is False


def test_a_bus_in_another_runtime_dir_does_not_count(headless: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (headless / "bus").write_text("")  # present, but XDG_RUNTIME_DIR names another folder below
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "other-run"))
    assert no_session_bus() is True
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert no_session_bus() is True


def test_python_keyring_backend_wins(headless: Path, paths: AppPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "helpers.memkeyring.MemoryKeyring")
    assert no_session_bus() is False
    store = TokenStore(paths, URL)  # keyring loads the named backend itself
    assert not store.uses_fallback_file and store.backend_name() == "memkeyring MemoryKeyring"
    store.set(TOKEN)
    assert not paths.token_file.exists()


def test_set_keyring_wins(headless: Path, paths: AppPaths) -> None:
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    assert no_session_bus() is False
    TokenStore(paths, URL).set(TOKEN)
    assert ring.store == {("intake-app", URL): TOKEN} and not paths.token_file.exists()


def test_a_keyringrc_in_xdg_config_home_wins(headless: Path, paths: AppPaths, tmp_path: Path) -> None:
    write_keyringrc(tmp_path / "xdg-home")
    assert no_session_bus() is False
    store = TokenStore(paths, URL)
    assert not store.uses_fallback_file and store.backend_name() == "memkeyring MemoryKeyring"


def test_a_keyringrc_in_home_config_wins_without_xdg_config_home(headless: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert no_session_bus() is True
    write_keyringrc(tmp_path / "home" / ".config")
    assert no_session_bus() is False
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-home"))  # keyring then looks only there
    assert no_session_bus() is True


@pytest.mark.parametrize("platform", ["win32", "darwin", "freebsd14", "cygwin"])
def test_other_platforms_always_ask_keyring(headless: Path, platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    assert no_session_bus() is False


# --- as the real command, across processes ---------------------------------------------------------------
def headless_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")}
    runtime = tmp_path / "child-run"
    runtime.mkdir(exist_ok=True)
    (tmp_path / "child-home").mkdir(exist_ok=True)
    env.update(XDG_RUNTIME_DIR=str(runtime), HOME=str(tmp_path / "child-home"),
               XDG_CONFIG_HOME=str(tmp_path / "xdg-home"))  # INTAKE_BASEDIR: the per-test one from conftest
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS_DIR), env.get("PYTHONPATH")]))
    return env


STORE = ("import sys\nfrom intake_app.config.secrets import TokenStore\nfrom intake_app.paths import user_paths\n"
         "store = TokenStore(user_paths().ensure(), sys.argv[1])\n")


def test_config_check_reports_the_file_and_a_token_survives_between_processes(tmp_path: Path) -> None:
    env = headless_env(tmp_path)
    admin = tmp_path / "intake.toml"
    admin.write_text(ADMIN, encoding="utf-8")
    token_file = tmp_path / "app" / "data" / "device-token"

    check = subprocess.run([sys.executable, "-m", "intake_app", "--config", str(admin), "config", "check", "--json"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False)
    assert check.returncode == 0, check.stderr
    report = json.loads(check.stdout)
    assert report["keyring"] == {"backend": f"file {token_file} (no OS keyring; fail Keyring)",
                                 "fallback_file": True, "token_stored": False}
    assert any(p["level"] == "warning" and "No OS keyring is available (fail Keyring)" in p["message"]
               for p in report["problems"])

    code = STORE + "store.set(sys.argv[2])\nprint(store.uses_fallback_file)\n"
    stored = subprocess.run([sys.executable, "-c", code, URL, TOKEN], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=60, check=False)
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.strip() == "True"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600

    code = STORE + "print('same' if store.get() == sys.argv[2] else 'different')\n"
    read = subprocess.run([sys.executable, "-c", code, URL, TOKEN], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=60, check=False)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "same"

    check = subprocess.run([sys.executable, "-m", "intake_app", "--config", str(admin), "config", "check", "--json"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False)
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout)["keyring"]["token_stored"] is True
    assert TOKEN not in check.stdout + check.stderr


def test_config_check_without_an_admin_file_names_the_fallback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "intake_app", "config", "check"], capture_output=True, text=True,
                            env=headless_env(tmp_path), cwd=tmp_path, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    token_file = tmp_path / "app" / "data" / "device-token"
    assert f"kept in: file {token_file} (no OS keyring; fail Keyring)" in result.stdout


def test_with_the_explicit_backend_the_child_uses_it(tmp_path: Path) -> None:
    """The same child environment plus PYTHON_KEYRING_BACKEND: no file (the choice wins over "no bus")."""
    env = {**headless_env(tmp_path), "PYTHON_KEYRING_BACKEND": "helpers.memkeyring.FileKeyring",
           "TEST_KEYRING_FILE": str(tmp_path / "keyring.json")}
    result = subprocess.run([sys.executable, "-c", STORE + "store.set(sys.argv[2])\nprint(store.backend_name())\n",
                             URL, TOKEN], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "memkeyring FileKeyring"
    assert not (tmp_path / "app" / "data" / "device-token").exists()
    assert json.loads((tmp_path / "keyring.json").read_text()) == {f"intake-app\x00{URL}": TOKEN}


def fake_distribution(site: Path, name: str, entry_points: str) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def test_an_installed_third_party_backend_means_ask_keyring(headless: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """keyrings.alt and friends need no bus, and a token stored there earlier must still be found."""
    site = tmp_path / "site"
    fake_distribution(site, "keyrings.alt", "[keyring.backends]\nfile = keyrings.alt.file\n")
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    assert third_party_backends_installed() is True
    assert no_session_bus() is False


def test_keyrings_own_backends_and_other_entry_points_do_not_count(tmp_path: Path) -> None:
    site = tmp_path / "site"
    fake_distribution(site, "keyring", "[keyring.backends]\nSecretService = keyring.backends.SecretService\n")
    fake_distribution(site, "something", "[console_scripts]\nsomething = something:main\n")
    (site / "broken-1.0.dist-info").mkdir()  # no entry_points.txt at all
    zipped = tmp_path / "bundle.zip"
    zipped.write_bytes(b"PK\x05\x06" + bytes(18))  # a zip on sys.path (as in a bundle) is not a folder
    assert third_party_backends_installed([str(site), str(zipped), str(tmp_path / "gone")]) is False
