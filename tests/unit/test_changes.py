"""core.changes: which ticket changes become notifications, and which tickets wait on the user."""

from __future__ import annotations

from typing import Any

import pytest

from intake_app.core.changes import (
    Change,
    ChangeKind,
    Note,
    TicketState,
    category_of,
    diff,
    index,
    new_notes,
    refs_to_read,
)
from intake_app.core.statuses import StatusCategory


def summary(**over: Any) -> dict[str, Any]:
    """A TicketSummary as docs/API.md shows it."""
    data: dict[str, Any] = {
        "reference": "INT-000042", "client_ticket_id": "c-42", "helpdesk_id": "1042", "summary": "Printer jams",
        "status": {"name": "New (Portal)", "category": "new", "meaning": "Placed from the portal or this app.",
                   "action": "none"},
        "requested_priority": 3, "assigned_priority": 3, "technician": None, "appointment": None,
        "respond_by": None, "created_at": "2026-03-02T09:00:00+00:00", "updated_at": "2026-03-02T09:00:05+00:00",
        "relay_state": "forwarded", "escalation": None, "needs_user": False,
    }
    data.update(over)
    return data


def status(name: str, category: str) -> dict[str, str]:
    return {"name": name, "category": category, "meaning": "", "action": "none"}


def state(timeline: list[dict[str, Any]] | None = None, **over: Any) -> TicketState:
    return TicketState.from_summary(summary(**over), timeline)


def note(at: str, text: str, author: str = "Dana") -> dict[str, Any]:
    return {"at": at, "kind": "note", "author": author, "text": text, "old": None, "new": None}


def changes(before: TicketState, after: TicketState) -> list[Change]:
    return list(diff(index([before]), [after]).changes)


def test_the_first_picture_is_a_baseline_and_announces_nothing() -> None:
    result = diff(None, [state(status=status("Waiting on client", "waiting-on-you"), needs_user=True)])
    assert result.changes == ()
    assert result.needs_user == {"INT-000042"}


def test_nothing_changed_means_no_changes() -> None:
    assert changes(state(), state()) == []


def test_a_new_status_is_one_change_with_its_category() -> None:
    found = changes(state(), state(status=status("Waiting on client", "waiting-on-you"), needs_user=True))
    assert [(c.kind, c.old, c.new, c.category) for c in found] == [
        (ChangeKind.STATUS, "New (Portal)", "Waiting on client", StatusCategory.WAITING_ON_YOU)]
    assert found[0].ref == "INT-000042" and found[0].number == "#1042"


def test_an_assigned_priority_that_differs_from_the_request_is_flagged_miscoded() -> None:
    found = changes(state(), state(assigned_priority=2))
    assert [(c.kind, c.old, c.new, c.requested_priority, c.miscoded) for c in found] == [
        (ChangeKind.PRIORITY, "P3", "P2", 3, True)]


def test_a_priority_raised_by_an_approved_escalation_is_not_miscoded() -> None:
    approved = {"id": 7, "state": "approved", "fee": "$250"}
    found = changes(state(escalation=approved), state(escalation=approved, assigned_priority=2))
    assert [(c.kind, c.new, c.escalated, c.miscoded) for c in found] == [(ChangeKind.PRIORITY, "P2", True, False)]
    pending = {"id": 7, "state": "pending", "fee": "$250"}
    found = changes(state(escalation=pending), state(escalation=pending, assigned_priority=2))
    assert [(c.escalated, c.miscoded) for c in found] == [(False, True)]


def test_a_priority_set_back_to_the_request_is_announced_but_not_miscoded() -> None:
    found = changes(state(assigned_priority=2), state(assigned_priority=3))
    assert [(c.kind, c.miscoded) for c in found] == [(ChangeKind.PRIORITY, False)]


def test_a_priority_first_assigned_as_requested_is_still_a_change() -> None:
    found = changes(state(assigned_priority=None), state(assigned_priority=3))
    assert [(c.kind, c.old, c.new, c.miscoded) for c in found] == [(ChangeKind.PRIORITY, None, "P3", False)]


def test_technician_and_appointment_changes() -> None:
    after = state(technician="Dana", appointment={"start": "2026-03-03T14:00:00+00:00",
                                                   "end": "2026-03-03T15:00:00+00:00"})
    found = changes(state(), after)
    assert [(c.kind, c.new) for c in found] == [(ChangeKind.TECHNICIAN, "Dana"),
                                                (ChangeKind.APPOINTMENT, "2026-03-03T14:00:00+00:00")]
    assert found[1].until == "2026-03-03T15:00:00+00:00"


def test_an_unassigned_technician_or_removed_appointment_is_not_announced() -> None:
    before = state(technician="Dana", appointment={"start": "a", "end": "b"})
    assert changes(before, state()) == []


