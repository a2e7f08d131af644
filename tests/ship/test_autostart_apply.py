"""``apply`` / ``apply_at_startup``: the admin file's ``[app] autostart`` at every app start.

Run against the real Linux backend (files) and the Windows one (fake registry):
the decision logic is the same for every OS.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from intake_app.config.admin import parse_admin_file
from intake_app.platform import autostart, desktop_entry
from intake_app.platform.autostart_windows import RUN_KEY, WindowsAutostart
from ship.conftest import Xdg
from ship.winreg_fake import FakeWinreg

OLD = "/opt/old-place/intake-app"
NEW = "/opt/intake-app/intake-app"


def _exec(xdg: Xdg) -> list[str]:
    return desktop_entry.split_exec(desktop_entry.parse(xdg.user_entry.read_text(encoding="utf-8"))["Exec"])


def test_true_creates_then_leaves_a_matching_entry_alone(xdg: Xdg) -> None:
    backend = xdg.backend()
    first = autostart.apply(True, [NEW], backend=backend)
    assert first.enabled and _exec(xdg) == [NEW]
    mtime = xdg.user_entry.stat().st_mtime_ns
    assert autostart.apply(True, [NEW], backend=backend) == first
    assert xdg.user_entry.stat().st_mtime_ns == mtime  # nothing rewritten at each start


def test_true_rewrites_an_entry_for_another_command(xdg: Xdg) -> None:
    autostart.apply(True, [OLD], backend=xdg.backend())
    state = autostart.apply(True, [NEW, "--config", "/etc/intake.toml"], backend=xdg.backend())
    assert state.enabled and _exec(xdg) == [NEW, "--config", "/etc/intake.toml"]


def test_false_removes_and_none_keeps_the_users_choice(xdg: Xdg) -> None:
    backend = xdg.backend()
    autostart.enable([NEW], backend=backend)
    assert autostart.apply(None, [NEW], backend=backend, exists=lambda p: True).enabled
    assert xdg.user_entry.exists()
    assert not autostart.apply(False, [NEW], backend=backend).enabled
    assert not xdg.user_entry.exists()
    assert not autostart.apply(None, [NEW], backend=backend).enabled  # off stays off
    assert not xdg.user_entry.exists()


def test_none_repairs_an_entry_whose_program_is_gone(xdg: Xdg, tmp_path: Path) -> None:
    backend = xdg.backend()
    autostart.enable([str(tmp_path / "moved-away" / "intake-app")], backend=backend)
    state = autostart.apply(None, [sys.executable, "-m", "intake_app"], backend=backend)
    assert state.enabled and _exec(xdg) == [sys.executable, "-m", "intake_app"]


def test_none_keeps_a_working_entry_for_another_command(xdg: Xdg) -> None:
    backend = xdg.backend()
    autostart.enable([sys.executable, "-m", "intake_app", "--basedir", "/srv/portable"], backend=backend)
    autostart.apply(None, [sys.executable, "-m", "intake_app"], backend=backend)
    assert _exec(xdg)[-2:] == ["--basedir", "/srv/portable"]


def test_same_rules_on_windows() -> None:
    winreg = FakeWinreg()
    backend = WindowsAutostart(winreg)
    autostart.apply(True, [r"C:\Old\intake-app.exe"], backend=backend)
    autostart.apply(True, [r"C:\Program Files\Intake\intake-app.exe"], backend=backend)
    assert winreg.get(FakeWinreg.HKEY_CURRENT_USER, RUN_KEY, "intake-app") == r'"C:\Program Files\Intake\intake-app.exe"'
    gone = autostart.apply(None, [r"C:\New\intake-app.exe"], backend=backend, exists=lambda p: False)
    assert gone.program == r"C:\New\intake-app.exe"
    assert not autostart.apply(False, backend=backend).enabled
    assert winreg.get(FakeWinreg.HKEY_CURRENT_USER, RUN_KEY, "intake-app") is None


# --- apply_at_startup reads the real AdminConfig ------------------------------------------------

def _admin(tmp_path: Path, body: str):  # noqa: ANN202 - AdminConfig
    path = tmp_path / "intake.toml"
    path.write_text(body, encoding="utf-8")
    return parse_admin_file(path)


def test_startup_applies_the_admin_files_true_with_the_branded_name(xdg: Xdg, tmp_path: Path) -> None:
    admin = _admin(tmp_path, '[service]\nurl = "https://intake.example.com"\n'
                             '[branding]\nproduct_name = "Contoso Help"\n[app]\nautostart = true\n')
    state = autostart.apply_at_startup(admin, [NEW], backend=xdg.backend())
    assert state is not None and state.enabled
    assert desktop_entry.parse(xdg.user_entry.read_text(encoding="utf-8"))["Name"] == "Contoso Help"


def test_startup_applies_the_admin_files_false(xdg: Xdg, tmp_path: Path) -> None:
    autostart.enable([NEW], backend=xdg.backend())
    admin = _admin(tmp_path, '[service]\nurl = "https://intake.example.com"\n[app]\nautostart = false\n')
    state = autostart.apply_at_startup(admin, [NEW], backend=xdg.backend())
    assert state is not None and not state.enabled and not xdg.user_entry.exists()


def test_startup_without_the_key_leaves_the_users_choice(xdg: Xdg, tmp_path: Path) -> None:
    autostart.enable([sys.executable], backend=xdg.backend())
    admin = _admin(tmp_path, '[service]\nurl = "https://intake.example.com"\n')
    state = autostart.apply_at_startup(admin, [NEW], backend=xdg.backend())
    assert state is not None and state.enabled and _exec(xdg) == [sys.executable]


@dataclass
class _Wish:
    autostart: bool = True
    origins: dict[str, str] = field(default_factory=lambda: {"app.autostart": "intake.toml: [app] autostart"})
    branding: object = field(default_factory=lambda: type("B", (), {"product_name": "Intake"})())


def test_startup_logs_instead_of_failing(xdg: Xdg, caplog: pytest.LogCaptureFixture) -> None:
    xdg.config_home.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING, logger="intake_app.platform.autostart"):
        assert autostart.apply_at_startup(_Wish(), [NEW], backend=xdg.backend()) is None
    assert "Cannot write the login entry" in caplog.text
