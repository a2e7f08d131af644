"""The shipped desktop entry, and the Exec / string escaping both entries rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_app.cli import COMMANDS
from intake_app.platform import desktop_entry
from intake_app.platform.desktop_entry import DesktopEntryError
from ship.conftest import ROOT, desktop_file_validate

SHIPPED = ROOT / "resources" / "linux" / "intake-app.desktop"


def test_shipped_entry_is_valid_and_runs_intake_app() -> None:
    result = desktop_file_validate(SHIPPED)
    assert result.returncode == 0, result.stdout + result.stderr
    fields = desktop_entry.parse(SHIPPED.read_text(encoding="utf-8"))
    assert desktop_entry.split_exec(fields["Exec"]) == ["intake-app"]
    assert fields["Terminal"] == "false"


def test_shipped_actions_are_real_commands() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    actions = [line.split("=", 1)[1].split() for line in text.splitlines()
               if line.startswith("Exec=") and " " in line]
    assert actions, "the entry offers Report a problem / My tickets actions"
    for words in actions:
        assert words[0] == "intake-app" and words[1] in COMMANDS


def test_the_icon_name_has_artwork_to_install() -> None:
    # docs/deployment.md: intake.svg -> hicolor/scalable/apps/intake-app.svg, intake-N.png -> NxN/apps
    assert desktop_entry.parse(SHIPPED.read_text(encoding="utf-8"))["Icon"] == "intake-app"
    icons = ROOT / "resources" / "icons"
    assert (icons / "intake.svg").is_file()
    assert {p.name for p in icons.glob("intake-*.png")} >= {"intake-48.png", "intake-256.png"}


@pytest.mark.parametrize("command", [
    ["/usr/bin/intake-app"],
    ["/opt/Intake App/intake-app", "--config", "/etc/xdg/intake-app/intake.toml"],
    ["prog", "", "a  b", "'", '"', "`", "$", "\\", "%", "%f", "100%%", "ü", "tab\t", "new\nline"],
])
def test_exec_round_trips(command: list[str]) -> None:
    value = desktop_entry.quote_exec(command)
    text = desktop_entry.render({"Type": "Application", "Name": "T", "Exec": value})
    assert "\n" not in text.split("Exec=", 1)[1].rstrip("\n")  # one physical line
    assert desktop_entry.split_exec(desktop_entry.parse(text)["Exec"]) == command


def test_field_codes_are_dropped_like_launchers_do() -> None:
    assert desktop_entry.split_exec("intake-app report %U") == ["intake-app", "report"]


@pytest.mark.parametrize("bad", ['"unterminated', 'prog "a'])
def test_bad_exec_values_are_refused(bad: str) -> None:
    with pytest.raises(DesktopEntryError, match="unterminated quote"):
        desktop_entry.split_exec(bad)


def test_empty_command_is_refused() -> None:
    with pytest.raises(DesktopEntryError, match="needs a program"):
        desktop_entry.quote_exec([])


def test_parse_ignores_other_groups_and_comments(tmp_path: Path) -> None:
    text = "# c\n[Desktop Entry]\nName=A\\sB\n[Desktop Action x]\nName=other\n"
    assert desktop_entry.parse(text) == {"Name": "A B"}
    with pytest.raises(DesktopEntryError, match="not key=value"):
        desktop_entry.parse("[Desktop Entry]\njunk\n")
