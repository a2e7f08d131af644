"""The device token: in the OS keyring, or a user-only file where there is none.

Headless Linux (and some terminal servers) have no keyring; losing the token
there would mean enrolling again at every start, so it goes to
``paths.token_file`` (mode 0600, atomic writes) and ``config check`` warns.
Only a *missing* keyring falls back: a keyring that exists but refuses (locked,
prompt dismissed) is an error the user can fix, not a reason to weaken storage.
Once a keyring appears, a token found in the file is moved into it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import sys
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from intake_app import APP_ID
from intake_app.config.jsonfile import read_json_object
from intake_app.errors import IntakeError
from intake_app.logsetup import register_secret
from intake_app.paths import AppPaths, write_private

log = logging.getLogger(__name__)

SERVICE_NAME = APP_ID  # the keyring "service"; the username is the Intake service URL
_FILE_VERSION = 1


class TokenStoreError(IntakeError):
    """The keyring exists but could not read or store the token."""


def keyring_missing(backend: keyring.backend.KeyringBackend) -> bool:
    """True when ``backend`` cannot keep secrets at all (no OS keyring on this computer)."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return True
    return isinstance(backend, chainer.ChainerBackend) and not backend.backends


def no_session_bus() -> bool:
    """True on Linux without a D-Bus session bus and without an explicit keyring choice.

    Secret Service and KWallet both answer over the session bus, so without one keyring could only
    pick its "fail" backend, after importing every backend and scanning every installed package's
    entry points (~130 ms and ~8 MB that stay for the life of the tray app). An explicit choice
    (``PYTHON_KEYRING_BACKEND``, a ``keyringrc.cfg``, or ``keyring.set_keyring()`` as in tests) still wins,
    and so does an installed third-party backend (keyrings.alt, keyring-pass...: they need no bus, and a
    token stored there must still be found).
    """
    if not sys.platform.startswith("linux"):
        return False
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS") or os.environ.get("PYTHON_KEYRING_BACKEND"):
        return False
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):  # the bus's default address
        return False
    if getattr(keyring.core, "_keyring_backend", None) is not None:  # set_keyring() was called
        return False
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    if (Path(config_home) / "python_keyring" / "keyringrc.cfg").exists():
        return False
    return not third_party_backends_installed()


def third_party_backends_installed(search_path: list[str] | None = None) -> bool:
    """True when a package other than keyring itself declares ``keyring.backends`` entry points.

    Reads only the ``entry_points.txt`` of each ``*.dist-info`` on ``sys.path`` (a few ms), instead
    of importing ``importlib.metadata`` and every backend as keyring's own discovery does.
    """
    for folder in sys.path if search_path is None else search_path:
        try:
            entries = os.scandir(folder or ".")
        except OSError:  # not a folder (a zip), gone, or unreadable
            continue
        with entries:
            for entry in entries:
                if not entry.name.endswith(".dist-info") or entry.name.lower().startswith("keyring-"):
                    continue
                try:
                    text = Path(entry.path, "entry_points.txt").read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if "[keyring.backends]" in text:
                    return True
    return False


def _backend() -> keyring.backend.KeyringBackend:
    return fail.Keyring() if no_session_bus() else keyring.get_keyring()


def active_backend() -> tuple[str, bool]:
    """(name of the keyring backend in use, True when it is missing and the file is used)."""
    backend = _backend()
    return str(backend.name), keyring_missing(backend)


def token_key(service_url: str) -> str:
    """The keyring username for ``service_url`` ("https://x/" and "https://x" are one service)."""
    return service_url.strip().rstrip("/")


