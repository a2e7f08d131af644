"""The device token: OS keyring first; a user-only file only where no keyring exists."""

from __future__ import annotations

import json
import os
import stat

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from helpers.memkeyring import MemoryKeyring
from intake_app.config import TokenStore, TokenStoreError
from intake_app.logsetup import scrub
from intake_app.paths import AppPaths, user_paths

URL = "https://intake.example.com"
TOKEN = "dev_tok_3f9a1c0b77e24d5e9a"


class NoKeyringAtCallTime(KeyringBackend):
    """A backend that looks usable but finds no keyring daemon when called (headless session)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("no Secret Service on this bus")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("no Secret Service on this bus")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("no Secret Service on this bus")


class RefusingKeyring(MemoryKeyring):
    """A keyring that exists but refuses (locked, unlock prompt dismissed)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")


@pytest.fixture
def paths() -> AppPaths:
    return user_paths().ensure()


def mode(path: os.PathLike[str]) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_token_lives_in_the_keyring(paths: AppPaths, memory_keyring: MemoryKeyring) -> None:
    store = TokenStore(paths, URL + "/")
    assert store.get() is None
    store.set(TOKEN)
    assert memory_keyring.store == {("intake-app", URL): TOKEN}  # username = the service URL
    assert TokenStore(paths, URL).get() == TOKEN
    assert not store.uses_fallback_file and store.warnings() == []
    assert store.backend_name() == "memkeyring MemoryKeyring"
    assert not paths.token_file.exists()
    store.delete()
    assert store.get() is None and memory_keyring.store == {}
    store.delete()  # deleting nothing is fine


def test_tokens_of_two_services_are_separate(paths: AppPaths) -> None:
    TokenStore(paths, URL).set(TOKEN)
    TokenStore(paths, "https://other.example").set("other-token-value")
    assert TokenStore(paths, URL).get() == TOKEN
    assert TokenStore(paths, "https://other.example").get() == "other-token-value"


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_without_a_keyring_the_token_goes_to_a_private_file(paths: AppPaths, backend: KeyringBackend) -> None:
    keyring.set_keyring(backend)
    store = TokenStore(paths, URL)
    assert store.uses_fallback_file
    assert store.backend_name().startswith(f"file {paths.token_file} (no OS keyring")
    assert store.get() is None
    store.set(TOKEN)
    assert mode(paths.token_file) == 0o600
    assert json.loads(paths.token_file.read_text()) == {"schema_version": 1, "tokens": {URL: TOKEN}}
    assert TokenStore(paths, URL).get() == TOKEN
    assert any("No OS keyring is available" in text for text in store.warnings())
    store.delete()
    assert store.get() is None and not paths.token_file.exists()


def test_keyring_missing_at_call_time_falls_back(paths: AppPaths) -> None:
    keyring.set_keyring(NoKeyringAtCallTime())
    store = TokenStore(paths, URL)
    assert not store.uses_fallback_file
    store.set(TOKEN)
    assert store.uses_fallback_file
    assert mode(paths.token_file) == 0o600
    assert TokenStore(paths, URL).get() == TOKEN


def test_a_refusing_keyring_is_an_error_not_a_silent_file(paths: AppPaths) -> None:
    keyring.set_keyring(RefusingKeyring())
    store = TokenStore(paths, URL)
    with pytest.raises(TokenStoreError) as err:
        store.set(TOKEN)
    assert str(err.value) == "Could not store the device token in the keyring (the collection is locked)."
    with pytest.raises(TokenStoreError):
        store.get()
    assert not paths.token_file.exists()


def test_a_token_left_in_the_file_moves_into_a_new_keyring(paths: AppPaths) -> None:
    keyring.set_keyring(fail.Keyring())
    TokenStore(paths, URL).set(TOKEN)
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    assert TokenStore(paths, URL).get() == TOKEN
    assert ring.store == {("intake-app", URL): TOKEN}
    assert not paths.token_file.exists()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_too_open_token_file_is_reported_and_repaired(paths: AppPaths) -> None:
    keyring.set_keyring(fail.Keyring())
    store = TokenStore(paths, URL)
    store.set(TOKEN)
    paths.token_file.chmod(0o644)
    assert f"{paths.token_file} is readable by other users (mode 0644)" in " ".join(store.warnings())
    assert store.get() == TOKEN
    assert mode(paths.token_file) == 0o600


def test_a_corrupt_token_file_is_kept_aside(paths: AppPaths) -> None:
    keyring.set_keyring(fail.Keyring())
    paths.token_file.write_text("{half", encoding="utf-8")
    assert TokenStore(paths, URL).get() is None
    assert (paths.data / "device-token.corrupt").read_text(encoding="utf-8") == "{half"


def test_a_token_read_or_stored_is_scrubbed_from_logs(paths: AppPaths) -> None:
    TokenStore(paths, URL).set(TOKEN)
    assert scrub(f"retrying with {TOKEN} after 401") == "retrying with [REDACTED] after 401"


def test_an_empty_token_is_refused(paths: AppPaths) -> None:
    with pytest.raises(ValueError):
        TokenStore(paths, URL).set("")
