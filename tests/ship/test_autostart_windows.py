"""Windows Run-key autostart against a dictionary-backed registry (winreg cannot run on Linux)."""

from __future__ import annotations

import pytest

from intake_app.platform import autostart
from intake_app.platform.autostart import AutostartError
from intake_app.platform.autostart_windows import APPROVED_KEY, RUN_KEY, WindowsAutostart
from intake_app.platform.executable import app_command
from ship.winreg_fake import REG_BINARY, FakeWinreg

HKCU, HKLM = FakeWinreg.HKEY_CURRENT_USER, FakeWinreg.HKEY_LOCAL_MACHINE
BUNDLE = r"C:\Program Files\Intake\intake-app.exe"


def test_enable_writes_the_run_value_quoted_for_a_path_with_spaces(winreg: FakeWinreg) -> None:
    backend = WindowsAutostart(winreg)
    state = autostart.enable(app_command(frozen=True, executable=BUNDLE, windows=True, gui=True), backend=backend)

    assert winreg.get(HKCU, RUN_KEY, "intake-app") == f'"{BUNDLE}"'
    assert state.enabled and state.scope == "user"
    assert state.location == rf"HKCU\{RUN_KEY}\intake-app"
    assert all(handle.closed for handle in winreg.open_handles)


def test_arguments_follow_the_windows_command_line_rules(winreg: FakeWinreg) -> None:
    autostart.enable([BUNDLE, "--basedir", "D:\\Intake data\\", "--config", r"C:\x\intake.toml"],
                     backend=WindowsAutostart(winreg))
    # a trailing backslash before the closing quote is doubled (CommandLineToArgvW)
    assert winreg.get(HKCU, RUN_KEY, "intake-app") == \
        rf'"{BUNDLE}" --basedir "D:\Intake data\\" --config C:\x\intake.toml'


def test_disable_deletes_the_value_and_is_idempotent(winreg: FakeWinreg) -> None:
    backend = WindowsAutostart(winreg)
    autostart.enable([BUNDLE], backend=backend)
    off = autostart.disable(backend)
    assert not off.enabled and off.scope == "none"
    assert winreg.get(HKCU, RUN_KEY, "intake-app") is None
    assert autostart.disable(backend) == off  # no Run key at all is fine too
    assert autostart.disable(WindowsAutostart(FakeWinreg())).scope == "none"


def test_all_users_entry_is_not_duplicated_and_cannot_be_removed_per_user(winreg: FakeWinreg) -> None:
    winreg.put(HKLM, RUN_KEY, "intake-app", f'"{BUNDLE}"')
    backend = WindowsAutostart(winreg)

    state = autostart.enable([BUNDLE], backend=backend)
    assert state.enabled and state.scope == "system"
    assert winreg.get(HKCU, RUN_KEY, "intake-app") is None  # two values would start two copies

    off = autostart.disable(backend)
    assert off.enabled and off.scope == "system"
    assert "Task Manager" in off.note


def test_switched_off_in_task_manager_is_reported_and_respected(winreg: FakeWinreg) -> None:
    backend = WindowsAutostart(winreg)
    autostart.enable([BUNDLE], backend=backend)
    winreg.put(HKCU, APPROVED_KEY, "intake-app", b"\x03\x00\x00\x00" + bytes(8), REG_BINARY)

    state = autostart.current(backend)
    assert not state.enabled and state.scope == "user"
    assert "Task Manager" in state.note
    assert not autostart.apply(True, [BUNDLE], backend=backend).enabled  # the user's choice stands

    winreg.put(HKCU, APPROVED_KEY, "intake-app", b"\x02\x00\x00\x00" + bytes(8), REG_BINARY)
    assert autostart.current(backend).enabled


def test_a_locked_registry_gives_a_clear_error(winreg: FakeWinreg) -> None:
    winreg.read_only_hives.add(HKCU)
    with pytest.raises(AutostartError, match=r"Cannot write the registry value HKCU\\Software\\.*\\Run\\intake-app"):
        autostart.enable([BUNDLE], backend=WindowsAutostart(winreg))


def test_a_locked_registry_refuses_removal_with_a_clear_error(winreg: FakeWinreg) -> None:
    winreg.put(HKCU, RUN_KEY, "intake-app", f'"{BUNDLE}"')
    winreg.read_only_hives.add(HKCU)
    with pytest.raises(AutostartError, match="Cannot remove the registry value"):
        autostart.disable(WindowsAutostart(winreg))
    assert winreg.get(HKCU, RUN_KEY, "intake-app") == f'"{BUNDLE}"'


def test_source_run_uses_pythonw_when_it_exists() -> None:
    python = r"C:\Intake\.venv\Scripts\python.exe"
    present = {r"C:\Intake\.venv\Scripts\pythonw.exe"}
    assert app_command(frozen=False, executable=python, windows=True, gui=True, exists=present.__contains__) == \
        [r"C:\Intake\.venv\Scripts\pythonw.exe", "-m", "intake_app"]
    # no pythonw beside it, or a console use: python.exe as it is
    assert app_command(frozen=False, executable=python, windows=True, gui=True, exists=set().__contains__) == \
        [python, "-m", "intake_app"]
    assert app_command(frozen=False, executable=python, windows=True, exists=present.__contains__) == \
        [python, "-m", "intake_app"]
    assert app_command(["serve", "--demo"], frozen=True, executable=r"C:\Intake\intake-app.exe") == \
        [r"C:\Intake\intake-app.exe", "serve", "--demo"]
