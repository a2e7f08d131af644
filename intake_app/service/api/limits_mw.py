"""Request-size and JSON checks before any route runs (docs/API.md "Limits").

* A declared ``Content-Length`` over the limit is refused at once (413).
* JSON bodies are read up to their limit, parsed once and checked for nesting
  depth; malformed JSON is a 400 with the standard error shape. The body is then
  replayed to the route unchanged.
* Other bodies (multipart) stream through; the byte count is checked as they
  arrive, and going over the limit raises ``TooLarge`` inside the route.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake_app.service.api.errors import error_response
from intake_app.service.errors import BadRequest, ServiceError, TooLarge
from intake_app.service.limits import MAX_BODY, MAX_JSON_BODY, MAX_TICKET_JSON, MIB, check_depth

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def json_limit_for(path: str) -> int:
    return MAX_TICKET_JSON if path.rstrip("/").endswith("/tickets") else MAX_JSON_BODY


class RequestLimits:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY,
                 json_limit: Callable[[str], int] = json_limit_for) -> None:
        self.app = app
        self.max_body = max_body
        self.json_limit = json_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        is_json = content_type == "application/json" or content_type.endswith("+json")
        limit = self.json_limit(scope["path"]) if is_json else self.max_body
        try:
            declared = int(headers.get(b"content-length", b"-1"))
        except ValueError:
            await _send_error(scope, receive, send, BadRequest("The Content-Length header is not a number."))
            return
        if declared > limit:
            await _send_error(scope, receive, send, _too_large(limit))
            return
        if not is_json:
            await self.app(scope, _counting(receive, limit), send)
            return
        try:
            body = await _read_all(receive, limit)
            if body.strip():
                _check_json(body)
        except ServiceError as exc:
            await _send_error(scope, receive, send, exc)
            return
        await self.app(scope, _replay(body, receive), send)


def _too_large(limit: int) -> TooLarge:
    return TooLarge(f"The request is larger than the {limit // MIB} MiB this endpoint accepts.")


def _check_json(body: bytes) -> None:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BadRequest("The request body is not valid JSON.") from None
    check_depth(value)


async def _read_all(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BadRequest("The client went away before the body arrived.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counting() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(limit)
        return message

    return counting


async def _send_error(scope: Scope, receive: Receive, send: Send, exc: ServiceError) -> None:
    response = error_response(exc.status, exc.code, exc.message, exc.details,
                              {"Connection": "close"} if exc.status == 413 else None)
    await response(scope, receive, send)
