"""The Qt-free draft store: round trip, privacy, atomicity, and every kind of damaged draft."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest

from intake_app.core.priorities import Priority
from intake_app.core.ticket import (
    AttachmentKind, Availability, AvailabilityWindow, Contact, ContactMethod, ReportedFor, TicketDraft,
)
from intake_app.ui.report.draft_store import DraftLoadError, DraftStore, PendingAttachment

ERROR_TEXT = "Fehler:\tZugriff verweigert — 0x80070005\r\nlast line ✓ 😀 \u00a0end"


def _draft() -> TicketDraft:
    window = AvailabilityWindow.from_local(date(2031, 3, 4), time(22, 0), time(2, 0), "Europe/Berlin")
    return TicketDraft(
        summary="Outlook cannot connect", error_details=ERROR_TEXT, description="Since this morning",
        device_name="PC-0042", reported_for=ReportedFor("Ann", "ann@example.com"),
        contact=Contact("Bob", "bob@example.com", "+1 555 0100", "ACME"),
        contact_on_file=Contact("Bob", "bob@old.example.com", "", "ACME"),
        contact_method=ContactMethod.PHONE, contact_method_detail="+1 555 0100",
        availability=Availability(False, (window,)), requested_priority=Priority.NORMAL,
        escalation_requested=True,
    )


class Producer:
    """Counts how often the bytes were made (a real callable, not a mock)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.calls = data, 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.data


def _pending(key: str, data: bytes, revision: str = "r1") -> tuple[PendingAttachment, Producer]:
    producer = Producer(data)
    return PendingAttachment(key, f"{key}.png", AttachmentKind.SCREENSHOT, revision, producer, {"label": key}), producer


def test_round_trip_keeps_every_field_and_attachment(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    draft = _draft()
    shot, _ = _pending("shot1", b"\x89PNG\r\n\x1a\n" + b"pixels")
    store.save(draft, [shot], {"answers": {"affected": "me"}})

    loaded = DraftStore(tmp_path / "drafts").load()  # a new instance: as after a restart
    assert loaded is not None
    assert loaded.draft.to_dict() | {"created_at": None} == draft.to_dict() | {"created_at": None}
    assert loaded.draft.error_details == ERROR_TEXT
    assert loaded.draft.client_ticket_id == draft.client_ticket_id
    assert [(a.key, a.data, a.kind, a.meta) for a in loaded.attachments] == [
        ("shot1", b"\x89PNG\r\n\x1a\n" + b"pixels", AttachmentKind.SCREENSHOT, {"label": "shot1"})]
    assert loaded.ui_state == {"answers": {"affected": "me"}}
    assert loaded.problems == ()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_files_are_user_only(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    shot, _ = _pending("shot1", b"secret pixels")
    store.save(_draft(), [shot])
    assert stat.S_IMODE((tmp_path / "drafts").stat().st_mode) == 0o700
    files = list((tmp_path / "drafts").iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_unchanged_attachment_is_not_written_again_and_removed_one_is_deleted(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    first, first_producer = _pending("a", b"first")
    second, _ = _pending("b", b"second")
    store.save(_draft(), [first, second])
    again, again_producer = _pending("a", b"first")
    store.save(_draft(), [again])
    assert first_producer.calls == 1 and again_producer.calls == 0
    assert len(list((tmp_path / "drafts").glob("*.dat"))) == 1
    changed, changed_producer = _pending("a", b"redacted", revision="r2")
    store.save(_draft(), [changed])
    assert changed_producer.calls == 1
    loaded = store.load()
    assert loaded is not None and [a.data for a in loaded.attachments] == [b"redacted"]


def test_discard_removes_everything(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    shot, _ = _pending("a", b"x")
    store.save(_draft(), [shot])
    store.discard()
    assert not store.exists() and store.load() is None
    assert list((tmp_path / "drafts").iterdir()) == []


def test_a_failing_save_leaves_the_previous_draft(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    store.save(_draft().with_changes(summary="kept"), [])

    def boom() -> bytes:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        store.save(_draft().with_changes(summary="lost"), [
            PendingAttachment("x", "x.png", AttachmentKind.SCREENSHOT, "r", boom)])
    loaded = store.load()
    assert loaded is not None and loaded.draft.summary == "kept"


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", json.dumps({"format": 99}).encode(),
                                     json.dumps({"format": 1, "saved_at": "x", "draft": {}}).encode(),
                                     b"\xff\xfe garbage"])
def test_unreadable_draft_is_kept_aside_with_a_clear_message(tmp_path: Path, content: bytes) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "draft.json").write_bytes(content)
    with pytest.raises(DraftLoadError) as caught:
        DraftStore(folder).load()
    message = str(caught.value)
    assert "could not be read" in message and "nothing is lost" in message
    kept = [p for p in folder.iterdir() if p.name.startswith("draft-unreadable-")]
    assert len(kept) == 1 and (kept[0] / "draft.json").read_bytes() == content
    assert str(kept[0]) in message
    assert DraftStore(folder).load() is None  # the next window starts fresh


def test_missing_or_damaged_attachment_is_reported_and_the_rest_restored(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    good, _ = _pending("good", b"good bytes")
    gone, _ = _pending("gone", b"gone bytes")
    bad, _ = _pending("bad", b"bad bytes")
    store.save(_draft(), [good, gone, bad])
    index = json.loads(store.index_path.read_text(encoding="utf-8"))
    files = {e["key"]: tmp_path / "drafts" / e["file"] for e in index["attachments"]}
    files["gone"].unlink()
    files["bad"].write_bytes(b"tampered")
    loaded = store.load()
    assert loaded is not None
    assert [a.key for a in loaded.attachments] == ["good"]
    assert len(loaded.problems) == 2
    assert any("gone.png" in p for p in loaded.problems) and any("changed or damaged" in p for p in loaded.problems)


def test_draft_store_imports_no_qt() -> None:
    code = ("import sys, intake_app.ui.report.draft_store\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
