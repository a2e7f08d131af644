"""Every file location the app uses, in one place.

Locations come from platformdirs (per-OS conventions). A *base dir* override
(``--basedir`` or ``INTAKE_BASEDIR``) puts everything below one folder: tests
use it so they never touch the real user profile, and portable installs use it
to keep state beside the executable. Qt-free: imported before any QApplication.
platformdirs is imported only when a location is asked of it (not with a base dir).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from intake_app import APP_ID

BASEDIR_ENV = "INTAKE_BASEDIR"


@dataclass(frozen=True)
class AppPaths:
    """Resolved user-level directories. Create them with :meth:`ensure`."""

    config: Path
    data: Path
    cache: Path
    log: Path
    runtime: Path

    @property
    def profile_file(self) -> Path:
        return self.config / "profile.json"

    @property
    def user_admin_file(self) -> Path:
        return self.config / "intake.toml"

    @property
    def outbox_db(self) -> Path:
        return self.data / "outbox.sqlite3"

    @property
    def outbox_files(self) -> Path:
        return self.data / "outbox-files"

    @property
    def drafts(self) -> Path:
        return self.data / "drafts"

    @property
    def token_file(self) -> Path:
        """Fallback device-token file where no OS keyring exists (user-only permissions)."""
        return self.data / "device-token"

    @property
    def client_state(self) -> Path:
        return self.data / "client-state.json"

    @property
    def demo_service(self) -> Path:
        """The demo service's own data (its SQLite store and attachments)."""
        return self.data / "demo-service"

    @property
    def log_file(self) -> Path:
        return self.log / "intake.log"

    def ensure(self) -> AppPaths:
        """Create every directory with user-only permissions (state may hold personal data)."""
        for path in (self.config, self.data, self.cache, self.log, self.runtime):
            path.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                path.chmod(0o700)
        return self


def user_paths(basedir: str | os.PathLike[str] | None = None) -> AppPaths:
    """Paths for this user; ``basedir`` (or ``$INTAKE_BASEDIR``) overrides them all."""
    base = basedir or os.environ.get(BASEDIR_ENV)
    if base:
        root = Path(base).expanduser().resolve()
        return AppPaths(
            config=root / "config",
            data=root / "data",
            cache=root / "cache",
            log=root / "log",
            runtime=root / "runtime",
        )
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_ID, appauthor=False)
    # $XDG_RUNTIME_DIR is per login session on Linux; without it (cron, some containers)
    # platformdirs warns and guesses, so fall back to the cache dir like other platforms.
    has_runtime = sys.platform.startswith("linux") and os.environ.get("XDG_RUNTIME_DIR")
    runtime = Path(dirs.user_runtime_dir) if has_runtime else Path(dirs.user_cache_dir) / "run"
    return AppPaths(
        config=Path(dirs.user_config_dir),
        data=Path(dirs.user_data_dir),
        cache=Path(dirs.user_cache_dir),
        log=Path(dirs.user_log_dir),
        runtime=runtime,
    )


def site_config_dir() -> Path:
    """The system-wide config folder where an MSP deploys ``intake.toml``.

    Windows: ``C:\\ProgramData\\intake-app``; macOS: ``/Library/Application Support/intake-app``;
    Linux: ``/etc/xdg/intake-app`` (first entry of ``$XDG_CONFIG_DIRS``).
    """
    import platformdirs

    return Path(platformdirs.site_config_dir(APP_ID, appauthor=False))


def executable_dir() -> Path:
    """Folder of the running program: the bundle folder when frozen, else the package's parent."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """Icons and other shipped files (inside the PyInstaller bundle when frozen)."""
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base:
        return Path(frozen_base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so it is either complete or absent (temp file, fsync, rename).

    The one atomic writer for every state file: profile, token fallback, client state,
    outbox files, drafts, autostart entries.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # the umask may have narrowed or the file pre-existed
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_private(path: Path, data: bytes) -> None:
    """Atomically write ``data`` to ``path`` readable only by the user."""
    write_atomic(path, data, 0o600)


def fsync_dir(folder: Path) -> None:
    """Make renames inside ``folder`` durable (POSIX; a no-op on Windows)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
