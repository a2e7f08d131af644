"""Qt-free domain: tickets, priorities, statuses, response targets, escalation, validation."""
