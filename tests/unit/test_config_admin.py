"""The admin file's schema: typed values, origins, one clear message per mistake, warnings, migrations."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from intake_app import paths as app_paths
from intake_app.config.admin import parse_admin_file
from intake_app.config.probes import ExtraProbe
from intake_app.config.schema import BUILTIN_PROBES, SETTINGS
from intake_app.errors import ConfigError

GOOD = """\
schema_version = 1
[service]
url = "https://intake.example.com/"
enrolment_key = "ek-acme-0123456789"
ca_bundle = "certs/ca.pem"
[branding]
product_name = "  Acme Help  "
icon = "acme.png"
accent_color = "#AA3300"
[probes]
public_ip = true
processes = false
[[probes.extra]]
name = "agent"
kind = "command"
command = ["agent-cli", "--id"]
timeout_seconds = 7.5
[[probes.extra]]
name = "asset-tag"
kind = "file"
path = "asset.txt"
[[probes.extra]]
name = "rmm-id"
kind = "registry"
key = 'HKLM\\SOFTWARE\\Vendor\\Agent\\DeviceId'
[app]
hotkey = "ctrl+alt+h"
autostart = true
log_level = "debug"
screenshot_budget_mib = 35
"""


def write(folder: Path, text: str, name: str = "intake.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(folder: Path, text: str) -> ConfigError:
    path = write(folder, text)
    with pytest.raises(ConfigError) as err:
        parse_admin_file(path)
    assert err.value.path == str(path)
    return err.value


def test_good_file_gives_typed_values_and_origins(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    (tmp_path / "acme.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = write(tmp_path, GOOD)
    config = parse_admin_file(path)
    assert config.path == path and not config.is_demo
    assert config.service_url == "https://intake.example.com"
    assert config.enrolment_key == "ek-acme-0123456789"
    assert config.ca_bundle == str(tmp_path / "certs" / "ca.pem")  # relative to the file's folder
    assert config.branding.product_name == "Acme Help"
    assert config.branding.icon == str(tmp_path / "acme.png")
    assert config.branding.accent_color == "#aa3300"
    assert config.hotkey == "Ctrl+Alt+H"
    assert config.autostart is True
    assert config.log_level == "DEBUG"
    assert config.screenshot_budget_mib == 35
    assert config.probes.is_enabled("public_ip") and not config.probes.is_enabled("processes")
    assert config.probes.is_enabled("os")  # not in the file: its default
    assert config.probes.is_enabled("agent") and not config.probes.is_enabled("no-such-probe")
    assert config.probes.extra == (
        ExtraProbe(name="agent", kind="command", command=("agent-cli", "--id"), timeout_seconds=7.5),
        ExtraProbe(name="asset-tag", kind="file", path=str(tmp_path / "asset.txt"), timeout_seconds=2.0),
        ExtraProbe(name="rmm-id", kind="registry", key="HKLM\\SOFTWARE\\Vendor\\Agent\\DeviceId"),
    )
    assert config.warnings == ()
    assert config.origins["service.url"] == f"{path}: [service] url"
    assert config.origins["probes.public_ip"] == f"{path}: [probes] public_ip"
    assert config.origins["probes.extra"] == f"{path}: [[probes.extra]]"
    assert config.origins["probes.battery"] == "default"
    assert config.origins.keys() == config.values().keys()
    assert "ek-acme" not in repr(config)  # the enrolment key stays out of logs via repr()


def test_example_file_documents_every_key_and_loads_cleanly() -> None:
    example = app_paths.resources_dir() / "intake.example.toml"
    text = example.read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"{setting.name} =" in text, setting.key
    for probe in BUILTIN_PROBES:
        assert f"\n{probe} = " in text, probe
    config = parse_admin_file(example)
    assert config.warnings == ()
    assert [p.kind for p in config.probes.extra] == ["registry", "file", "command"]


@pytest.mark.parametrize(("body", "message"), [
    ('[service]\nurl = "ftp://x"\n',
     '[service] url: expected an https:// or http:// URL, got "ftp://x"'),
    ('[service]\nurl = 443\n',
     "[service] url: expected an https:// or http:// URL, got 443"),
    ('[service]\nurl = ""\n',
     '[service] url: expected an https:// or http:// URL, got ""'),
    ('[service]\nurl = "https://admin:hunter22@intake.example"\n',
     '[service] url: expected an https:// or http:// URL, got "https://admin:[REDACTED]@intake.example": '
     "a user name or password does not belong in it"),
    ('[service]\nurl = "https://x"\n[app]\nautostart = "yes"\n',
     '[app] autostart: expected true or false, got "yes"'),
    ('[service]\nurl = "https://x"\n[branding]\naccent_color = "blue"\n',
     '[branding] accent_color: expected a colour written "#rrggbb" (e.g. "#2f6fdf"), got "blue"'),
    ('[service]\nurl = "https://x"\n[branding]\naccent_color = "#fff"\n',
     '[branding] accent_color: expected a colour written "#rrggbb" (e.g. "#2f6fdf"), got "#fff"'),
    ('[service]\nurl = "https://x"\n[branding]\nproduct_name = "  "\n',
     '[branding] product_name: expected a name of 1 to 60 characters, got "  "'),
    ('[service]\nurl = "https://x"\n[app]\nlog_level = "verbose"\n',
     '[app] log_level: expected one of "DEBUG", "INFO", "WARNING", "ERROR", got "verbose"'),
    ('[service]\nurl = "https://x"\n[app]\nhotkey = "Ctrl+F99"\n',
     '[app] hotkey: expected a hotkey such as "Ctrl+F12" (Ctrl, Alt, Shift, Meta, then one key), or "" for none, '
     'got "Ctrl+F99": "F99" is not a key name; use F1-F24, A-Z, 0-9, Space, Home, Print, ...'),
    ('[service]\nurl = "https://x"\n[app]\nhotkey = "Shift+A"\n',
     '[app] hotkey: expected a hotkey such as "Ctrl+F12" (Ctrl, Alt, Shift, Meta, then one key), or "" for none, '
     'got "Shift+A": A needs Ctrl, Alt or Meta with it, or every other program would lose that key'),
    ('[service]\nurl = "https://x"\n[app]\nscreenshot_budget_mib = 0\n',
     "[app] screenshot_budget_mib: expected a whole number of MiB from 1 to 60, got 0"),
    ('[service]\nurl = "https://x"\n[app]\nscreenshot_budget_mib = true\n',
     "[app] screenshot_budget_mib: expected a whole number of MiB from 1 to 60, got true"),
    ('[service]\nurl = "https://x"\n[probes]\nbattery = "no"\n',
     '[probes] battery: expected true or false, got "no"'),
    ('[service]\nurl = "https://x"\nca_bundle = "missing.pem"\n',
     "[service] ca_bundle: expected the path of an existing file (relative paths start at the admin file's "
     'folder), got "missing.pem"'),
    ('service = "https://x"\n',
     'service: expected a [service] table, got "https://x"'),
    ('[branding]\nproduct_name = "Acme"\n',
     "[service] url: expected an https:// or http:// URL, but it is missing; a deployed admin file must name "
     "the Intake service (remove the file to run in demo mode)"),
    ('schema_version = 2\n',
     "schema_version: expected 1 or lower, got 2: the file is for a newer Intake; update the app or use a file "
     "for this version"),
    ('schema_version = "1"\n',
     'schema_version: expected a whole number from 0 to 1, got "1"'),
])
def test_bad_value_gives_one_message_naming_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    assert str(error_for(tmp_path, body)) == f"{tmp_path / 'intake.toml'}: {message}"


def test_error_carries_the_dotted_key(tmp_path: Path) -> None:
    error = error_for(tmp_path, '[service]\nurl = "https://x"\n[app]\nlog_level = 3\n')
    assert error.key == "app.log_level"


def test_secret_value_is_not_echoed(tmp_path: Path) -> None:
    error = error_for(tmp_path, '[service]\nurl = "https://x"\nenrolment_key = 123456789\n')
    assert "123456789" not in str(error)
    assert str(error).endswith("[service] enrolment_key: expected a string, got a number (not shown: it is a secret)")


@pytest.mark.parametrize(("body", "message"), [
    ('[service]\nurl = "https://x"\n\n[app]\nautostart = yes\n',
     'line 5, column 13: TOML syntax error: Invalid value; text needs "quotes", and yes/no are written true/false'),
    ('[service]\nurl = "https://x\n',
     "line 2, column 17: TOML syntax error: Illegal character '\\n'; a \"quoted\" text is not closed on this line"),
    ('[service\nurl = "https://x"\n',
     "line 1, column 9: TOML syntax error: Expected ']' at the end of a table declaration"),
    ('[service]\nurl = "https://a"\nurl = "https://b"\n',
     "line 3: duplicate key [service] url: it is already set above (TOML allows each key only once)"),
    ('log = 1\n[service]\nurl = "https://a"\n[service]\nenrolment_key = "k"\n',
     "line 4: duplicate table [service]: each table may appear only once (merge the two into one)"),
])
def test_toml_syntax_errors_name_the_line(tmp_path: Path, body: str, message: str) -> None:
    assert str(error_for(tmp_path, body)) == f"{tmp_path / 'intake.toml'}: {message}"


def test_duplicate_key_error_carries_the_key(tmp_path: Path) -> None:
    error = error_for(tmp_path, '[service]\nurl = "https://a"\nurl = "https://b"\n')
    assert error.key == "service.url"


def test_unreadable_encodings(tmp_path: Path) -> None:
    path = tmp_path / "intake.toml"
    path.write_bytes(b'[service]\nurl = "https://x"\nenrolment_key = "caf\xe9"\n')  # Latin-1, not UTF-8
    with pytest.raises(ConfigError) as err:
        parse_admin_file(path)
    assert str(err.value) == f"{path}: line 3: the file is not UTF-8 text; save it as UTF-8"
    # a UTF-8 byte-order mark (older Notepad) is accepted
    path.write_bytes(b'\xef\xbb\xbf[service]\nurl = "https://x"\n')
    assert parse_admin_file(path).service_url == "https://x"


def test_unknown_keys_are_warnings_collected_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, 'stray = 1\n[service]\nurl = "https://x"\nurll = "y"\n[probes]\nbattry = false\n'
                           '[servce]\nurl = "z"\n')
    with caplog.at_level(logging.WARNING, logger="intake_app.config.admin"):
        config = parse_admin_file(path)
    assert config.warnings == (
        f"{path}: stray: unknown key (ignored); known: service, branding, probes, app",
        f"{path}: [servce]: unknown key (ignored); did you mean service?",
        f"{path}: [service] urll: unknown key (ignored); did you mean url?",
        f"{path}: [probes] battry: unknown probe (ignored); did you mean battery? (add your own with "
        "[[probes.extra]])",
    )
    assert [r.getMessage() for r in caplog.records] == list(config.warnings)
    assert config.service_url == "https://x"


def test_missing_icon_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, '[service]\nurl = "https://x"\n[branding]\nicon = "nope.png"\n')
    config = parse_admin_file(path)
    assert config.branding.icon == str(tmp_path / "nope.png")
    assert config.warnings == (f"{path}: [branding] icon: {tmp_path / 'nope.png'} does not exist; "
                               "the built-in icon is used",)


@pytest.mark.parametrize(("extra", "message"), [
    ('name = "os"\nkind = "file"\npath = "x"\n',
     '[[probes.extra]] #1 name: expected a name of letters, digits, "_", "." or "-" (up to 40) that is not a '
     'built-in probe, got "os"'),
    ('name = "x"\nkind = "shell"\n',
     '[[probes.extra]] #1 kind: expected one of "file", "command", "registry", got "shell"'),
    ('name = "x"\nkind = "file"\n',
     '[[probes.extra]] #1 path: expected the path of a file to read, got ""'),
    ('name = "x"\nkind = "command"\ncommand = []\n',
     '[[probes.extra]] #1 command: expected a program and its arguments, e.g. ["C:\\\\Agent\\\\agent.exe", '
     '"--id"], got an array'),
    ('name = "x"\nkind = "registry"\nkey = "SOFTWARE\\\\X"\n',
     "[[probes.extra]] #1 key: expected a registry value such as 'HKLM\\SOFTWARE\\Vendor\\Agent\\DeviceId', "
     'got "SOFTWARE\\\\X": it must start with HKLM\\ or HKCU\\'),
    ('name = "x"\nkind = "file"\npath = "x"\ntimeout_seconds = 0\n',
     "[[probes.extra]] #1 timeout_seconds: expected a number of seconds above 0 and at most 60, got 0"),
])
def test_extra_probe_errors(tmp_path: Path, extra: str, message: str) -> None:
    body = f'[service]\nurl = "https://x"\n[[probes.extra]]\n{extra}'
    assert str(error_for(tmp_path, body)) == f"{tmp_path / 'intake.toml'}: {message}"


def test_extra_probe_names_are_unique_and_single_brackets_are_explained(tmp_path: Path) -> None:
    twice = '[service]\nurl = "https://x"\n' + '[[probes.extra]]\nname = "a"\nkind = "file"\npath = "p"\n' * 2
    assert str(error_for(tmp_path, twice)).endswith(
        '[[probes.extra]] #2 name: expected a name not used by another extra probe, got "a"')
    single = '[service]\nurl = "https://x"\n[probes.extra]\nname = "a"\n'
    assert str(error_for(tmp_path, single)).endswith(
        "[probes] extra: expected [[probes.extra]] tables (double brackets), got a table")


def test_extra_probe_keys_of_another_kind_are_warnings(tmp_path: Path) -> None:
    path = write(tmp_path, '[service]\nurl = "https://x"\n[[probes.extra]]\nname = "a"\nkind = "file"\n'
                           'path = "p"\ncommand = ["x"]\ncolour = 1\n')
    assert sorted(parse_admin_file(path).warnings) == [
        f'{path}: [[probes.extra]] #1 colour: unknown key (ignored)',
        f'{path}: [[probes.extra]] #1 command: not used by a "file" probe (ignored)',
    ]


def test_schema_v0_server_table_migrates_to_service(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "https://old.example"\nenrolment_key = "old-key-123456"\n')
    config = parse_admin_file(path)
    assert config.service_url == "https://old.example"
    assert config.enrolment_key == "old-key-123456"
    assert config.origins["service.url"] == f"{path}: [server] url"
    assert config.warnings == (
        f"{path}: [server] is the old name of [service] (schema_version 0); it still works, but rename it "
        "and set schema_version = 1",)


def test_schema_v0_bad_value_is_named_by_its_old_key(tmp_path: Path) -> None:
    error = error_for(tmp_path, '[server]\nurl = "gopher://old"\n')
    assert str(error) == f'{tmp_path / "intake.toml"}: [server] url: expected an https:// or http:// URL, got "gopher://old"'


def test_schema_v0_conflict_with_new_table_is_an_error(tmp_path: Path) -> None:
    error = error_for(tmp_path, '[server]\nurl = "https://a"\n[service]\nurl = "https://b"\n')
    assert str(error) == (f"{tmp_path / 'intake.toml'}: [server] url: also set as [service] url; [server] is "
                          "the old name of [service], keep only [service]")


def test_current_schema_without_server_has_no_migration_warning(tmp_path: Path) -> None:
    path = write(tmp_path, '[service]\nurl = "http://localhost:8080"\n')  # no schema_version: read as 0
    config = parse_admin_file(path)
    assert config.warnings == () and config.service_url == "http://localhost:8080"
