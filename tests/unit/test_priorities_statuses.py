"""Priorities as the guide defines them, the guide's questions, statuses and categories."""

from __future__ import annotations

import pytest

from intake_app.core.priorities import (
    GUIDE_PRIORITIES,
    Affected,
    Priority,
    PriorityAnswers,
    definition_for,
    suggest_priority,
)
from intake_app.core.statuses import GUIDE_STATUSES, StatusCategory, StatusMap, UserAction


def test_guide_priorities_names_and_examples() -> None:
    names = [(int(p.priority), p.name) for p in GUIDE_PRIORITIES]
    assert names == [(1, "Emergency Response"), (2, "Quick Response"), (3, "Normal Response"), (4, "Scheduled Maintenance")]
    assert "Failed hard drive" in definition_for(Priority.QUICK).examples
    assert "Malfunctioning printer" in definition_for(Priority.NORMAL).examples


@pytest.mark.parametrize(("raw", "expected"), [(1, Priority.EMERGENCY), ("2", Priority.QUICK), ("P3", Priority.NORMAL), ("p4", Priority.SCHEDULED)])
def test_priority_parse(raw: object, expected: Priority) -> None:
    assert Priority.parse(raw) is expected


@pytest.mark.parametrize("raw", [0, 5, "P0", "high", None])
def test_priority_parse_rejects(raw: object) -> None:
    with pytest.raises(ValueError, match="1-4 or P1-P4"):
        Priority.parse(raw)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (PriorityAnswers(security_event=True, affected=Affected.ME, has_workaround=True), Priority.EMERGENCY),
        (PriorityAnswers(affected=Affected.ORGANIZATION, has_workaround=False), Priority.EMERGENCY),
        (PriorityAnswers(affected=Affected.ME, has_workaround=False), Priority.QUICK),
        (PriorityAnswers(affected=Affected.GROUP, has_workaround=False), Priority.QUICK),
        (PriorityAnswers(affected=Affected.ORGANIZATION, has_workaround=True), Priority.NORMAL),
        (PriorityAnswers(affected=Affected.ME, has_workaround=True), Priority.NORMAL),
        (PriorityAnswers(planned_work=True, affected=Affected.ORGANIZATION), Priority.SCHEDULED),
        (PriorityAnswers(), Priority.NORMAL),
    ],
)
def test_guide_questions_suggest_priority(answers: PriorityAnswers, expected: Priority) -> None:
    suggestion = suggest_priority(answers)
    assert suggestion.priority is expected
    assert f"Priority {int(expected)}" in suggestion.reason


def test_thirteen_guide_statuses_with_categories() -> None:
    assert len(GUIDE_STATUSES) == 13
    by_category: dict[StatusCategory, int] = {}
    for status in GUIDE_STATUSES:
        by_category[status.category] = by_category.get(status.category, 0) + 1
    assert by_category == {
        StatusCategory.NEW: 4, StatusCategory.SCHEDULED: 2, StatusCategory.WORKING: 2,
        StatusCategory.ON_HOLD: 2, StatusCategory.WAITING_ON_YOU: 1, StatusCategory.PENDING_CLOSURE: 1,
        StatusCategory.CLOSED: 1,
    }


def test_status_lookup_is_loose_about_case_and_dashes() -> None:
    statuses = StatusMap()
    assert statuses.category("pending closure") is StatusCategory.PENDING_CLOSURE
    assert statuses.category("New - Emailed Client") is StatusCategory.NEW
    assert statuses.canonical("waiting on client") == "Waiting on client"
    assert statuses.resolve("Waiting on client").action is UserAction.REPLY
    assert statuses.resolve("Completed").action is UserAction.REOPEN
    assert statuses.resolve("Pending Closure").action is UserAction.CLOSE_OR_REPLY


def test_unknown_status_counts_as_working_and_keeps_its_name() -> None:
    unknown = StatusMap().resolve("Escalated to vendor")
    assert unknown.category is StatusCategory.WORKING
    assert unknown.name == "Escalated to vendor"
    assert unknown.known is False


def test_needs_user_categories() -> None:
    assert {c for c in StatusCategory if c.needs_user} == {StatusCategory.WAITING_ON_YOU, StatusCategory.PENDING_CLOSURE}
    assert not StatusCategory.CLOSED.is_open


def test_status_map_round_trip_with_own_names() -> None:
    custom = StatusMap.from_list([{"name": "Awaiting customer", "category": "waiting-on-you", "meaning": "We need you", "action": "reply"}])
    assert StatusMap.from_list(custom.to_list()) == custom
    assert custom.category("awaiting customer") is StatusCategory.WAITING_ON_YOU
