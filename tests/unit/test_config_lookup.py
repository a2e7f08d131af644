"""Where intake.toml is found: each location wins over every later one (SPEC §7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_app import paths as app_paths
from intake_app.config import AdminConfig, find_admin_file, load_admin_config
from intake_app.config.admin import admin_file_candidates
from intake_app.errors import ConfigError

ORDER = ("cli", "env", "exe", "site", "user")


@pytest.fixture
def locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """One intake.toml per location, each naming its own service URL; nothing outside tmp_path."""
    exe_dir, site_dir = tmp_path / "exe", tmp_path / "site"
    monkeypatch.setattr(app_paths, "executable_dir", lambda: exe_dir)
    monkeypatch.setattr(app_paths, "site_config_dir", lambda: site_dir)
    files = {
        "cli": tmp_path / "cli" / "given.toml",
        "env": tmp_path / "env" / "from-env.toml",
        "exe": exe_dir / "intake.toml",
        "site": site_dir / "intake.toml",
        "user": app_paths.user_paths().user_admin_file,
    }
    for name, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'[service]\nurl = "https://{name}.example"\n', encoding="utf-8")
    return files


@pytest.mark.parametrize("winner", ORDER)
def test_each_location_wins_over_the_later_ones(winner: str, locations: dict[str, Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # remove every location before the winner; the winner and all later ones exist
    for name in ORDER[: ORDER.index(winner)]:
        if name not in ("cli", "env"):
            locations[name].unlink()
    cli_path = str(locations["cli"]) if winner == "cli" else None
    if ORDER.index(winner) <= ORDER.index("env"):
        monkeypatch.setenv("INTAKE_CONFIG", str(locations["env"]))
    config = load_admin_config(cli_path)
    assert config.path == locations[winner]
    assert config.service_url == f"https://{winner}.example"
    assert config.origins["service.url"] == f"{locations[winner]}: [service] url"


def test_no_file_anywhere_is_demo_mode_with_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_paths, "executable_dir", lambda: tmp_path / "exe")
    monkeypatch.setattr(app_paths, "site_config_dir", lambda: tmp_path / "site")
    assert find_admin_file() is None
    config = load_admin_config()
    assert config == AdminConfig()
    assert config.is_demo and config.path is None
    assert set(config.origins.values()) == {"default"}
    assert config.origins.keys() == config.values().keys()


def test_explicit_files_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "typo.toml"
    with pytest.raises(ConfigError) as err:
        find_admin_file(str(missing))
    assert str(err.value) == f"{missing}: the admin file named by --config does not exist"
    monkeypatch.setenv("INTAKE_CONFIG", str(tmp_path))
    with pytest.raises(ConfigError) as err:
        find_admin_file()
    assert str(err.value) == f"{tmp_path}: the admin file named by $INTAKE_CONFIG is not a file"


def test_empty_environment_variable_is_ignored(locations: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_CONFIG", "")
    assert find_admin_file() == locations["exe"]


def test_relative_cli_path_is_made_absolute(locations: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(locations["cli"].parent)
    assert find_admin_file("given.toml") == locations["cli"]


def test_candidates_list_the_documented_order(locations: dict[str, Path]) -> None:
    candidates = admin_file_candidates(str(locations["cli"]))
    assert [c.source for c in candidates] == [
        "--config", "$INTAKE_CONFIG", "next to the program", "system config dir", "user config dir"]
    assert [c.path for c in candidates] == [
        locations["cli"], None, locations["exe"], locations["site"], locations["user"]]


def test_basedir_paths_argument_selects_the_user_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_paths, "executable_dir", lambda: tmp_path / "exe")
    monkeypatch.setattr(app_paths, "site_config_dir", lambda: tmp_path / "site")
    other = app_paths.user_paths(tmp_path / "portable")
    other.user_admin_file.parent.mkdir(parents=True)
    other.user_admin_file.write_text('[service]\nurl = "https://portable.example"\n', encoding="utf-8")
    assert find_admin_file() is None
    assert load_admin_config(paths=other).service_url == "https://portable.example"
