"""Logging to a rotating file in the user log dir, with secrets scrubbed. Qt-free.

Imported before any QApplication exists (STYLE habit 2), so start-up problems
are logged too. Scrubbing sits in a :class:`logging.Filter` on *our handlers*
(filters on a logger do not see records propagated from child loggers, and
urllib3 or keyring log on their own loggers), and :func:`scrub` is public so
crash reports and diagnostics can clean text the same way.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
from pathlib import Path

from intake_app.paths import AppPaths

LOG_MAX_BYTES = 1024 * 1024
LOG_BACKUPS = 5
REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

_SECRET_NAMES = (r"[A-Za-z_]*token|password|passwd|pwd|secret|client_secret|api[_-]?key"
                 r"|enrol(?:l)?ment[ _-]?key")
# name=value, name: value, "name": "value", name='value' (JSON, query strings, reprs, kwargs)
_NAMED = re.compile(
    rf"""(?P<name>["']?\b(?:{_SECRET_NAMES})\b["']?\s*[:=]\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?!\[REDACTED\])(?P<bare>[^\s"'&,;)}\]]+))""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(://[^/\s:@]+:)[^@\s/]+@")
_CODE = re.compile(r"""(\bcode\b["']?\s*(?:[:=]|\bis\b)?\s*["']?)\d{6}\b""", re.IGNORECASE)

_known_lock = threading.Lock()
_known_secrets: set[str] = set()
_MIN_SECRET_LEN = 6  # shorter values would redact ordinary words


def register_secret(value: str | None) -> None:
    """Scrub ``value`` wherever it appears verbatim (the device token, the enrolment key)."""
    if value and len(value) >= _MIN_SECRET_LEN:
        with _known_lock:
            _known_secrets.add(value)


def _named(match: re.Match[str]) -> str:
    if match.group("dq") is not None:
        return f'{match.group("name")}"{REDACTED}"'
    if match.group("sq") is not None:
        return f"{match.group('name')}'{REDACTED}'"
    return match.group("name") + REDACTED


def scrub(text: str) -> str:
    """``text`` with tokens, passwords, enrolment keys and one-time codes replaced by ``[REDACTED]``."""
    with _known_lock:
        known = sorted(_known_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, REDACTED)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _NAMED.sub(_named, text)
    text = _URL_PASSWORD.sub(rf"\1{REDACTED}@", text)
    return _CODE.sub(rf"\g<1>{REDACTED}", text)


def mask(value: str | None) -> str:
    """A secret shown only enough to tell two apart: ``"abcd…(32 characters)"``; short ones fully hidden."""
    if not value:
        return "(not set)"
    if len(value) < 12:
        return f"****({len(value)} characters)"
    return f"{value[:4]}…({len(value)} characters)"


class ScrubFilter(logging.Filter):
    """Rewrites each record's message, traceback and stack text through :func:`scrub`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # bad %-arguments: keep the text, still scrubbed
            message = f"{record.msg} (bad log arguments: {record.args!r})"
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Rotating log whose files are created readable by the user only (logs hold personal data)."""

    def _open(self):  # type: ignore[no-untyped-def]  # signature of the stdlib's private hook
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if os.name == "posix":
            os.fchmod(fd, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # the handler closes it


def _level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(level.strip().upper())
    if not isinstance(value, int):
        raise ValueError(f"unknown log level {level!r} (expected DEBUG, INFO, WARNING or ERROR)")
    return value


def setup_logging(paths: AppPaths, level: str | int = "INFO", *, console: bool = False) -> Path:
    """Send every log record (ours and libraries') to ``paths.log_file``; returns that path.

    Calling it again (a new level, tests) replaces the handlers it installed before.
    """
    numeric = _level(level)
    paths.log.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        paths.log.chmod(0o700)
    teardown_logging()
    formatter = logging.Formatter(FORMAT, DATE_FORMAT)
    handlers: list[logging.Handler] = [
        PrivateRotatingFileHandler(paths.log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                   encoding="utf-8")
    ]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(ScrubFilter())
        handler._intake_handler = True  # type: ignore[attr-defined]  # marks what teardown removes
        root.addHandler(handler)
    root.setLevel(numeric)
    return paths.log_file


def teardown_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` installed (at exit, between tests)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_intake_handler", False):
            root.removeHandler(handler)
            handler.close()
