"""XDG autostart, for real: files in this test's XDG folders, checked by desktop-file-validate and by GLib.

GLib's ``gio launch`` parses and runs an entry the way GNOME's session does
at login, so a quoting mistake in ``Exec`` shows up here as wrong arguments.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intake_app.platform import autostart, desktop_entry
from intake_app.platform.autostart import AutostartError
from intake_app.platform.autostart_linux import LinuxAutostart
from intake_app.platform.executable import app_command
from ship.conftest import Xdg, desktop_file_validate, run_cli

TRICKY = ["a b", "it's", 'say "hi"', "$HOME", "100%", "back\\slash", "~user", "semi;colon", "tab\there", "ünï"]


def test_enable_writes_a_valid_entry_that_runs_the_current_program(xdg: Xdg) -> None:
    state = autostart.enable(backend=xdg.backend())

    assert state.enabled and state.scope == "user"
    assert state.location == str(xdg.user_entry)
    result = desktop_file_validate(xdg.user_entry)
    assert result.returncode == 0, result.stdout + result.stderr
    fields = desktop_entry.parse(xdg.user_entry.read_text(encoding="utf-8"))
    assert fields["Type"] == "Application"
    assert desktop_entry.split_exec(fields["Exec"]) == [sys.executable, "-m", "intake_app"]
    assert autostart.current(xdg.backend()) == state


def test_frozen_bundle_entry_points_at_the_bundle_executable(xdg: Xdg) -> None:
    command = app_command(frozen=True, executable="/opt/Intake App/intake-app", gui=True)
    autostart.enable(command, backend=xdg.backend())

    fields = desktop_entry.parse(xdg.user_entry.read_text(encoding="utf-8"))
    assert fields["Exec"] == '"/opt/Intake App/intake-app"'
    assert desktop_entry.split_exec(fields["Exec"]) == ["/opt/Intake App/intake-app"]
    assert desktop_file_validate(xdg.user_entry).returncode == 0


def test_glib_launches_the_entry_with_exactly_our_arguments(xdg: Xdg, tmp_path: Path) -> None:
    gio = shutil.which("gio")
    if gio is None:
        pytest.skip("gio (Debian libglib2.0-bin) not installed: cannot launch the entry like a session does")
    out = tmp_path / "argv.json"
    script = tmp_path / "dir with 'quotes' & $igns" / "echo_args.py"
    script.parent.mkdir()
    script.write_text(f"import json, sys\nopen({str(out)!r}, 'w').write(json.dumps(sys.argv[1:]))\n")
    autostart.enable([sys.executable, str(script), *TRICKY], backend=xdg.backend())
    assert desktop_file_validate(xdg.user_entry).returncode == 0

    subprocess.run([gio, "launch", str(xdg.user_entry)], check=True, timeout=30, capture_output=True)
    for _ in range(200):  # gio returns once the child is spawned, not when it is done
        if out.exists() and out.read_text():
            break
        time.sleep(0.05)
    assert json.loads(out.read_text()) == TRICKY


def test_disable_removes_the_user_entry_and_is_idempotent(xdg: Xdg) -> None:
    backend = xdg.backend()
    autostart.enable(backend=backend)
    assert xdg.user_entry.exists()

    state = autostart.disable(backend)
    assert not state.enabled and state.scope == "none"
    assert not xdg.user_entry.exists()
    assert autostart.disable(backend) == state


def test_all_users_entry_is_reported_not_duplicated_and_can_be_switched_off_per_user(xdg: Xdg) -> None:
    system_command = ["/opt/intake-app/intake-app"]
    xdg.system_entry.parent.mkdir(parents=True)
    xdg.system_entry.write_text(desktop_entry.render(
        {"Type": "Application", "Name": "Intake", "Exec": desktop_entry.quote_exec(system_command)}))
    backend = xdg.backend()

    state = autostart.enable(backend=backend)
    assert state.enabled and state.scope == "system" and state.location == str(xdg.system_entry)
    assert not xdg.user_entry.exists()

    off = autostart.disable(backend)
    assert not off.enabled and off.scope == "user"
    assert "all-users" in off.note
    fields = desktop_entry.parse(xdg.user_entry.read_text(encoding="utf-8"))
    assert fields["Hidden"] == "true"  # the XDG way to switch a system entry off for one user
    assert desktop_file_validate(xdg.user_entry).returncode == 0

    on = autostart.enable(backend=backend)  # a user entry with the same name replaces the system one
    assert on.enabled and on.scope == "user"
    assert "Hidden" not in desktop_entry.parse(xdg.user_entry.read_text(encoding="utf-8"))


def test_config_home_defaults_to_dot_config_and_relative_values_are_ignored(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for env in ({}, {"XDG_CONFIG_HOME": ""}, {"XDG_CONFIG_HOME": "relative/dir"}):
        backend = LinuxAutostart(env=env, home=home)
        assert backend.user_file == home / ".config" / "autostart" / "intake-app.desktop"
    system = LinuxAutostart(env={"XDG_CONFIG_DIRS": "/a:relative:/b"}, home=home).system_files()
    assert system == [Path("/a/autostart/intake-app.desktop"), Path("/b/autostart/intake-app.desktop")]
    assert LinuxAutostart(env={}, home=home).system_files() == [Path("/etc/xdg/autostart/intake-app.desktop")]


def test_an_unwritable_autostart_folder_gives_a_clear_error(xdg: Xdg) -> None:
    xdg.config_home.write_text("a file where the folder should be")
    with pytest.raises(AutostartError, match=r"Cannot write the login entry .*intake-app\.desktop"):
        autostart.enable(backend=xdg.backend())


def test_a_broken_entry_is_named_in_the_error(xdg: Xdg) -> None:
    xdg.user_entry.parent.mkdir(parents=True)
    xdg.user_entry.write_bytes(b"[Desktop Entry]\nExec\xff\xfe\n")
    with pytest.raises(AutostartError, match=r"intake-app\.desktop cannot be read.*remove it"):
        autostart.current(xdg.backend())


def test_cli_on_status_off(xdg: Xdg, tmp_path: Path) -> None:
    portable = tmp_path / "portable base"
    on = run_cli("--basedir", str(portable), "autostart", "on")
    assert on.returncode == 0, on.stderr
    assert "Start at login: on (for this user)" in on.stdout
    fields = desktop_entry.parse(xdg.user_entry.read_text(encoding="utf-8"))
    assert desktop_entry.split_exec(fields["Exec"]) == [sys.executable, "-m", "intake_app",
                                                        "--basedir", str(portable.resolve())]

    status = run_cli("autostart", "status", "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["enabled"] is True and data["scope"] == "user" and data["location"] == str(xdg.user_entry)

    off = run_cli("autostart", "off")
    assert off.returncode == 0, off.stderr
    assert off.stdout.startswith("Start at login: off")
    assert not xdg.user_entry.exists()


def test_cli_rejects_an_unknown_action(xdg: Xdg) -> None:
    bad = run_cli("autostart", "sometimes")
    assert bad.returncode == 2
    assert "invalid choice" in bad.stderr
    assert not xdg.user_entry.exists()


def test_cli_warns_when_the_admin_file_will_undo_the_choice(xdg: Xdg, tmp_path: Path) -> None:
    admin = tmp_path / "intake.toml"
    admin.write_text('[service]\nurl = "https://intake.example.com"\n[app]\nautostart = false\n', encoding="utf-8")

    on = run_cli("--config", str(admin), "autostart", "on")
    assert on.returncode == 0, on.stderr
    assert "admin file" in on.stdout and "turns starting at login off" in on.stdout
    assert str(admin) in on.stdout

    quiet = run_cli("--config", str(admin), "autostart", "off", "--json")
    assert json.loads(quiet.stdout)["admin_note"] == ""  # it agrees with the admin file


def test_cli_still_works_with_a_broken_admin_file(xdg: Xdg, tmp_path: Path) -> None:
    admin = tmp_path / "intake.toml"
    admin.write_text("[app]\nautostart = maybe\n", encoding="utf-8")
    on = run_cli("--config", str(admin), "autostart", "on")
    assert on.returncode == 0, on.stderr
    assert xdg.user_entry.exists()
