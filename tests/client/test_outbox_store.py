"""The outbox on disk: exact bytes, permissions, reopening, dedupe, atomic claims across processes."""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from client_helpers import make_attachments, make_draft
from intake_app.client import outbox_files
from intake_app.client.multipart import RequestTooLarge, build_ticket_request
from intake_app.client.outbox import Outbox
from intake_app.client.outbox_db import OutboxError
from intake_app.client.outbox_item import ItemState
from intake_app.core.ticket import Attachment
from intake_app.paths import AppPaths

REPO = Path(__file__).resolve().parents[2]


def parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[str, bytes]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    return {part.get_param("name", header="content-disposition"): (part.get_content_type(),
                                                                   part.get_payload(decode=True))
            for part in message.iter_parts()}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_multipart_body_holds_the_ticket_json_and_every_attachment() -> None:
    draft, files = make_draft(), make_attachments()
    built = build_ticket_request(draft, files)
    parts = parse_multipart(built.body, built.content_type)
    media, ticket_json = parts["ticket"]
    doc = json.loads(ticket_json)
    assert media == "application/json"
    assert doc["client_ticket_id"] == draft.client_ticket_id
    assert doc["error_details"] == "Error 0x80070005\tAccess is denied.\n"
    assert [a["filename"] for a in doc["attachments"]] == ["screen 1.png", "événements.log"]
    for info, item in zip(doc["attachments"], files):
        assert parts[f"attachment:{info['key']}"] == (info["media_type"], item.data)
        assert info["size"] == len(item.data)
    assert build_ticket_request(draft, files).body == built.body  # fixed boundary: the same bytes every time


def test_enqueued_ticket_survives_reopening_byte_for_byte(paths: AppPaths) -> None:
    draft, files = make_draft(), make_attachments()
    expected = build_ticket_request(draft, files)
    with Outbox.open(paths) as outbox:
        item = outbox.enqueue(draft, files)
    with Outbox.open(paths) as reopened:
        again = reopened.get(item.id)
        assert again is not None and again.state is ItemState.QUEUED
        assert reopened.request_body(again) == expected.body
        assert again.content_type == expected.content_type
        assert [a.data for a in reopened.attachments(item.id)] == [f.data for f in files]
        assert reopened.draft(item.id).summary == draft.summary


def test_outbox_files_are_readable_by_the_user_only(paths: AppPaths) -> None:
    with Outbox.open(paths) as outbox:
        item = outbox.enqueue(make_draft(), make_attachments())
        db = paths.outbox_db
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            assert path.exists() and mode(path) == 0o600, path
        folder = paths.outbox_files / item.files_dir
        assert mode(paths.outbox_files) == 0o700 and mode(folder) == 0o700
        files = sorted(folder.iterdir())
        assert len(files) == 3
        assert all(mode(f) == 0o600 for f in files)


def test_the_same_client_ticket_id_is_stored_once(paths: AppPaths) -> None:
    draft = make_draft()
    with Outbox.open(paths) as outbox:
        first = outbox.enqueue(draft, make_attachments())
        second = outbox.enqueue(draft.with_changes(summary="edited"), [])
        assert second.id == first.id and second.summary == first.summary
        assert len(outbox.items()) == 1


def test_too_many_attachments_are_refused_and_nothing_is_stored(paths: AppPaths) -> None:
    files = [Attachment(f"f{n}.txt", b"x") for n in range(21)]
    with Outbox.open(paths) as outbox:
        with pytest.raises(RequestTooLarge, match="at most 20"):
            outbox.enqueue(make_draft(), files)
        assert outbox.items() == []
    assert list(paths.outbox_files.iterdir()) == []


def test_a_failed_file_write_stores_no_row(paths: AppPaths) -> None:
    draft = make_draft()
    with Outbox.open(paths) as outbox:
        blocker = paths.outbox_files / outbox_files.folder_name(draft.client_ticket_id)
        blocker.write_bytes(b"a file where the folder should go")
        with pytest.raises(OutboxError, match="could not be saved"):
            outbox.enqueue(draft, make_attachments())
        assert outbox.items() == []


