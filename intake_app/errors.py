"""Error types shared by every layer (Qt-free).

Each carries a message written for the person who will read it: the end user
for client errors, the MSP's admin for configuration errors.
"""

from __future__ import annotations


class IntakeError(Exception):
    """Base for errors with a message fit to show as-is."""


class ConfigError(IntakeError):
    """The admin file or user profile is invalid; the message names the file and the key."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key


class ValidationError(IntakeError):
    """Input that breaks a domain rule; ``problems`` maps field name -> message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.problems.items()))
