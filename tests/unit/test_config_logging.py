"""Logging: a private rotating file in the user log dir, and no secret ever reaches it."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator

import pytest

from intake_app.logsetup import (
    LOG_BACKUPS,
    LOG_MAX_BYTES,
    PrivateRotatingFileHandler,
    mask,
    register_secret,
    scrub,
    setup_logging,
    teardown_logging,
)
from intake_app.paths import AppPaths, user_paths


@pytest.fixture
def paths() -> Iterator[AppPaths]:
    root = logging.getLogger()
    level = root.level
    yield user_paths()
    teardown_logging()
    root.setLevel(level)


@pytest.mark.parametrize(("text", "clean"), [
    ("Authorization: Bearer eyJhbGciOi.J9eyJzdWIi.OiIxMjM0", "Authorization: Bearer [REDACTED]"),
    ("headers={'Authorization': 'bearer abc123=='}", "headers={'Authorization': 'bearer [REDACTED]'}"),
    ("GET /api/v1/tickets?token=abc123&page=2", "GET /api/v1/tickets?token=[REDACTED]&page=2"),
    ('{"token": "t0k en", "company": "Acme"}', '{"token": "[REDACTED]", "company": "Acme"}'),
    ("device_token='xyz' access_token: qqq", "device_token='[REDACTED]' access_token: [REDACTED]"),
    ("password=hunter2 user=ada", "password=[REDACTED] user=ada"),
    ('{"enrolment_key": "ek-acme-123", "device_name": "PC1"}',
     '{"enrolment_key": "[REDACTED]", "device_name": "PC1"}'),
    ("enrollment key: ek-acme-123", "enrollment key: [REDACTED]"),
    ("smtp://relay:s3cret@mail.example:25", "smtp://relay:[REDACTED]@mail.example:25"),
    ("your code is 123456", "your code is [REDACTED]"),
    ('{"email": "a@b.c", "code": "654321"}', '{"email": "a@b.c", "code": "[REDACTED]"}'),
    ("verification code: 000111.", "verification code: [REDACTED]."),
    # what must survive
    ("HTTP status code 503 after 3 tries", "HTTP status code 503 after 3 tries"),
    ("barcode 123456 token_type=bearer", "barcode 123456 token_type=bearer"),
    ("ticket INT-000042 created", "ticket INT-000042 created"),
])
def test_scrub(text: str, clean: str) -> None:
    assert scrub(text) == clean


def test_scrub_is_idempotent() -> None:
    once = scrub("token=abc password='x' Bearer zzz code 123456")
    assert scrub(once) == once


def test_registered_secrets_are_scrubbed_anywhere() -> None:
    register_secret("ek-ACME-7d1f0c2b")
    register_secret("abc")  # too short to scrub safely: ignored
    assert scrub("enrol failed for key ek-ACME-7d1f0c2b (401)") == "enrol failed for key [REDACTED] (401)"
    assert scrub("abc") == "abc"


def test_mask() -> None:
    assert mask("ek-acme-0123456789") == "ek-a…(18 characters)"
    assert mask("short") == "****(5 characters)"
    assert mask(None) == "(not set)"


def test_log_file_is_private_and_scrubbed(paths: AppPaths) -> None:
    log_file = setup_logging(paths, "DEBUG")
    assert log_file == paths.log_file
    child = logging.getLogger("intake_app.client.api")  # propagates to the root handlers
    child.info("sending %s", "Authorization: Bearer abc.def.ghi")
    child.debug("enrol with %s", {"enrolment_key": "ek-acme-123", "device_name": "PC1"})
    logging.getLogger("urllib3.connectionpool").debug("GET /x?token=secret-value HTTP/1.1 200")
    child.info("verify: code=%s", 123456)
    try:
        raise RuntimeError("login refused for password=hunter2")
    except RuntimeError:
        child.exception("request failed")
    text = log_file.read_text(encoding="utf-8")
    for secret in ("abc.def.ghi", "ek-acme-123", "secret-value", "123456", "hunter2"):
        assert secret not in text
    assert "sending Authorization: Bearer [REDACTED]" in text
    assert "'device_name': 'PC1'" in text
    assert "RuntimeError: login refused for password=[REDACTED]" in text
    assert " INFO    intake_app.client.api [MainThread] verify: code=[REDACTED]" in text
    if os.name == "posix":
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(paths.log.stat().st_mode) == 0o700


def test_console_and_file_both_scrub_the_same_record(paths: AppPaths, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(paths, "INFO", console=True)
    logging.getLogger("intake_app").warning("token=%s rejected", "tok-123456")
    assert "token=[REDACTED] rejected" in capsys.readouterr().err
    assert "token=[REDACTED] rejected" in paths.log_file.read_text(encoding="utf-8")


def test_setup_again_replaces_its_handlers_and_sets_the_level(paths: AppPaths) -> None:
    setup_logging(paths, "DEBUG")
    setup_logging(paths, "warning")
    ours = [h for h in logging.getLogger().handlers if isinstance(h, PrivateRotatingFileHandler)]
    assert len(ours) == 1
    assert ours[0].maxBytes == LOG_MAX_BYTES and ours[0].backupCount == LOG_BACKUPS
    assert logging.getLogger().level == logging.WARNING
    teardown_logging()
    assert not [h for h in logging.getLogger().handlers if isinstance(h, PrivateRotatingFileHandler)]


def test_unknown_level_is_refused(paths: AppPaths) -> None:
    with pytest.raises(ValueError):
        setup_logging(paths, "CHATTY")


def test_rotation_keeps_files_private(paths: AppPaths) -> None:
    setup_logging(paths)
    log = logging.getLogger("intake_app.test")
    line = "x" * 1000
    for _ in range(LOG_MAX_BYTES // 1000 + 50):
        log.info(line)
    rotated = paths.log / "intake.log.1"
    assert rotated.exists()
    if os.name == "posix":
        assert stat.S_IMODE(paths.log_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(rotated.stat().st_mode) == 0o600


def test_logsetup_imports_without_qt() -> None:
    code = ("import sys, intake_app.logsetup, intake_app.config, intake_app.cli.config_cmd; "
            "sys.exit(1 if any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
