"""Logging to a rotating file in the user log dir, with secrets scrubbed. Qt-free.

Imported before any QApplication exists (STYLE habit 2), so start-up problems
are logged too. Scrubbing sits in a :class:`logging.Filter` on *our handlers*
(filters on a logger do not see records propagated from child loggers, and
urllib3 or keyring log on their own loggers), and :func:`scrub` is public so
crash reports and diagnostics can clean text the same way.

The tray app starts with ``setup_logging(..., rotate=False)``: records go straight to the same
file through a plain append-only handler, so nothing logged before the icon is lost, but
``logging.handlers`` (and the socket, pickle and queue modules it pulls in, ~10 ms) is loaded only
by :func:`enable_rotation`, once the icon shows. The scrub patterns are compiled on first use.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake_app.paths import AppPaths

if TYPE_CHECKING:
    from logging.handlers import RotatingFileHandler

LOG_MAX_BYTES = 1024 * 1024
LOG_BACKUPS = 5
REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

_SECRET_NAMES = (r"[A-Za-z_]*token|password|passwd|pwd|secret|client_secret|api[_-]?key"
                 r"|enrol(?:l)?ment[ _-]?key")
# name=value, name: value, "name": "value", name='value' (JSON, query strings, reprs, kwargs)
_NAMED_PATTERN = (
    rf"""(?P<name>["']?\b(?:{_SECRET_NAMES})\b["']?\s*[:=]\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?!\[REDACTED\])(?P<bare>[^\s"'&,;)}\]]+))"""
)
_BEARER_PATTERN = r"\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]+=*"
_URL_PASSWORD_PATTERN = r"(://[^/\s:@]+:)[^@\s/]+@"
_CODE_PATTERN = r"""(\bcode\b["']?\s*(?:[:=]|\bis\b)?\s*["']?)\d{6}\b"""
_patterns: tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]] | None = None

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


def _compiled() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The scrub patterns (bearer, named, URL password, code), compiled on the first record, not at import:
    the tray start usually logs nothing before its icon shows."""
    global _patterns
    if _patterns is None:
        _patterns = (re.compile(_BEARER_PATTERN, re.IGNORECASE), re.compile(_NAMED_PATTERN, re.IGNORECASE),
                     re.compile(_URL_PASSWORD_PATTERN), re.compile(_CODE_PATTERN, re.IGNORECASE))
    return _patterns


def scrub(text: str) -> str:
    """``text`` with tokens, passwords, enrolment keys and one-time codes replaced by ``[REDACTED]``."""
    with _known_lock:
        known = sorted(_known_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, REDACTED)
    bearer, named, url_password, code = _compiled()
    text = bearer.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = named.sub(_named, text)
    text = url_password.sub(rf"\1{REDACTED}@", text)
    return code.sub(rf"\g<1>{REDACTED}", text)


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


def _open_private(handler: logging.FileHandler) -> Any:
    """Open the handler's file for appending, created readable by the user only (logs hold personal data)."""
    fd = os.open(handler.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    if os.name == "posix":
        os.fchmod(fd, 0o600)
    return open(fd, "a", encoding=handler.encoding, errors=handler.errors)  # the handler closes it


class PrivateFileHandler(logging.FileHandler):
    """The log file without rotation, for the start until :func:`enable_rotation` (same file, same rights)."""

    successor: logging.Handler | None = None  # set by enable_rotation(): where a late record goes instead

    def _open(self):  # type: ignore[no-untyped-def]  # signature of the stdlib's private hook
        return _open_private(self)

    def emit(self, record: logging.LogRecord) -> None:
        successor = self.successor  # read under this handler's lock (handle() holds it), as it was set
        if successor is not None:
            if not getattr(successor, "_closed", False):  # after teardown: dropped, not a reopened file
                successor.handle(record)
        else:
            super().emit(record)


_rotating_class: type[RotatingFileHandler] | None = None


def _rotating_handler_class() -> type[RotatingFileHandler]:
    """:class:`PrivateRotatingFileHandler`, defined on first use (it needs ``logging.handlers``)."""
    global _rotating_class
    if _rotating_class is None:
        import logging.handlers

        class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
            """Rotating log whose files are created readable by the user only (logs hold personal data)."""

            def _open(self):  # type: ignore[no-untyped-def]  # signature of the stdlib's private hook
                return _open_private(self)

        PrivateRotatingFileHandler.__module__ = __name__
        _rotating_class = PrivateRotatingFileHandler
    return _rotating_class


def __getattr__(name: str) -> Any:
    """``PrivateRotatingFileHandler`` is created on first access (tests, ``isinstance`` checks)."""
    if name == "PrivateRotatingFileHandler":
        return _rotating_handler_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(level.strip().upper())
    if not isinstance(value, int):
        raise ValueError(f"unknown log level {level!r} (expected DEBUG, INFO, WARNING or ERROR)")
    return value


def _file_handler(log_file: Path, rotate: bool) -> logging.FileHandler:
    if rotate:
        return _rotating_handler_class()(log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                         encoding="utf-8")
    return PrivateFileHandler(log_file, encoding="utf-8")


def _install(handler: logging.Handler, formatter: logging.Formatter | None) -> None:
    handler.setFormatter(formatter)
    handler.addFilter(ScrubFilter())
    handler._intake_handler = True  # type: ignore[attr-defined]  # marks what teardown removes
    logging.getLogger().addHandler(handler)


def setup_logging(paths: AppPaths, level: str | int = "INFO", *, console: bool = False, rotate: bool = True) -> Path:
    """Send every log record (ours and libraries') to ``paths.log_file``; returns that path.

    Calling it again (a new level, tests) replaces the handlers it installed before. ``rotate=False``
    (the tray's start): the same file without rotation until :func:`enable_rotation` is called.
    """
    numeric = _level(level)
    paths.log.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        paths.log.chmod(0o700)
    teardown_logging()
    formatter = logging.Formatter(FORMAT, DATE_FORMAT)
    _install(_file_handler(paths.log_file, rotate), formatter)
    if console:
        _install(logging.StreamHandler(sys.stderr), formatter)
    logging.getLogger().setLevel(numeric)
    return paths.log_file


def enable_rotation() -> None:
    """Replace the plain file handler of ``setup_logging(rotate=False)`` by the rotating one, on the same
    file (what was written before stays; the size check applies from the next record on). Safe while other
    threads log: the new handler takes the old one's place in the list, and a record that reached the old
    one meanwhile is passed on, so each record is written once. A no-op when rotation is already on."""
    root = logging.getLogger()
    for index, handler in enumerate(list(root.handlers)):
        if not (getattr(handler, "_intake_handler", False) and isinstance(handler, PrivateFileHandler)):
            continue
        rotating = _file_handler(Path(handler.baseFilename), rotate=True)
        rotating.setLevel(handler.level)
        rotating.setFormatter(handler.formatter)
        rotating.addFilter(ScrubFilter())
        rotating._intake_handler = True  # type: ignore[attr-defined]
        assert handler.lock is not None
        with handler.lock:
            handler.successor = rotating
            if root.handlers[index] is handler:
                root.handlers[index] = rotating
            else:  # the list changed under us (not expected: called on the GUI thread at start)
                root.addHandler(rotating)
                root.removeHandler(handler)
        handler.close()


def teardown_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` installed (at exit, between tests)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_intake_handler", False):
            root.removeHandler(handler)
            handler.close()
