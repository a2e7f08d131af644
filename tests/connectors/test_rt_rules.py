"""RT connector rules that need no server: names, statuses, REST2 messages, history folding, settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connector_kit import make_context
from intake_app.core.statuses import StatusCategory
from intake_app.errors import ConfigError
from intake_app.service.connectors import rt
from intake_app.service.connectors.base import EventKind
from intake_app.service.connectors.rt_client import failures, ticket_sql_string
from intake_app.service.connectors.rt_mapping import (
    PriorityScale,
    keys_in_filename,
    parse_time,
    rt_status_name,
    status_map,
    stored_filename,
)
from intake_app.service.connectors.rt_timeline import build_events

ROOT = Path(__file__).resolve().parents[2]


def test_stored_names_keep_the_key_and_drop_paths() -> None:
    assert stored_filename("k1", "../../etc/passwd") == "k1__passwd"
    assert stored_filename("k1", "C:\\Users\\bob\\shot 1.png") == "k1__shot 1.png"
    assert stored_filename("k1", "<script>.png") == "k1___script_.png"
    assert stored_filename("k1", "...") == "k1__attachment"
    assert len(stored_filename("k", "x" * 500)) == 3 + 120


def test_keys_survive_a_round_trip_even_with_underscores() -> None:
    assert keys_in_filename(stored_filename("abc123", "shot.png")) == {"abc123"}
    assert "a__b" in keys_in_filename(stored_filename("a__b", "shot.png"))
    assert keys_in_filename("screenshot.png") == set()
    assert keys_in_filename("__x.png") == set()


def test_priority_numbers_map_to_the_nearest_p() -> None:
    scale = PriorityScale()
    assert [scale.priority(n) for n in ("90", 70, 50, 30, 100, 60, "0", None, "high")] == [1, 2, 3, 4, 1, 2, None,
                                                                                            None, None]
    assert scale.number(2) == 70


def test_status_names_and_categories() -> None:
    assert rt_status_name("New – Emailed Client") == "new - emailed client"
    statuses = status_map({"waiting on vendor": "on-hold"})
    assert statuses.category("pending closure") is StatusCategory.PENDING_CLOSURE
    assert statuses.canonical("client responded") == "Client Responded"
    assert statuses.category("REJECTED") is StatusCategory.CLOSED
    assert statuses.category("stalled") is StatusCategory.ON_HOLD
    assert statuses.category("waiting on vendor") is StatusCategory.ON_HOLD
    unknown = statuses.resolve("in the lab")
    assert (unknown.category, unknown.name, unknown.known) == (StatusCategory.WORKING, "in the lab", False)


def test_failures_are_rts_own_refusals_only() -> None:
    messages = [  # as RT 5.0.3 answered in the integration tests
        "Ticket 2: Status 'bogus' isn't a valid status for this ticket.",
        "Invalid value for custom field",
        "Could not add a new value to custom field 'ClientTicketId': 'abc-1' is not a unique value",
        "Ticket 2: You can't change status from 'completed' to 'new (portal)'.",
        "Ticket 2: Status changed from 'new (portal)' to 'client responded'",
        "Device Invalid-PC changed to Broken failed laptop",
        "Ticket 2: Priority changed from 'unknown' to 'P2'",
    ]
    assert failures(messages) == messages[:4]
    assert failures({"message": "x"}) == []


def test_ticket_sql_strings_are_escaped() -> None:
    assert ticket_sql_string("a'b\\c") == "'a\\'b\\\\c'"


def test_rt_times() -> None:
    assert parse_time("1970-01-01T00:00:00Z") is None
    assert parse_time("2026-11-30T02:57:44Z").isoformat() == "2026-11-30T02:57:44+00:00"
    assert parse_time("2026-12-01 11:00:00").isoformat() == "2026-12-01T11:00:00+00:00"
    assert parse_time("garbage") is None


def _txn(tid: int, kind: str, created: str, **extra: object) -> dict[str, object]:
    return {"id": str(tid), "Type": kind, "Created": created, "Field": extra.pop("Field", ""),
            "Creator": extra.pop("Creator", {"Name": "intake-bot", "RealName": "Intake service"}), **extra}


def test_history_folds_the_auto_open_step_and_hides_comments() -> None:
    system = {"Name": "RT_System", "RealName": "The RT System itself"}
    history = [
        _txn(1, "Create", "2026-11-30T10:00:00Z"),
        _txn(2, "EmailRecord", "2026-11-30T10:00:00Z", Creator=system),
        _txn(3, "Comment", "2026-11-30T10:00:01Z", Data="[Intake details] INT-1\n"),
        _txn(4, "Correspond", "2026-11-30T10:05:00Z", Data="[Intake reply] Alice Example <alice@example.com>\n"),
        _txn(5, "Status", "2026-11-30T10:05:00Z", Field="Status", OldValue="new (portal)",
             NewValue="working issue now", Creator=system),
        _txn(6, "Status", "2026-11-30T10:05:00Z", Field="Status", OldValue="working issue now",
             NewValue="client responded"),
        _txn(7, "Set", "2026-11-30T10:06:00Z", Field="Owner", OldValue="6", NewValue="29"),
        _txn(8, "Set", "2026-11-30T10:07:00Z", Field="Priority", OldValue="0", NewValue="70"),
        _txn(9, "Correspond", "2026-11-30T10:08:00Z", Data="Re: printer\n",
             Creator={"Name": "bob@example.com", "EmailAddress": "bob@example.com", "RealName": "Bob"}),
        _txn(10, "Comment", "2026-11-30T10:09:00Z", Data="internal\n"),
    ]
    texts = {"4": "It jams.", "9": "Sent from my phone", "10": "SECRET"}
    events = build_events(history, statuses=status_map(), scale=PriorityScale(), requestors={"bob@example.com"},
                          user_name={"6": None, "29": "Dana Tech"}.get, text_of=texts.__getitem__)
    assert [(e.kind, e.author, e.text, e.old, e.new) for e in events] == [
        (EventKind.CREATED, "Intake service", "", None, None),
        (EventKind.REPLY, "Alice Example", "It jams.", None, None),
        (EventKind.STATUS, "Intake service", "", "New (Portal)", "Client Responded"),
        (EventKind.ASSIGNEE, "Intake service", "", None, "Dana Tech"),
        (EventKind.PRIORITY, "Intake service", "", None, "P2"),
        (EventKind.REPLY, "Bob", "Sent from my phone", None, None),
    ]


@pytest.mark.parametrize(("settings", "secrets", "message"), [
    ({"queue": "Intake"}, {"token": "t"}, "[connector] url is required"),
    ({"url": "ftp://rt"}, {"token": "t"}, "url must start with https://"),
    ({"url": "https://rt/REST/2.0/"}, {}, "needs an auth token"),
    ({"url": "https://rt/REST/2.0/", "qeue": "x"}, {"token": "t"}, "qeue is not a Request Tracker setting"),
    ({"url": "https://rt/REST/2.0/", "custom_fields": {"colour": "x"}}, {"token": "t"}, "colour is unknown"),
    ({"url": "https://rt/REST/2.0/", "statuses": {"x": "done"}}, {"token": "t"}, "category must be one of"),
    ({"url": "https://rt/REST/2.0/", "priorities": {"P1": 90}}, {"token": "t"}, "each of P1, P2, P3 and P4"),
    ({"url": "https://rt/REST/2.0/", "status_names": {"escalate": "x"}}, {"token": "t"}, "escalate is unknown"),
])
def test_bad_settings_name_the_key(tmp_path, settings, secrets, message) -> None:
    with pytest.raises(ConfigError) as caught:
        rt.create(settings, make_context(tmp_path, secrets))
    assert message in str(caught.value)


def test_the_documented_lifecycle_is_the_one_rt_sh_installs() -> None:
    script = (ROOT / "scripts" / "rt.sh").read_text()
    installed = re.search(r"cat <<'PERL'\n(.*?)\nPERL\n", script, re.S).group(1)  # type: ignore[union-attr]
    doc = (ROOT / "docs" / "rt-lifecycle.md").read_text()
    documented = re.search(r"```perl\n(.*?)\n```", doc, re.S).group(1)  # type: ignore[union-attr]
    assert documented == installed.replace("__QUEUE__", "Intake")
