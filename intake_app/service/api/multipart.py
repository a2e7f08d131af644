"""Streaming ``multipart/form-data`` for tickets and replies, with the API's limits.

One JSON part (``ticket`` or ``reply``) is kept in memory (bounded); each
``attachment:<key>`` part streams straight into a staged file in the service's
outbox folder while its size and SHA-256 are counted, so a 25 MiB screenshot is
never held in memory and an oversize part is refused as it arrives.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

from intake_app.service.errors import BadRequest, ServiceError, TooLarge
from intake_app.service.files import FileStore, StagedFile
from intake_app.service.limits import MAX_ATTACHMENT, MAX_ATTACHMENTS, MAX_TICKET_JSON, check_depth

ATTACHMENT_PREFIX = "attachment:"
FLUSH_BYTES = 256 * 1024


class MultipartUpload:
    """The parsed request: the JSON part's value and the staged attachment files by key."""

    def __init__(self, json_name: str, files: FileStore) -> None:
        self.json_name = json_name
        self.files = files
        self.document: Any = None
        self.parts: dict[str, StagedFile] = {}
        self._json: bytearray | None = None
        self._seen: set[str] = set()
        self._target: StagedFile | None = None
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._done = False
        self._error: ServiceError | None = None

    def discard(self) -> None:
        """Remove every staged file not yet committed (always safe to call)."""
        for staged in self.parts.values():
            staged.discard()

    # -- python-multipart callbacks ------------------------------------------------------

    def on_part_begin(self) -> None:
        self._headers = {}
        self._target = None
        self._json = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if not name:
            raise BadRequest("A multipart part has no name (Content-Disposition: form-data; name=...).")
        if name in self._seen:
            raise BadRequest(f"The part {name!r} appears twice.")
        self._seen.add(name)
        if name == self.json_name:
            self._json = bytearray()
        elif name.startswith(ATTACHMENT_PREFIX) and len(name) > len(ATTACHMENT_PREFIX):
            if len(self.parts) >= MAX_ATTACHMENTS:
                raise TooLarge(f"At most {MAX_ATTACHMENTS} attachments per request.")
            key = name[len(ATTACHMENT_PREFIX):]
            self._target = self.files.stage(MAX_ATTACHMENT, f"The attachment {key!r}")
            self.parts[key] = self._target
        else:
            raise BadRequest(f"Unexpected part {name!r}: expected {self.json_name!r} and attachment:<key> parts.")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._target is not None:
            self._target.write(data[start:end])
        elif self._json is not None:
            self._json += data[start:end]
            if len(self._json) > MAX_TICKET_JSON:
                raise TooLarge(f"The {self.json_name} part is larger than {MAX_TICKET_JSON // (1024 * 1024)} MiB.")

    def on_part_end(self) -> None:
        if self._json is not None:
            self.document = _parse_json(bytes(self._json), self.json_name)
        self._json = None
        self._target = None

    def on_end(self) -> None:
        self._done = True

    # -- driving ---------------------------------------------------------------------------

    async def read(self, request: Request, boundary: bytes) -> None:
        callbacks: Any = {name: getattr(self, name) for name in (
            "on_part_begin", "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
            "on_part_data", "on_part_end", "on_end")}
        parser = MultipartParser(boundary, callbacks, max_header_count=16)
        pending = bytearray()
        try:
            async for chunk in request.stream():
                pending += chunk
                if len(pending) >= FLUSH_BYTES:
                    data, pending = bytes(pending), bytearray()
                    await anyio.to_thread.run_sync(parser.write, data)
            if pending:
                await anyio.to_thread.run_sync(parser.write, bytes(pending))
            parser.finalize()
        except MultipartParseError as exc:
            raise BadRequest(f"The multipart body is malformed: {exc}") from None
        except ClientDisconnect:
            raise BadRequest("The client went away before the whole request arrived.") from None
        if not self._done:
            raise BadRequest("The multipart body ended before its closing boundary.")
        if self.document is None:
            raise BadRequest(f"The request has no {self.json_name!r} part with the JSON document.")


def boundary_of(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        raise BadRequest("Send multipart/form-data (or application/json without attachments).")
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadRequest("The multipart Content-Type has no boundary.")
    return boundary


def _parse_json(data: bytes, name: str) -> Any:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        raise BadRequest(f"The {name!r} part is not valid JSON.") from None
    check_depth(value)
    return value
