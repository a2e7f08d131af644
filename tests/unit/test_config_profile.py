"""The user profile: minimal JSON, atomic and private, migrated, and never lost when damaged."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from intake_app.config import UserProfile, load_profile, save_profile
from intake_app.core.ticket import ContactMethod
from intake_app.errors import ConfigError
from intake_app.paths import AppPaths, user_paths


@pytest.fixture
def paths() -> AppPaths:
    return user_paths().ensure()  # below the per-test INTAKE_BASEDIR


def saved(paths: AppPaths) -> dict[str, object]:
    return json.loads(paths.profile_file.read_text(encoding="utf-8"))


def test_missing_profile_gives_defaults(paths: AppPaths) -> None:
    assert load_profile(paths) == UserProfile()
    assert load_profile(paths).warnings == ()


def test_round_trip_keeps_only_changed_keys(paths: AppPaths) -> None:
    profile = UserProfile(name="Ada Lovelace", phone="+44 20 7946 0000", contact_method=ContactMethod.PHONE,
                          contact_detail="+44 20 7946 0000")
    save_profile(paths, profile)
    assert load_profile(paths) == profile
    assert saved(paths) == {"schema_version": 1, "name": "Ada Lovelace", "phone": "+44 20 7946 0000",
                            "contact_method": "phone", "contact_detail": "+44 20 7946 0000"}
    save_profile(paths, UserProfile(name="Ada Lovelace"))  # cleared fields disappear from the file
    assert saved(paths) == {"schema_version": 1, "name": "Ada Lovelace"}


def test_profile_file_is_private_and_written_atomically(paths: AppPaths) -> None:
    save_profile(paths, UserProfile(email="ada@example.com"))
    if os.name == "posix":
        assert stat.S_IMODE(paths.profile_file.stat().st_mode) == 0o600
    assert [p.name for p in paths.config.iterdir()] == ["profile.json"]  # no temp file left behind


def test_unicode_survives(paths: AppPaths) -> None:
    profile = UserProfile(name="Zoë Ørsted-Łukasz 山田")
    save_profile(paths, profile)
    assert load_profile(paths) == profile


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe garbage", b""])
def test_corrupt_profile_is_kept_aside_with_a_warning(paths: AppPaths, content: bytes,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    paths.profile_file.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        profile = load_profile(paths)
    aside = paths.config / "profile.json.corrupt"
    assert profile == UserProfile()
    assert len(profile.warnings) == 1
    assert profile.warnings[0].startswith(f"Your profile {paths.profile_file} was damaged (")
    assert profile.warnings[0].endswith(f"it was kept as {aside} and defaults are used.")
    assert aside.read_bytes() == content and not paths.profile_file.exists()
    assert profile.warnings[0] in caplog.messages


def test_a_second_corrupt_profile_does_not_overwrite_the_first(paths: AppPaths) -> None:
    paths.profile_file.write_bytes(b"first {")
    load_profile(paths)
    paths.profile_file.write_bytes(b"second {")
    load_profile(paths)
    assert (paths.config / "profile.json.corrupt").read_bytes() == b"first {"
    assert (paths.config / "profile.json.corrupt.2").read_bytes() == b"second {"


def test_saving_over_a_corrupt_profile_keeps_it_aside(paths: AppPaths) -> None:
    paths.profile_file.write_bytes(b"{broken")
    save_profile(paths, UserProfile(name="Ada"))
    assert (paths.config / "profile.json.corrupt").read_bytes() == b"{broken"
    assert saved(paths) == {"schema_version": 1, "name": "Ada"}


def test_wrong_types_and_values_are_warnings_per_field(paths: AppPaths) -> None:
    paths.profile_file.write_text(json.dumps({"schema_version": 1, "name": "Ada", "email": 42,
                                              "contact_method": "pigeon"}), encoding="utf-8")
    profile = load_profile(paths)
    assert profile == UserProfile(name="Ada")
    where = str(paths.profile_file)
    assert profile.warnings == (
        f"{where}: email: expected text, found int; left empty.",
        f"{where}: contact_method: expected one of phone, email, chat, remote, found 'pigeon'; e-mail is used.",
    )


def test_version_0_profile_migrates(paths: AppPaths) -> None:
    paths.profile_file.write_text(json.dumps({"full_name": "Ada", "email": "ada@example.com",
                                              "preferred_contact": "teams", "contact_detail": "ada@chat"}),
                                  encoding="utf-8")
    expected = UserProfile(name="Ada", email="ada@example.com", contact_method=ContactMethod.CHAT,
                           contact_detail="ada@chat")
    assert load_profile(paths) == expected
    save_profile(paths, load_profile(paths))
    assert saved(paths) == {"schema_version": 1, "name": "Ada", "email": "ada@example.com",
                            "contact_method": "chat", "contact_detail": "ada@chat"}


def test_newer_profile_is_read_and_its_extra_keys_survive_a_save(paths: AppPaths) -> None:
    paths.profile_file.write_text(json.dumps({"schema_version": 3, "name": "Ada", "pronouns": "she/her"}),
                                  encoding="utf-8")
    profile = load_profile(paths)
    assert profile == UserProfile(name="Ada")
    assert "newer Intake (schema_version 3)" in profile.warnings[0]
    save_profile(paths, UserProfile(name="Ada L."))
    assert saved(paths) == {"schema_version": 3, "name": "Ada L.", "pronouns": "she/her"}


def test_unreadable_profile_is_not_overwritten(paths: AppPaths) -> None:
    # a folder where the file should be: unreadable for everyone, root included
    paths.profile_file.mkdir()
    (paths.profile_file / "keep.txt").write_text("user data", encoding="utf-8")
    profile = load_profile(paths)
    assert profile == UserProfile()
    assert profile.warnings[0].startswith(f"Could not read your profile ({paths.profile_file}: ")
    with pytest.raises(ConfigError) as err:
        save_profile(paths, UserProfile(name="Eve"))
    assert str(err.value).endswith("Not saving, so that nothing is overwritten.")
    assert (paths.profile_file / "keep.txt").read_text(encoding="utf-8") == "user data"
