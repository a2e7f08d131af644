"""The deployment examples in resources/examples/ and docs/deployment.md are accepted by the real readers.

A key renamed in the service or the admin file breaks these tests rather than
an MSP's first deployment.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake_app import APP_ID
from intake_app.config.admin import parse_admin_file
from intake_app.errors import ConfigError
from intake_app.paths import site_config_dir
from intake_app.service.config import load_config
from intake_app.service.connectors.base import ConnectorContext, ConnectorKind
from ship.conftest import ROOT

EXAMPLES = ROOT / "resources" / "examples"
DOC = ROOT / "docs" / "deployment.md"
CREDENTIALS = {"INTAKE_SMTP_PASSWORD": "smtp-secret", "INTAKE_CW_PUBLIC": "cw-public", "INTAKE_CW_PRIVATE": "cw-priv",
               "INTAKE_RT_TOKEN": "rt-token"}


def _context(config, tmp_path: Path) -> ConnectorContext:  # noqa: ANN001 - ServiceConfig
    return ConnectorContext(data_dir=tmp_path, state=None, secret=config.secret,  # type: ignore[arg-type]
                            now=lambda: datetime.now(UTC))


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


def test_local_service_example(credentials: None, tmp_path: Path) -> None:
    config = load_config(EXAMPLES / "service-local.toml", data_dir=tmp_path)
    assert config.connector_kind is ConnectorKind.LOCAL
    assert config.smtp.configured and config.smtp.password == "smtp-secret"


def test_connectwise_example(credentials: None, tmp_path: Path) -> None:
    from intake_app.service.connectors.cw_settings import read_settings

    config = load_config(EXAMPLES / "service-connectwise.toml", data_dir=tmp_path)
    assert config.connector_kind is ConnectorKind.CONNECTWISE
    settings = read_settings(config.connector_settings, _context(config, tmp_path))
    assert settings.url == "https://api-na.myconnectwise.net/v4_6_release/apis/3.0/"
    assert settings.public_key == "cw-public" and settings.private_key == "cw-priv"
    assert settings.companies == {"Example Dental": "ExampleDental"}


def test_rt_example(credentials: None, tmp_path: Path) -> None:
    from intake_app.service.connectors.rt_settings import read_settings

    config = load_config(EXAMPLES / "service-rt.toml", data_dir=tmp_path)
    assert config.connector_kind is ConnectorKind.RT
    settings = read_settings(config.connector_settings, _context(config, tmp_path))
    assert settings.token == "rt-token" and settings.queue == "Intake"


def test_secrets_file_example_supplies_connector_credentials(tmp_path: Path) -> None:
    from intake_app.service.connectors.rt_settings import read_settings

    text = (EXAMPLES / "service-rt.toml").read_text(encoding="utf-8")
    text = text.replace('token_env = "INTAKE_RT_TOKEN"', f'secrets_file = "{EXAMPLES / "secrets.example.toml"}"')
    service = tmp_path / "service.toml"
    service.write_text(text, encoding="utf-8")
    config = load_config(service, data_dir=tmp_path)
    assert read_settings(config.connector_settings, _context(config, tmp_path)).token == "RT auth token"


def test_a_credential_written_into_service_toml_is_refused(tmp_path: Path) -> None:
    service = tmp_path / "service.toml"
    service.write_text('[connector]\nkind = "rt"\nurl = "https://rt.example.com/REST/2.0/"\ntoken = "oops"\n')
    with pytest.raises(ConfigError, match="token is a credential"):
        load_config(service, data_dir=tmp_path)


def _toml_blocks(markdown: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", markdown, flags=re.DOTALL)


def test_every_toml_block_in_the_deployment_doc_parses() -> None:
    blocks = _toml_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 3
    for block in blocks:
        tomllib.loads(block)


def test_admin_file_examples_in_the_doc_are_valid(tmp_path: Path) -> None:
    admin_blocks = [b for b in _toml_blocks(DOC.read_text(encoding="utf-8")) if "[service]" in b and "url" in b
                    and "[connector]" not in b]
    assert admin_blocks
    for number, block in enumerate(admin_blocks):
        path = tmp_path / f"intake-{number}.toml"
        path.write_text(block, encoding="utf-8")
        (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        parse_admin_file(path)


def test_documented_system_config_locations_match_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = DOC.read_text(encoding="utf-8")
    monkeypatch.delenv("XDG_CONFIG_DIRS")
    assert site_config_dir() == Path(f"/etc/xdg/{APP_ID}")
    for where in (r"C:\ProgramData\intake-app\intake.toml", "/Library/Application Support/intake-app/intake.toml",
                  "/etc/xdg/intake-app/intake.toml"):
        assert where in doc
    # what platformdirs answers on macOS (its class runs anywhere); on Windows it asks the shell for
    # FOLDERID_ProgramData (C:\\ProgramData) and appends the app name, which cannot run here
    from platformdirs.macos import MacOS

    assert MacOS(APP_ID, appauthor=False).site_config_dir == "/Library/Application Support/intake-app"

