"""The exact bytes of ``POST /tickets``: a ``multipart/form-data`` body built once.

The outbox stores these bytes before any network call and resends them
unchanged, so the boundary is fixed per ticket (derived from the client ticket
id) instead of random per send. Layout (docs/API.md):

* part ``ticket`` (``application/json``): ``TicketDraft.to_dict()``, whose
  ``attachments`` list describes every file;
* one part ``attachment:<key>`` per file, with its bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from intake_app.core.ticket import Attachment, TicketDraft
from intake_app.errors import IntakeError

MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024
_UNSAFE_FILENAME = re.compile(r'[^A-Za-z0-9._ ()+,-]')


@dataclass(frozen=True)
class BuiltRequest:
    """A finished request body and the Content-Type header (with its boundary) that goes with it."""

    draft: TicketDraft  # the draft as sent: its ``attachments`` describe exactly the parts below
    body: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


class RequestTooLarge(IntakeError, ValueError):
    """The ticket breaks one of the API's size limits; the message says which."""


def build_ticket_request(draft: TicketDraft, attachments: Sequence[Attachment] = ()) -> BuiltRequest:
    """Encode ``draft`` plus ``attachments`` as the multipart body of ``POST /tickets``."""
    _check_limits(attachments)
    sent = draft.with_changes(attachments=tuple(a.info() for a in attachments))
    body, content_type = encode_multipart("ticket", sent.to_dict(), attachments, seed=sent.client_ticket_id)
    return BuiltRequest(sent, body, content_type)


def build_reply_request(text: str, attachments: Sequence[Attachment], seed: str) -> tuple[bytes, str]:
    """The multipart body of ``POST /tickets/{ref}/replies`` with files: part ``reply`` plus the files."""
    _check_limits(attachments)
    doc = {"text": text, "attachments": [a.info().to_dict() for a in attachments]}
    return encode_multipart("reply", doc, attachments, seed=seed)


def encode_multipart(json_name: str, doc: dict[str, object], attachments: Sequence[Attachment],
                     seed: str) -> tuple[bytes, str]:
    """One JSON part named ``json_name`` plus an ``attachment:<key>`` part per file -> (body, content type)."""
    doc_json = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    parts: list[tuple[str, str, str | None, bytes]] = [(json_name, "application/json", None, doc_json)]
    for item in attachments:
        parts.append((f"attachment:{item.key}", item.media_type, ascii_filename(item.filename), item.data))
    boundary = _boundary(seed, [p[3] for p in parts])
    chunks: list[bytes] = []
    for name, media_type, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {media_type}\r\n\r\n"
        chunks.extend((head.encode("ascii"), data, b"\r\n"))
    chunks.append(f"--{boundary}--\r\n".encode("ascii"))
    body = b"".join(chunks)
    if len(body) > MAX_BODY_BYTES:
        raise RequestTooLarge(f"The ticket with its attachments is {len(body) // (1024 * 1024)} MiB; "
                              f"at most {MAX_BODY_BYTES // (1024 * 1024)} MiB can be sent.")
    return body, f"multipart/form-data; boundary={boundary}"


def ascii_filename(name: str) -> str:
    """A header-safe stand-in for ``name`` (the real name travels in the ticket JSON)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_FILENAME.sub("_", base).strip() or "attachment"
    return cleaned[:120]


def _check_limits(attachments: Sequence[Attachment]) -> None:
    if len(attachments) > MAX_ATTACHMENTS:
        raise RequestTooLarge(f"{len(attachments)} attachments; at most {MAX_ATTACHMENTS} can be sent with a ticket.")
    for item in attachments:
        if item.size > MAX_ATTACHMENT_BYTES:
            raise RequestTooLarge(f"“{item.filename}” is {item.size // (1024 * 1024)} MiB; each attachment can be "
                                  f"at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB.")


def _boundary(seed: str, payloads: list[bytes]) -> str:
    """A boundary fixed by ``seed`` that occurs in none of the payloads (RFC 2046: ≤ 70 characters)."""
    for counter in range(1000):
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).hexdigest()[:40]
        boundary = f"intake-{digest}"
        needle = boundary.encode("ascii")
        if not any(needle in data for data in payloads):
            return boundary
    raise RuntimeError("no multipart boundary found")  # 1000 SHA-256 collisions: not in this universe
