"""Bad input, through the command line (``intake-app submit`` as a subprocess) and the service API.

The CLI must answer each problem with one clear sentence naming the field, exit 2, print no
traceback and queue nothing. The API must answer 422 ``validation_failed`` with a message per
field (the same words as ``core.validation``). What is accepted (unicode, right-to-left text,
emoji, tabs, a truncated PNG or a decompression bomb sent as a *file*) arrives byte for byte.

Symlink policy (documented in docs/hardening.md): ``--attach`` and ``--error-file`` follow
symlinks and read only what the user could read anyway: the target must be a regular file,
non-empty, at most 25 MiB, readable with the user's own rights (checked for real as the
unprivileged user ``nobody``); the attachment is named after the link. Dangling links and loops
are refused with a sentence.

Already covered elsewhere: the domain rules one by one (tests/unit/test_validation.py), the
picture path of the report window (0-byte, truncated, bomb, unreadable: tests/diagnostics/
test_diag_images_in.py), admin-file syntax, duplicate and bad keys (tests/unit/test_config_admin.py,
test_config_check_cli.py), service.toml keys (tests/service/test_svc_storage.py).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from hard_kit import KEY, REPO, HelpdeskView, make_draft, sha256, wait_until

from intake_app.core.ticket import Availability, AvailabilityWindow
from intake_app.service.server import RunningServer

NOBODY = 65534
RTL_EMOJI = "הדפסת ✓ طابعة 🖨️🔥 Zoë"


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def small_png() -> bytes:
    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * 16 for _ in range(16))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">2I5B", 16, 16, 8, 2, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def bomb_png(side: int = 30_000) -> bytes:
    """A real, complete PNG of side×side black pixels: ~110 KB on disk, 900 megapixels decoded."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + side // 8)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">2I5B", side, side, 1, 0, 0, 0, 0))
            + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b""))


def _run(env: dict[str, str], args: tuple[str, ...], stdin: bytes | None, user: int | None,
         cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "intake_app", *args], env=env, cwd=cwd, input=stdin,
                          capture_output=True, timeout=120, user=user, group=user,
                          extra_groups=[] if user is not None else None)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8", "replace"),
                                       done.stderr.decode("utf-8", "replace"))


def assert_refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2, one message on stderr naming the problem, nothing else said, no traceback."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert done.stderr.startswith("intake-app: "), done.stderr
    for word in words:
        assert word in done.stderr, (word, done.stderr)


def nothing_queued(base: Path) -> None:
    db = base / "data" / "outbox.sqlite3"
    if db.exists():
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,)
    files = base / "data" / "outbox-files"
    assert not files.exists() or list(files.iterdir()) == []


# ---- the command line: refusals -------------------------------------------------------------------

Setup = Callable[[Path], list[str]]


def _file(name: str, data: bytes) -> Setup:
    def make(folder: Path) -> list[str]:
        (folder / name).write_bytes(data)
        return [str(folder / name)]
    return make


