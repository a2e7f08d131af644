"""Errors of the service layer, each with the API's stable ``code`` and HTTP status.

The services raise these; the API turns them into ``{"error": {...}}`` responses
(docs/API.md) and the admin CLI into one sentence. Messages are for people.
"""

from __future__ import annotations

from typing import Any

from intake_app.errors import IntakeError


class ServiceError(IntakeError):
    status = 500
    code = "internal"

    def __init__(self, message: str, details: dict[str, Any] | None = None, *,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.retry_after = retry_after


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class TooLarge(ServiceError):
    status, code = 413, "too_large"


class Invalid(ServiceError):
    """422: ``details`` maps field -> message (the same messages as ``core.validation``)."""

    status, code = 422, "validation_failed"

    def __init__(self, problems: dict[str, str], message: str | None = None) -> None:
        first = next(iter(problems.values()), "The request is not valid.")
        super().__init__(message or first, dict(problems))


class RateLimited(ServiceError):
    status, code = 429, "rate_limited"


class HelpdeskDown(ServiceError):
    status, code = 503, "helpdesk_unavailable"


class MailDown(ServiceError):
    status, code = 503, "mail_unavailable"
