"""macOS LaunchAgent autostart: real property-list files under a temp home and a temp system root."""

from __future__ import annotations

import plistlib
import stat
from pathlib import Path

import pytest

from intake_app.platform import autostart
from intake_app.platform.autostart import AutostartError
from intake_app.platform.autostart_macos import LABEL, MacAutostart

BUNDLE = "/Applications/Intake App/intake-app/intake-app"


@pytest.fixture
def mac(tmp_path: Path) -> MacAutostart:
    return MacAutostart(home=tmp_path / "Users" / "dana", system_root=tmp_path / "root")


def test_enable_writes_a_launch_agent_launchd_can_load(mac: MacAutostart) -> None:
    state = autostart.enable([BUNDLE, "--config", "/Library/Application Support/intake-app/intake.toml"],
                             backend=mac)

    assert state.enabled and state.scope == "user" and state.program == BUNDLE
    assert mac.user_file == mac.home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
    agent = plistlib.loads(mac.user_file.read_bytes())
    assert agent == {
        "Label": LABEL,
        "ProgramArguments": [BUNDLE, "--config", "/Library/Application Support/intake-app/intake.toml"],
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": ["Aqua"],
    }
    mode = stat.S_IMODE(mac.user_file.stat().st_mode)
    assert mode & (stat.S_IWGRP | stat.S_IWOTH) == 0  # launchd ignores group/world-writable agents
    assert mac.user_file.read_bytes().startswith(b"<?xml")


def test_disable_removes_the_agent(mac: MacAutostart) -> None:
    autostart.enable([BUNDLE], backend=mac)
    state = autostart.disable(mac)
    assert not state.enabled and state.scope == "none"
    assert not mac.user_file.exists()


def test_all_users_agent_is_not_duplicated_and_opt_out_is_explained(mac: MacAutostart) -> None:
    mac.system_file.parent.mkdir(parents=True)
    mac.system_file.write_bytes(plistlib.dumps({"Label": LABEL, "ProgramArguments": [BUNDLE], "RunAtLoad": True}))

    state = autostart.enable([BUNDLE], backend=mac)
    assert state.enabled and state.scope == "system" and state.location == str(mac.system_file)
    assert not mac.user_file.exists()

    off = autostart.disable(mac)
    assert off.enabled and off.scope == "system"
    assert f"launchctl disable gui/$(id -u)/{LABEL}" in off.note


def test_an_agent_the_user_disabled_is_reported_off(mac: MacAutostart) -> None:
    mac.user_file.parent.mkdir(parents=True)
    mac.user_file.write_bytes(plistlib.dumps({"Label": LABEL, "ProgramArguments": [BUNDLE], "RunAtLoad": True,
                                              "Disabled": True}))
    state = autostart.current(mac)
    assert not state.enabled and state.scope == "user" and "disabled" in state.note
    assert not autostart.apply(True, [BUNDLE], backend=mac).enabled  # the user's own switch stands


@pytest.mark.parametrize("content", [b"not a plist", plistlib.dumps(["a", "list"])])
def test_a_broken_agent_is_named_in_the_error(mac: MacAutostart, content: bytes) -> None:
    mac.user_file.parent.mkdir(parents=True)
    mac.user_file.write_bytes(content)
    with pytest.raises(AutostartError, match=rf"{LABEL}\.plist .*remove it"):
        autostart.current(mac)


def test_an_unwritable_launch_agents_folder_gives_a_clear_error(mac: MacAutostart) -> None:
    (mac.home / "Library").mkdir(parents=True)
    (mac.home / "Library" / "LaunchAgents").write_text("a file where the folder should be")
    with pytest.raises(AutostartError, match="Cannot write the login entry"):
        autostart.enable([BUNDLE], backend=mac)