def _sparse(folder: Path) -> list[str]:
    with open(folder / "disk.img", "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # 200 MB that take no disk space
    return [str(folder / "disk.img")]


def _fifo(folder: Path) -> list[str]:
    os.mkfifo(folder / "pipe")
    return [str(folder / "pipe")]


def _dir(folder: Path) -> list[str]:
    (folder / "photos").mkdir()
    return [str(folder / "photos")]


def _dangling(folder: Path) -> list[str]:
    (folder / "gone.png").symlink_to(folder / "deleted.png")
    return [str(folder / "gone.png")]


def _loop(folder: Path) -> list[str]:
    (folder / "a.log").symlink_to(folder / "b.log")
    (folder / "b.log").symlink_to(folder / "a.log")
    return [str(folder / "a.log")]


CLI_REFUSALS: list[tuple[str, list[str], Setup | None, list[str]]] = [
    ("empty summary", ["--summary", ""], None, ["summary: Please give a short summary of the problem."]),
    ("whitespace summary", ["--summary", " \t  "], None, ["summary: Please give a short summary"]),
    ("oversize summary", ["--summary", "x" * 101], None, ["The summary is 101 characters; the helpdesk accepts "
                                                          "at most 100."]),
    ("1 MB of error text", ["--error-file"], _file("error.txt", b"E" * 1024 * 1024),
     ["error-file: The error text is over 64 KiB"]),
    ("NUL in the error text", ["--error-file"], _file("error.txt", b"Error 0x5\x00\x00garbage"),
     ["error_details: The error details contain a NUL character"]),
    ("invalid e-mail", ["--email", "ana@@example"], None, ["contact.email: “ana@@example” is not an e-mail address"]),
    ("invalid phone", ["--phone", "call me maybe"], None, ["contact.phone: “call me maybe” is not a phone number"]),
    ("phone contact without a number", ["--contact-method", "phone", "--contact-detail", "soon"], None,
     ["contact_method_detail: “soon” is not a phone number"]),
    ("availability in the past", ["--available", "2020-01-06 09:00-10:00"], None, ["availability: Time window 1",
                                                                                  "is already over"]),
    ("zero-length availability", ["--available", "2031-01-07 09:00-09:00"], None,
     ["availability: Time window 1 starts and ends at the same time."]),
    ("availability that is no date", ["--available", "2031-02-30 09:00-10:00"], None, ["has no such date or time"]),
    ("availability in words", ["--available", "tomorrow morning"], None, ["“tomorrow morning” is not a time window"]),
    ("unknown priority", ["--priority", "P9"], None, ["priority:"]),
    ("client id that is no UUID", ["--client-id", "../../etc/passwd"], None,
     ["client-id: “../../etc/passwd” is not a UUID"]),
    ("escalation of a P2", ["--priority", "P2", "--escalate"], None, ["Only a Priority 3 ticket can be escalated"]),
    ("0-byte image", ["--attach"], _file("screen.png", b""), ["attach: “screen.png” is empty (0 bytes)."]),
    ("200 MB file", ["--attach"], _sparse, ["“disk.img” is 200.0 MiB; attachments can be at most 25.0 MiB."]),
    ("a directory", ["--attach"], _dir, ["“photos” is a folder, not a file."]),
    ("a FIFO", ["--attach"], _fifo, ["“pipe” is not a regular file"]),
    ("a missing file", ["--attach", "/nonexistent/x.log"], None, ["“x.log” no longer exists."]),
    ("a dangling symlink", ["--attach"], _dangling, ["“gone.png” no longer exists."]),
    ("a symlink loop", ["--attach"], _loop, ["“a.log” cannot be read: Too many levels of symbolic links."]),
    ("a FIFO as the error file", ["--error-file"], _fifo, ["error-file: “pipe” is not a regular file"]),
]


@pytest.mark.parametrize("flags, setup, words", [c[1:] for c in CLI_REFUSALS], ids=[c[0] for c in CLI_REFUSALS])
def test_cli_refuses_bad_input_with_one_sentence(tmp_path: Path, isolated_basedir: Path, cli_env: dict[str, str],
                                                 flags: list[str], setup: Setup | None, words: list[str]) -> None:
    args = list(flags) + (setup(tmp_path) if setup else [])
    if "--summary" not in args:
        args = ["--summary", "Printer jams"] + args
    done = _run(cli_env, ("submit", "--no-system-info", *args), None, None, REPO)
    assert_refused(done, "Please fix:", *words)
    nothing_queued(isolated_basedir)


def test_nul_bytes_from_stdin_are_refused(isolated_basedir: Path, cli_env: dict[str, str]) -> None:
    done = _run(cli_env, ("submit", "--summary", "Crash", "--error-file", "-", "--no-system-info"),
                b"Traceback (most recent call last):\n\x00\x00\x00", None, REPO)
    assert_refused(done, "error_details: The error details contain a NUL character")
    nothing_queued(isolated_basedir)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder the unprivileged user may use (tmp_path's parents are root-only)."""
    path = Path(tempfile.mkdtemp(prefix="intake-hard-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def cli_as_nobody(env: dict[str, str], args: tuple[str, ...], folder: Path) -> subprocess.CompletedProcess[str]:
    """``intake-app ARGS`` as uid 65534 in a forked child of this process (root reads every file, so
    "permission denied" needs a real other user; the Python under /root cannot be exec'd by nobody)."""
    import intake_app.cli.client_cmd  # noqa: F401 - imported while still root: the child only reads our files
    import intake_app.client.commands  # noqa: F401
    import intake_app.client.draft_builder  # noqa: F401
    import intake_app.logsetup  # noqa: F401
    from intake_app.cli import main

    out, err = folder / "stdout.txt", folder / "stderr.txt"
    for path in (out, err):
        path.write_bytes(b"")
        os.chown(path, NOBODY, NOBODY)
    pid = os.fork()
    if pid == 0:  # the child: become nobody, run the command, leave
        code = 70
        try:
            os.dup2(os.open(out, os.O_WRONLY), 1)
            os.dup2(os.open(err, os.O_WRONLY), 2)
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.chdir(folder)
            os.environ.clear()
            os.environ.update(env)
            code = main(list(args))
        except BaseException:  # noqa: BLE001 - the parent reads the traceback from stderr
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return subprocess.CompletedProcess(args, os.waitstatus_to_exitcode(status), out.read_text("utf-8"),
                                       err.read_text("utf-8"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="reading as another user needs root to switch to uid 65534")
def test_files_the_user_cannot_read_are_refused_for_real(shared_dir: Path, cli_env: dict[str, str]) -> None:
    """As ``nobody``: a root-only file, and a symlink to /etc/shadow, are refused; nothing is read or queued."""
    base = shared_dir / "base"
    base.mkdir()
    os.chown(base, NOBODY, NOBODY)
    secret = shared_dir / "payroll.xlsx"
    secret.write_bytes(b"PK\x03\x04 salaries")
    secret.chmod(0o600)  # root's own file
    (shared_dir / "shadow-link.txt").symlink_to("/etc/shadow")
    env = {**cli_env, "INTAKE_BASEDIR": str(base), "HOME": str(base), "XDG_CONFIG_DIRS": str(base / "xdg-system"),
           "XDG_CONFIG_HOME": str(base / "xdg-home")}
    for path, words in ((secret, "“payroll.xlsx” cannot be read: permission denied."),
                        (shared_dir / "shadow-link.txt", "“shadow-link.txt” cannot be read: permission denied.")):
        for flag in ("--attach", "--error-file"):
            done = cli_as_nobody(env, ("submit", "--summary", "Cannot open", "--no-system-info", flag, str(path)),
                                 shared_dir)
            assert_refused(done, flag.strip("-") + ": " + words)
    nothing_queued(base)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="a folder the user may not enter needs root to switch to uid 65534")
def test_a_config_folder_the_user_may_not_enter_is_one_sentence(shared_dir: Path, tmp_path: Path,
                                                               cli_env: dict[str, str]) -> None:
    base = shared_dir / "base"
    base.mkdir()
    os.chown(base, NOBODY, NOBODY)
    closed = tmp_path / "etc-xdg"  # tmp_path's parents are root-only (0700)
    env = {**cli_env, "INTAKE_BASEDIR": str(base), "HOME": str(base), "XDG_CONFIG_DIRS": str(closed),
           "XDG_CONFIG_HOME": str(base / "xdg-home")}
    done = cli_as_nobody(env, ("submit", "--summary", "Printer jams", "--no-system-info"), shared_dir)
    assert_refused(done, str(closed), "cannot be looked up (Permission denied)")
    nothing_queued(base)


def test_a_bad_admin_file_stops_submit_before_anything_is_queued(tmp_path: Path, isolated_basedir: Path,
                                                                 cli_env: dict[str, str]) -> None:
    for text, words in (('[service]\nurl = "https://a.example"\nurl = "https://b.example"\n', ["[service] url"]),
                        ('[service]\nurl = 42\n', ["[service] url"]),
                        ('[service\nurl = "x"\n', ["line 1"])):
        admin = tmp_path / "intake.toml"
        admin.write_text(text, encoding="utf-8")
        done = _run({**cli_env, "INTAKE_CONFIG": str(admin)}, ("submit", "--summary", "x", "--no-system-info"),
                    None, None, REPO)
        assert_refused(done, str(admin), *words)
    nothing_queued(isolated_basedir)


@pytest.mark.slow
def test_a_bad_service_config_is_one_sentence(tmp_path: Path, cli_env: dict[str, str]) -> None:
    config = tmp_path / "service.toml"
    for text, words in (('[service]\nport = 8080\nport = 8081\n', ["duplicate key [service] port"]),
                        ('[service]\nport = "eighty"\n', ["service.port"]),
                        ('[service]\nbogus = 1\n', ["service.bogus"]),
                        ('[connector]\nkind = "rt"\ntoken = "s3cr3t-t0ken-value"\n', ["token"])):
        config.write_text(text, encoding="utf-8")
        done = _run(cli_env, ("serve", "--config", str(config), "--data", str(tmp_path / "data"), "--port", "0"),
                    None, None, REPO)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith("intake-app: ") and str(config) in done.stderr, done.stderr
        assert all(w in done.stderr for w in words), done.stderr
        assert "s3cr3t-t0ken-value" not in done.stderr


# ---- the command line: what is accepted arrives verbatim -------------------------------------------

def admin_env(tmp_path: Path, cli_env: dict[str, str], service: RunningServer) -> dict[str, str]:
    admin = tmp_path / "intake.toml"
    admin.write_text(f'[service]\nurl = "{service.url}"\nenrolment_key = "{KEY}"\n', encoding="utf-8")
    env = {**cli_env, "INTAKE_CONFIG": str(admin)}
    done = _run(env, ("enroll", "--name", "Zoë Ann", "--email", "zoe@hardening.example"), None, None, REPO)
    assert done.returncode == 0, done.stderr
    return env


def test_unicode_files_and_links_arrive_byte_for_byte(tmp_path: Path, cli_env: dict[str, str],
                                                      service: RunningServer) -> None:
    env = admin_env(tmp_path, cli_env, service)
    error_text = f"{RTL_EMOJI}\n\tat Spooler.Print() — línea 42\r\n" + "x" * 5000 + "\n"
    (tmp_path / "error.txt").write_bytes(error_text.encode("utf-8"))
    real_log = tmp_path / "elsewhere" / "printer.log"
    real_log.parent.mkdir()
    real_log.write_bytes("job 42 failed\tcode=0x5 ✓\n".encode())
    (tmp_path / "latest.log").symlink_to(real_log)  # a link to a regular file: followed
    truncated = small_png()[:-20]
    (tmp_path / "cut.png").write_bytes(truncated)
    bomb = bomb_png()
    (tmp_path / "bomb.png").write_bytes(bomb)
    summary = f"{RTL_EMOJI} prints nothing"[:100]
    done = _run(env, ("submit", "--summary", summary, "--description", f"\u200f{RTL_EMOJI}\u200e since Monday",
                      "--error-file", str(tmp_path / "error.txt"), "--no-system-info", "--json",
                      "--attach", str(tmp_path / "latest.log"), "--attach", str(tmp_path / "cut.png"),
                      "--attach", str(tmp_path / "bomb.png")), None, None, REPO)
    assert done.returncode == 0, done.stderr
    receipt = json.loads(done.stdout)
    shown = json.loads(_run(env, ("show", receipt["reference"], "--json"), None, None, REPO).stdout)
    assert shown["summary"] == summary and shown["error_details"] == error_text
    assert shown["description"] == f"\u200f{RTL_EMOJI}\u200e since Monday"
    assert {a["filename"]: a["media_type"] for a in shown["attachments"]} == {
        "latest.log": "text/plain", "cut.png": "image/png", "bomb.png": "image/png"}

    view = HelpdeskView(service.runtime.config.data_dir)
    client_id = receipt["client_ticket_id"]
    wait_until(lambda: view.relay_states().get(client_id) == "forwarded", 30, "relayed")
    digests = sorted(d for _, d, _ in view.attachments()[client_id])
    assert digests == sorted(sha256(b) for b in (real_log.read_bytes(), truncated, bomb))
    assert view.rows("SELECT summary FROM local_tickets") == [(summary,)]


# ---- the service API: 422 with a message per field -------------------------------------------------

def window(start: datetime, minutes: int) -> Availability:
    return Availability(False, (AvailabilityWindow(start, start + timedelta(minutes=minutes)),))


SOON = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
API_REFUSALS: list[tuple[str, dict[str, Any], str, str]] = [
    ("empty summary", {"summary": ""}, "summary", "Please give a short summary of the problem."),
    ("whitespace summary", {"summary": " \n\t "}, "summary", "Please give a short summary of the problem."),
    ("oversize summary", {"summary": "ü" * 101}, "summary",
     "The summary is 101 characters; the helpdesk accepts at most 100."),
    ("1 MB of error text", {"error_details": "E" * 1024 * 1024}, "error_details",
     "The error details are 1024 KiB; at most 64 KiB fit. Attach the full text as a file instead."),
    ("NUL in the summary", {"summary": "Printer\x00jams"}, "summary",
     "The summary contains a NUL character; please retype it."),
    ("NUL in the description", {"description": "a\x00b"}, "description", "The description contains a NUL character"),
    ("NUL in the error text", {"error_details": "a\x00b"}, "error_details", "contain a NUL character"),
    ("invalid e-mail", {"contact": {"name": "Ann", "email": "ann.example.com", "phone": "", "company": ""}},
     "contact.email", "“ann.example.com” is not an e-mail address (expected name@example.com)."),
    ("invalid phone", {"contact": {"name": "Ann", "email": "ann@hardening.example", "phone": "12", "company": ""}},
     "contact.phone", "“12” is not a phone number"),
    ("availability in the past", {"availability": window(SOON - timedelta(days=10), 60)}, "availability",
     "is already over."),
    ("reversed availability", {"availability": window(SOON, -60)}, "availability",
     "Time window 1 ends before it starts."),
    ("zero-length availability", {"availability": window(SOON, 0)}, "availability",
     "Time window 1 starts and ends at the same time."),
    ("no availability at all", {"availability": Availability(False, ())}, "availability",
     "Choose “any time during business hours” or add at least one time window."),
    ("escalating a P1", {"escalation_requested": True, "requested_priority": 1}, "escalation_requested",
     "Only a Priority 3 ticket can be escalated for a fee."),
]


@pytest.mark.parametrize("changes, field, words", [c[1:] for c in API_REFUSALS], ids=[c[0] for c in API_REFUSALS])
def test_api_refuses_bad_drafts_with_422_per_field(service: RunningServer, changes: dict[str, Any], field: str,
                                                   words: str) -> None:
    from intake_app.core.priorities import Priority
    from intake_app.core.ticket import Contact

    token = _enrol(service)
    values = dict(changes)
    if isinstance(values.get("contact"), dict):
        values["contact"] = Contact.from_dict(values["contact"])
    if "requested_priority" in values:
        values["requested_priority"] = Priority(values["requested_priority"])
    draft = make_draft(**values)
    response = requests.post(f"{service.url}/api/v1/tickets", json=draft.to_dict(), timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert words in error["details"][field], error
    assert _tickets(service, token) == []


@pytest.mark.parametrize("ticket, field", [
    ({"summary": "x", "contact_method": "carrier pigeon"}, "ticket"),
    ({"summary": "x", "requested_priority": 9}, "ticket"),
    ({"summary": "x", "availability": {"any_time_business_hours": False,
                                       "windows": [{"start": "2031-01-01T09:00", "end": "2031-01-01T10:00"}]}},
     "ticket"),
    ({"summary": "x", "availability": {"any_time_business_hours": False, "windows": [
        {"start": "2031-01-01T09:00+00:00", "end": "2031-01-01T10:00+00:00", "tz": "../../etc/passwd"}]}},
     "ticket"),
    ({"summary": "x", "client_ticket_id": "../../../etc"}, "client_ticket_id"),
    (["not", "an", "object"], "ticket"),
])
def test_api_refuses_malformed_drafts_with_422(service: RunningServer, ticket: Any, field: str) -> None:
    token = _enrol(service)
    body = ticket
    if isinstance(ticket, dict):
        body = {**make_draft().to_dict(), **ticket}
    response = requests.post(f"{service.url}/api/v1/tickets", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["details"], response.text


def test_api_refuses_an_empty_attachment(service: RunningServer) -> None:
    from intake_app.core.ticket import Attachment, AttachmentKind

    token = _enrol(service)
    empty = Attachment("screen.png", b"", AttachmentKind.SCREENSHOT, key="shot-1")
    draft = make_draft(attachments=[empty])
    response = requests.post(f"{service.url}/api/v1/tickets", timeout=30, headers={"Authorization": f"Bearer {token}"},
                             files=[("ticket", (None, json.dumps(draft.to_dict()), "application/json")),
                                    ("attachment:shot-1", ("screen.png", b"", "image/png"))])
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"] == {"attachments.shot-1": "“screen.png” is empty (0 bytes)."}
    assert list((service.runtime.config.data_dir / "outbox-files").iterdir()) == []


def test_unicode_rtl_emoji_and_tabs_are_kept_verbatim_by_the_api(service: RunningServer) -> None:
    token = _enrol(service)
    error_text = f"{RTL_EMOJI}\tcol2\r\n" + "Ω" * 20_000
    draft = make_draft(summary=RTL_EMOJI, description=f"\u200f{RTL_EMOJI}\u200e\n\n", error_details=error_text)
    headers = {"Authorization": f"Bearer {token}"}
    accepted = requests.post(f"{service.url}/api/v1/tickets", json=draft.to_dict(), headers=headers, timeout=30)
    assert accepted.status_code == 202, accepted.text
    detail = requests.get(f"{service.url}/api/v1/tickets/{accepted.json()['reference']}", headers=headers,
                          timeout=30).json()
    assert (detail["summary"], detail["error_details"]) == (RTL_EMOJI, error_text)


def _enrol(service: RunningServer) -> str:
    response = requests.post(f"{service.url}/api/v1/enroll", timeout=30, json={
        "enrolment_key": KEY, "device_name": "PC-1", "user_name": "Ann", "user_email": "ann@hardening.example"})
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def _tickets(service: RunningServer, token: str) -> list[Any]:
    return requests.get(f"{service.url}/api/v1/tickets", headers={"Authorization": f"Bearer {token}"},
                        timeout=30).json()["tickets"]  # type: ignore[no-any-return]