class TokenStore:
    """Reads and writes the device token for one Intake service URL."""

    def __init__(self, paths: AppPaths, service_url: str) -> None:
        self._paths = paths
        self._username = token_key(service_url)
        self._backend = _backend()
        self._fallback = keyring_missing(self._backend)

    @property
    def uses_fallback_file(self) -> bool:
        return self._fallback

    def backend_name(self) -> str:
        if self._fallback:
            return f"file {self._paths.token_file} (no OS keyring; {self._backend.name})"
        return str(self._backend.name)

    def warnings(self) -> list[str]:
        """What ``config check`` should tell the user about where the token lives."""
        found: list[str] = []
        if self._fallback:
            found.append(
                f"No OS keyring is available ({self._backend.name}): the device token is kept in "
                f"{self._paths.token_file}, readable only by you. Install or unlock a keyring "
                "(GNOME Keyring, KWallet) to keep it there instead.")
        mode = self._file_mode()
        if mode is not None and mode & 0o077:
            found.append(f"{self._paths.token_file} is readable by other users (mode {mode:04o}); "
                         "it is set back to 0600 the next time the app reads it.")
        return found

    def get(self) -> str | None:
        if not self._fallback:
            try:
                token = self._backend.get_password(SERVICE_NAME, self._username)
            except keyring.errors.NoKeyringError:
                self._use_file()
            except keyring.errors.KeyringError as exc:
                raise TokenStoreError(f"Could not read the device token from the keyring ({exc}).") from None
            else:
                if token is None:
                    token = self._adopt_file_token()
                register_secret(token)
                return token
        token = self._file_tokens().get(self._username)
        register_secret(token)
        return token

    def set(self, token: str) -> None:
        if not token:
            raise ValueError("an empty device token cannot be stored")
        register_secret(token)
        if not self._fallback:
            try:
                self._backend.set_password(SERVICE_NAME, self._username, token)
            except keyring.errors.NoKeyringError:
                self._use_file()
            except keyring.errors.KeyringError as exc:
                raise TokenStoreError(f"Could not store the device token in the keyring ({exc}).") from None
            else:
                self._forget_file_token()
                return
        tokens = self._file_tokens()
        tokens[self._username] = token
        self._write_file(tokens)

    def delete(self) -> None:
        """Forget the token (unenrol, or a 401 from the service); missing is fine."""
        if not self._fallback:
            try:
                self._backend.delete_password(SERVICE_NAME, self._username)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored
            except keyring.errors.NoKeyringError:
                self._use_file()
            except keyring.errors.KeyringError as exc:
                raise TokenStoreError(f"Could not remove the device token from the keyring ({exc}).") from None
        self._forget_file_token()

    # -- fallback file ------------------------------------------------------------------------

    def _use_file(self) -> None:
        self._fallback = True
        log.warning("No OS keyring (%s); the device token is kept in %s", self._backend.name,
                    self._paths.token_file)

    def _file_mode(self) -> int | None:
        if os.name != "posix":
            return None
        try:
            return stat.S_IMODE(self._paths.token_file.stat().st_mode)
        except OSError:  # missing, or a parent is not a folder: nothing to warn about here
            return None

    def _file_tokens(self) -> dict[str, str]:
        mode = self._file_mode()
        if mode is not None and mode & 0o077:
            log.warning("%s was readable by other users (mode %04o); setting it to 0600", self._paths.token_file, mode)
            with contextlib.suppress(OSError):  # not ours to change: config check keeps warning
                self._paths.token_file.chmod(0o600)
        read = read_json_object(self._paths.token_file, "device token file")
        if read.warning:
            log.warning("%s", read.warning)
        tokens = (read.data or {}).get("tokens", {})
        if not isinstance(tokens, dict):
            return {}
        return {str(k): v for k, v in tokens.items() if isinstance(v, str) and v}

    def _write_file(self, tokens: dict[str, str]) -> None:
        if not tokens:
            self._paths.token_file.unlink(missing_ok=True)
            return
        document = {"schema_version": _FILE_VERSION, "tokens": tokens}
        write_private(self._paths.token_file, json.dumps(document, indent=2).encode("utf-8"))

    def _forget_file_token(self) -> None:
        if not self._paths.token_file.exists():
            return
        tokens = self._file_tokens()
        if tokens.pop(self._username, None) is not None:
            self._write_file(tokens)

    def _adopt_file_token(self) -> str | None:
        """Move a token left in the fallback file into the keyring that now exists."""
        if not self._paths.token_file.exists():
            return None
        token = self._file_tokens().get(self._username)
        if token is None:
            return None
        try:
            self._backend.set_password(SERVICE_NAME, self._username, token)
        except keyring.errors.KeyringError as exc:
            log.warning("Could not move the device token into the keyring (%s); keeping the file", exc)
            return token
        self._forget_file_token()
        log.info("Moved the device token from %s into the keyring (%s)", self._paths.token_file,
                 self._backend.name)
        return token
