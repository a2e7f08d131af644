"""Configuration, Qt-free: the admin file (intake.toml), the user profile and the device token.

Everything here imports before any QApplication exists; ``app.py`` builds these
once and passes them on (no global settings object). Names are resolved lazily so
importing the admin-file loader does not pay for keyring (the token store).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AdminConfig": "admin", "Branding": "admin", "ExtraProbe": "admin", "ProbeSettings": "admin",
    "find_admin_file": "admin", "load_admin_config": "admin",
    "UserProfile": "profile", "load_profile": "profile", "save_profile": "profile",
    "TokenStore": "secrets", "TokenStoreError": "secrets",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'intake_app.config' has no attribute {name!r}")
    return getattr(importlib.import_module(f"intake_app.config.{module}"), name)
