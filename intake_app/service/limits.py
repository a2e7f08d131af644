"""Request limits from docs/API.md, in one place (the API enforces them while streaming)."""

from __future__ import annotations

from typing import Any

from intake_app.service.errors import BadRequest

MIB = 1024 * 1024
MAX_BODY = 64 * MIB  # a whole multipart request
MAX_ATTACHMENTS = 20
MAX_ATTACHMENT = 25 * MIB
MAX_TICKET_JSON = 4 * MIB  # the "ticket" part (system information can be long)
MAX_JSON_BODY = 1 * MIB  # plain JSON requests
MAX_JSON_DEPTH = 32
MAX_PART_HEADERS = 16 * 1024


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """BadRequest when JSON nests deeper than ``limit`` (iterative: no recursion on hostile input)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise BadRequest(f"The JSON is nested more than {limit} levels deep.")
        stack.extend((child, depth + 1) for child in children)
