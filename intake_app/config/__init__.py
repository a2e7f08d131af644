"""Configuration, Qt-free: the admin file (intake.toml), the user profile and the device token.

Everything here imports before any QApplication exists; ``app.py`` builds these
once and passes them on (no global settings object).
"""

from intake_app.config.admin import (
    AdminConfig,
    Branding,
    ExtraProbe,
    ProbeSettings,
    find_admin_file,
    load_admin_config,
)
from intake_app.config.profile import UserProfile, load_profile, save_profile
from intake_app.config.secrets import TokenStore, TokenStoreError

__all__ = [
    "AdminConfig", "Branding", "ExtraProbe", "ProbeSettings", "TokenStore", "TokenStoreError", "UserProfile",
    "find_admin_file", "load_admin_config", "load_profile", "save_profile",
]