def test_several_changes_on_one_ticket_give_one_change_each() -> None:
    before = state(timeline=[])
    after = state(timeline=[note("2026-03-02T10:00:00+00:00", "Please restart it.")],
                  status=status("Working Issue Now", "working"), assigned_priority=2, technician="Dana",
                  appointment={"start": "2026-03-03T14:00:00+00:00", "end": "2026-03-03T15:00:00+00:00"},
                  updated_at="2026-03-02T10:00:01+00:00")
    kinds = [c.kind for c in changes(before, after)]
    assert kinds == [ChangeKind.STATUS, ChangeKind.PRIORITY, ChangeKind.TECHNICIAN, ChangeKind.APPOINTMENT,
                     ChangeKind.NOTE]


def test_new_notes_with_both_timelines_known_are_the_difference() -> None:
    first = note("2026-03-02T10:00:00+00:00", "Hello")
    second = note("2026-03-02T11:00:00+00:00", "Please restart it.", author="Lee")
    found = changes(state(timeline=[first]), state(timeline=[first, second]))
    assert [(c.kind, c.author, c.text) for c in found] == [(ChangeKind.NOTE, "Lee", "Please restart it.")]


def test_first_timeline_read_counts_notes_after_the_last_version_seen() -> None:
    before = state(updated_at="2026-03-02T10:30:00+00:00")  # timeline never read
    after = state(timeline=[note("2026-03-02T10:00:00+00:00", "old news"),
                            note("2026-03-02T11:00:00+00:00", "new news")],
                  updated_at="2026-03-02T11:00:01+00:00")
    assert [n.text for n in new_notes(before, after)] == ["new news"]


def test_the_user_s_own_replies_and_other_entries_are_not_notes() -> None:
    reply = {"at": "2026-03-02T11:00:00+00:00", "kind": "reply", "author": "Me", "text": "done", "old": None,
             "new": None}
    after = state(timeline=[reply], updated_at="2026-03-02T11:00:01+00:00")
    assert after.notes == ()
    assert changes(state(timeline=[]), after) == []


def test_notes_are_carried_over_when_the_timeline_was_not_read_again() -> None:
    known = state(timeline=[note("2026-03-02T10:00:00+00:00", "Hello")])
    result = diff(index([known]), [state(technician="Dana")])
    assert result.states["INT-000042"].notes == (Note("2026-03-02T10:00:00+00:00", "Dana", "Hello"),)


def test_a_ticket_that_only_now_reached_the_helpdesk_announces_nothing() -> None:
    before = state(helpdesk_id=None, status=status("Received", "new"), assigned_priority=None)
    after = state(assigned_priority=2, status=status("New (Portal)", "new"))
    assert changes(before, after) == []
    assert after.number == "#1042" and before.number == "INT-000042"


def test_a_ticket_seen_for_the_first_time_announces_nothing() -> None:
    other = state(reference="INT-000043", helpdesk_id="1043", status=status("Waiting on client", "waiting-on-you"),
                  needs_user=True)
    result = diff(index([state()]), [state(), other])
    assert result.changes == ()
    assert result.needs_user == {"INT-000043"}


def test_needs_user_follows_the_service_flag_and_clears_when_the_user_acted() -> None:
    waiting = state(status=status("Pending Closure", "pending-closure"), needs_user=True)
    assert diff(None, [waiting]).needs_user == {"INT-000042"}
    acted = state(status=status("Client Responded", "working"), needs_user=False)
    assert diff(index([waiting]), [acted]).needs_user == frozenset()


def test_needs_user_falls_back_to_the_category_when_the_flag_is_missing() -> None:
    data = summary(status=status("Waiting on client", "waiting-on-you"))
    del data["needs_user"]
    assert TicketState.from_summary(data).needs_user


@pytest.mark.parametrize("value", ["awaiting-vendor", None, "", 7])
def test_an_unknown_category_counts_as_working(value: object) -> None:
    assert category_of(value) is StatusCategory.WORKING


def test_an_unknown_status_is_kept_as_is_and_announced_by_its_own_name() -> None:
    after = state(status={"name": "Awaiting vendor", "category": "vendor-wait"})
    assert after.category is StatusCategory.WORKING
    found = changes(state(), after)
    assert [(c.new, c.category) for c in found] == [("Awaiting vendor", StatusCategory.WORKING)]


def test_refs_to_read_are_known_tickets_updated_since() -> None:
    previous = index([state(), state(reference="INT-000043", helpdesk_id="1043")])
    listing = [summary(updated_at="2026-03-02T12:00:00+00:00"),
               summary(reference="INT-000043", helpdesk_id="1043"),
               summary(reference="INT-000044", helpdesk_id="1044", updated_at="2026-03-02T12:00:00+00:00")]
    assert refs_to_read(previous, listing) == ["INT-000042"]
    assert refs_to_read(None, listing) == []


def test_malformed_values_do_not_break_the_picture() -> None:
    odd = TicketState.from_summary({"reference": "INT-1", "status": "broken", "requested_priority": "x",
                                    "assigned_priority": None, "appointment": "soon"})
    assert (odd.status, odd.category, odd.requested_priority, odd.appointment) == ("", StatusCategory.WORKING,
                                                                                   None, None)
    assert new_notes(TicketState("INT-1", "INT-1", updated_at="not a time"),
                     TicketState("INT-1", "INT-1", notes=(Note("x", "a", "b"),))) == []
