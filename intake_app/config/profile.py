"""The user's own details (name, e-mail, phone, how to reach them), kept between tickets.

Stored as JSON in the user config dir with a ``schema_version``; only values
that differ from the defaults are written (STYLE habit 9), keys this version
does not know are kept (a newer app's data survives a downgrade), and every
write is atomic and user-only. A damaged file is kept aside, never lost.

History:
* version 0 (pre-release): ``full_name`` and ``preferred_contact`` (with ``"teams"``).
* version 1: ``name`` and ``contact_method`` (a :class:`ContactMethod` value).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, fields
from typing import Any

from intake_app.config.jsonfile import read_json_object
from intake_app.core.ticket import ContactMethod
from intake_app.errors import ConfigError
from intake_app.paths import AppPaths, write_private

log = logging.getLogger(__name__)

PROFILE_VERSION = 1


@dataclass(frozen=True)
class UserProfile:
    """What the report window pre-fills; ``warnings`` say what was wrong with the file (not saved)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    contact_method: ContactMethod = ContactMethod.EMAIL
    contact_detail: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, str]:
        """The values that differ from the defaults (what is saved)."""
        defaults = UserProfile()
        return {
            name: str(getattr(self, name))
            for name in _FIELDS
            if getattr(self, name) != getattr(defaults, name)
        }


_FIELDS = tuple(f.name for f in fields(UserProfile) if f.name != "warnings")
_V0_CONTACT = {"teams": "chat"}


def _migrate(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """``data`` at :data:`PROFILE_VERSION` (unknown newer versions are read as they are)."""
    data = dict(data)
    version = data.pop("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        version = 0
    if version == 0:
        if "full_name" in data:
            data.setdefault("name", data.pop("full_name"))
        if "preferred_contact" in data:
            old = data.pop("preferred_contact")
            data.setdefault("contact_method", _V0_CONTACT.get(old, old) if isinstance(old, str) else old)
        version = 1
    return data, version


def _from_dict(data: dict[str, Any], where: str) -> UserProfile:
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for name in _FIELDS:
        if name not in data:
            continue
        value = data[name]
        if not isinstance(value, str):
            warnings.append(f"{where}: {name}: expected text, found {type(value).__name__}; left empty.")
            continue
        if name == "contact_method":
            try:
                values[name] = ContactMethod(value)
            except ValueError:
                allowed = ", ".join(m.value for m in ContactMethod)
                warnings.append(f"{where}: contact_method: expected one of {allowed}, found {value!r}; "
                                "e-mail is used.")
            continue
        values[name] = value
    return UserProfile(**values, warnings=tuple(warnings))


def load_profile(paths: AppPaths) -> UserProfile:
    """The saved profile, or defaults (with a warning when the file was damaged)."""
    read = read_json_object(paths.profile_file, "profile")
    if read.data is None:
        if read.warning:
            log.warning("%s", read.warning)
            return UserProfile(warnings=(read.warning,))
        return UserProfile()
    data, version = _migrate(read.data)
    profile = _from_dict(data, str(paths.profile_file))
    if version > PROFILE_VERSION:
        note = (f"{paths.profile_file} was written by a newer Intake (schema_version {version}); "
                "the details this version knows are used, the rest is kept.")
        profile = UserProfile(**{n: getattr(profile, n) for n in _FIELDS}, warnings=(*profile.warnings, note))
    for warning in profile.warnings:
        log.warning("%s", warning)
    return profile


def save_profile(paths: AppPaths, profile: UserProfile) -> None:
    """Write ``profile`` atomically (user-only), keeping keys a newer version added."""
    read = read_json_object(paths.profile_file, "profile")
    if read.unreadable:
        raise ConfigError(f"{read.warning} Not saving, so that nothing is overwritten.",
                          path=str(paths.profile_file))
    if read.warning:
        log.warning("%s", read.warning)
    existing, version = _migrate(read.data or {})
    kept = {key: value for key, value in existing.items() if key not in _FIELDS}
    document = {**kept, **profile.to_dict(), "schema_version": max(version, PROFILE_VERSION)}
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_private(paths.profile_file, text.encode("utf-8"))
