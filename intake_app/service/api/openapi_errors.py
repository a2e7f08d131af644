"""The error answers of docs/API.md, documented on every operation of the OpenAPI document.

Every route can answer with the one error shape (``{"error": {"code", "message", "details"}}``):
401 without a valid token, 404 for what the caller may not see, 413/400 from the request limits,
429 from the rate limits, 503 when the helpdesk (or the mail server) is away. Listing them on each
operation keeps the document honest for generated clients and for schema fuzzing (schemathesis);
it also replaces FastAPI's default 422 schema, which is not the shape this API sends.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="stable code: bad_request, validation_failed, unauthorized, forbidden, "
                                  "not_found, method_not_allowed, conflict, too_large, rate_limited, "
                                  "helpdesk_unavailable, mail_unavailable, internal")
    message: str = Field(description="one sentence for a person")
    details: dict[str, Any] = Field(description="validation_failed: field -> message")


class ErrorBody(BaseModel):
    error: ErrorDetail


_WHEN = {
    400: "Malformed JSON or multipart, JSON nested too deep, an unexpected part",
    401: "Missing, unknown or revoked token (enrol again)",
    403: "A role is missing (device vs technician, primary contact)",
    404: "No such resource, or not the caller's to see (never 403)",
    409: "Not possible in the current state",
    413: "Over a size or count limit",
    422: "Validation failed: details maps field -> message",
    429: "Rate limited; see Retry-After",
    500: "An unexpected error (logged by the service)",
    503: "The helpdesk or the mail server cannot be reached now; see Retry-After",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}


def error_responses() -> dict[int | str, dict[str, Any]]:
    """``responses=`` for ``include_router``: the error shape under each status this API uses."""
    return {status: {"model": ErrorBody, "description": text,
                     **({"headers": _RETRY_AFTER} if status in (429, 503) else {})}
            for status, text in _WHEN.items()}
