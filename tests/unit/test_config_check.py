"""The checks behind ``config check``, run directly on real files (no command line)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from intake_app import paths as app_paths
from intake_app.config.admin import admin_file_candidates, load_admin_config
from intake_app.config.check import ERROR, WARNING, CheckReport, Finding, run_checks


def report_for(tmp_path: Path, body: str, paths: app_paths.AppPaths | None = None) -> CheckReport:
    path = tmp_path / "intake.toml"
    path.write_text(body, encoding="utf-8")
    paths = paths or app_paths.user_paths()
    admin = load_admin_config(str(path), paths=paths)
    return run_checks(admin, paths, admin_file_candidates(str(path), paths=paths))


def messages(report: CheckReport, level: str) -> list[str]:
    return [f.message for f in report.findings if f.level == level]


def test_a_clean_file_has_no_findings(tmp_path: Path) -> None:
    report = report_for(tmp_path, '[service]\nurl = "https://x.example"\nenrolment_key = "ek-1234567890"\n')
    assert report.findings == [] and report.ok
    assert report.keyring.token_stored is False and report.keyring.fallback_file is False


def test_service_warnings(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("pem", encoding="ascii")
    report = report_for(tmp_path, '[service]\nurl = "http://x.example"\nca_bundle = "ca.pem"\n')
    assert messages(report, WARNING) == [
        "[service] url http://x.example is plain http://: tokens and tickets travel unencrypted; use https://",
        "[service] ca_bundle is not used with an http:// URL",
        "[service] enrolment_key is not set: this computer cannot enrol unless it already has a device token",
    ]
    assert report.ok  # warnings only


def test_plain_http_to_this_computer_is_fine(tmp_path: Path) -> None:
    report = report_for(tmp_path, '[service]\nurl = "http://127.0.0.1:8765"\nenrolment_key = "ek-1234567890"\n')
    assert report.findings == []


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_admin_file_anyone_can_change_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "intake.toml"
    path.write_text('[service]\nurl = "https://x.example"\nenrolment_key = "ek-1234567890"\n', encoding="utf-8")
    path.chmod(0o666)
    paths = app_paths.user_paths()
    report = run_checks(load_admin_config(str(path)), paths, admin_file_candidates(str(path)))
    assert messages(report, WARNING) == [
        f"{path} can be changed by any user of this computer (it names the service this app trusts); "
        "make it writable by admins only"]


def test_extra_probes_that_cannot_run_here_are_warnings(tmp_path: Path) -> None:
    body = ('[service]\nurl = "https://x.example"\nenrolment_key = "ek-1234567890"\n'
            '[[probes.extra]]\nname = "tag"\nkind = "file"\npath = "missing.txt"\n'
            '[[probes.extra]]\nname = "agent"\nkind = "command"\ncommand = ["no-such-program-xyz", "--id"]\n'
            f"[[probes.extra]]\nname = \"py\"\nkind = \"command\"\ncommand = ['{sys.executable}']\n"
            "[[probes.extra]]\nname = \"rmm\"\nkind = \"registry\"\nkey = 'HKLM\\SOFTWARE\\A\\Id'\n")
    report = report_for(tmp_path, body)
    expected = [f"extra probe 'tag': file {tmp_path / 'missing.txt'} does not exist (yet)",
                "extra probe 'agent': program 'no-such-program-xyz' not found"]
    if sys.platform != "win32":
        expected.append("extra probe 'rmm' reads the Windows registry: unavailable on this computer")
    assert messages(report, WARNING) == expected  # the "py" probe (an existing program) is fine


def test_a_user_folder_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("not a folder", encoding="utf-8")
    paths = app_paths.user_paths(blocker / "base")
    report = report_for(tmp_path, '[service]\nurl = "https://x.example"\nenrolment_key = "ek-1234567890"\n', paths)
    errors = messages(report, ERROR)
    assert errors[0] == (f"the config folder {blocker / 'base' / 'config'} cannot be written ({blocker} is a file, "
                         "not a folder): the profile, drafts, the outbox or logs would be lost")
    assert len(errors) == 3 and not report.ok


def test_a_damaged_profile_is_reported(tmp_path: Path) -> None:
    paths = app_paths.user_paths().ensure()
    paths.profile_file.write_text("{", encoding="utf-8")
    report = report_for(tmp_path, '[service]\nurl = "https://x.example"\nenrolment_key = "ek-1234567890"\n')
    assert len(report.findings) == 1 and report.findings[0].level == WARNING
    assert report.findings[0].message.startswith(f"Your profile {paths.profile_file} was damaged")


def test_extra_checks_join_the_same_list(tmp_path: Path) -> None:
    def service_reachable(ctx: object) -> list[Finding]:
        return [Finding(ERROR, "the service did not answer")]

    path = tmp_path / "intake.toml"
    path.write_text('[service]\nurl = "https://x.example"\nenrolment_key = "ek-1234567890"\n', encoding="utf-8")
    paths = app_paths.user_paths()
    report = run_checks(load_admin_config(str(path)), paths, admin_file_candidates(str(path)),
                        extra_checks=(service_reachable,))
    assert report.findings == [Finding(ERROR, "the service did not answer")] and not report.ok