def test_orphan_folders_from_a_crash_before_commit_are_removed_on_open(paths: AppPaths) -> None:
    with Outbox.open(paths) as outbox:
        kept = outbox.enqueue(make_draft(), make_attachments())
    orphan = paths.outbox_files / "0b9f6f0e-crash-before-commit"
    orphan.mkdir()
    (orphan / "request.body").write_bytes(b"half")
    with Outbox.open(paths):
        assert not orphan.exists()
        assert (paths.outbox_files / kept.files_dir / "request.body").exists()


CLAIMER = textwrap.dedent("""
    import json, sys, time
    from intake_app.client.outbox import Outbox
    outbox = Outbox(sys.argv[1], sys.argv[2])
    won = [i for i in outbox.due_ids() if outbox.claim(i)]
    print(json.dumps(won), flush=True)
    if sys.argv[3] == "die":
        import os; os._exit(0)          # killed mid-send: the claim is left behind
    sys.stdin.read()                    # "sending" until the test closes our stdin
""")


def run_claimers(paths: AppPaths, count: int, then: str) -> list[subprocess.Popen[str]]:
    env = {**os.environ, "PYTHONPATH": f"{REPO}"}
    return [subprocess.Popen([sys.executable, "-c", CLAIMER, str(paths.outbox_db), str(paths.outbox_files), then],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
            for _ in range(count)]


def test_processes_racing_for_the_same_items_each_claim_different_ones(paths: AppPaths) -> None:
    with Outbox.open(paths) as outbox:
        ids = [outbox.enqueue(make_draft(summary=f"ticket {n}")).id for n in range(12)]
    procs = run_claimers(paths, 4, "hold")
    claimed = [json.loads(p.stdout.readline()) for p in procs]  # type: ignore[union-attr]
    for proc in procs:
        proc.communicate(timeout=60)
    everything = [i for won in claimed for i in won]
    assert sorted(everything) == sorted(ids)  # every item claimed exactly once


def test_a_claim_left_by_a_dead_process_goes_back_to_queued(paths: AppPaths) -> None:
    with Outbox.open(paths) as outbox:
        item = outbox.enqueue(make_draft())
    (proc,) = run_claimers(paths, 1, "die")
    assert json.loads(proc.communicate(timeout=60)[0]) == [item.id]
    with Outbox.open(paths) as outbox:
        again = outbox.get(item.id)
        assert again is not None and again.state is ItemState.QUEUED and again.claimed_by is None


def test_a_live_senders_claim_is_respected(paths: AppPaths) -> None:
    with Outbox.open(paths) as outbox:
        item = outbox.enqueue(make_draft())
    (proc,) = run_claimers(paths, 1, "hold")
    try:
        assert proc.stdout is not None
        assert json.loads(proc.stdout.readline()) == [item.id]
        with Outbox.open(paths) as outbox:
            held = outbox.get(item.id)
            assert held is not None and held.state is ItemState.SENDING
            assert outbox.claim(item.id, force=True) is None
    finally:
        proc.communicate(timeout=60)


def test_a_damaged_outbox_database_is_reported_and_left_alone(paths: AppPaths) -> None:
    with Outbox.open(paths) as outbox:
        item = outbox.enqueue(make_draft(), make_attachments())
    for suffix in ("-wal", "-shm"):
        paths.outbox_db.with_name(paths.outbox_db.name + suffix).unlink(missing_ok=True)
    paths.outbox_db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutboxError, match="cannot be read") as info:
        Outbox.open(paths)
    assert "Nothing was changed" in str(info.value)
    assert paths.outbox_db.read_bytes().startswith(b"this is not a database")
    assert (paths.outbox_files / item.files_dir / "request.body").exists()  # the bytes are kept
