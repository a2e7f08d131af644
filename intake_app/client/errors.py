"""Typed errors of the Intake API client, each with a sentence the UI can show as-is.

The UI and the CLI never look at HTTP status codes: they catch one of these and
show ``str(error)`` (the user-facing message). ``retryable`` tells the outbox
whether the same request may simply be sent again later; ``retry_after`` is the
server's wish in seconds when it gave one.
"""

from __future__ import annotations

from typing import Any

from intake_app.errors import IntakeError

OFFLINE_MESSAGE = (
    "The helpdesk service can't be reached. Check your network connection; "
    "anything you submit is kept and sent automatically when the service is back."
)
UNAUTHORIZED_MESSAGE = (
    "This computer is no longer enrolled with the helpdesk service. "
    "Enrol it again (intake-app enroll); nothing you submitted is lost."
)
SERVER_MESSAGE = "The helpdesk service had a problem ({status}). Please try again in a few minutes."
PROTOCOL_MESSAGE = (
    "The helpdesk service sent an answer this app does not understand ({what}). "
    "A proxy or captive portal may be in the way; please try again later."
)


class ClientError(IntakeError):
    """Base of every API client error; ``str(err)`` is the user-facing message."""

    retryable: bool = False
    never_sent: bool = False  # the request certainly did not reach the service (safe to repeat a POST)

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.detail = detail  # technical detail for the log, never secrets

    @property
    def user_message(self) -> str:
        return str(self)


class OfflineError(ClientError):
    """Connection refused, DNS failure, timeout: the service could not be reached."""

    retryable = True

    def __init__(self, detail: str = "", *, message: str = OFFLINE_MESSAGE) -> None:
        super().__init__(message, detail=detail)


class UnauthorizedError(ClientError):
    """401: the device token is missing, unknown or revoked; the device must enrol again."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(UNAUTHORIZED_MESSAGE, status=401, detail=detail)


class RejectedError(ClientError):
    """A 4xx answer: the service understood the request and said no, with its reason.

    ``code`` is the API's stable error code (``validation_failed``, ``not_found``,
    ``conflict``, ...); ``problems`` maps field -> message for validation errors.
    """

    def __init__(self, message: str, *, status: int, code: str = "", problems: dict[str, str] | None = None,
                 retry_after: float | None = None, detail: str = "") -> None:
        self.code = code
        self.problems = dict(problems or {})
        self.server_message = message
        super().__init__(_with_problems(message, self.problems), status=status, retry_after=retry_after,
                         detail=detail)
        # a rate limit or a request timeout is worth repeating later; every other "no" is not
        self.retryable = status in (408, 429)


class ServerError(ClientError):
    """A 5xx answer: the service (or the helpdesk behind it) failed; try again later."""

    retryable = True

    def __init__(self, status: int, *, message: str = "", retry_after: float | None = None, detail: str = "") -> None:
        super().__init__(message or SERVER_MESSAGE.format(status=status), status=status, retry_after=retry_after,
                         detail=detail)


class ProtocolError(ClientError):
    """HTML, truncated or malformed JSON where the API promises JSON."""

    retryable = True

    def __init__(self, what: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(PROTOCOL_MESSAGE.format(what=what), status=status, detail=detail)


class NotEnrolledError(ClientError):
    """No device token yet: the user (or the app) must enrol first."""

    def __init__(self, message: str = "This computer is not enrolled with a helpdesk service yet. "
                 "Run: intake-app enroll --service URL --key KEY") -> None:
        super().__init__(message)


def _with_problems(message: str, problems: dict[str, str]) -> str:
    if not problems:
        return message
    lines = "\n".join(f"  - {field}: {text}" for field, text in problems.items())
    return f"{message}\n{lines}" if message else lines


def problems_from_details(details: Any) -> dict[str, str]:
    """``details`` of a ``validation_failed`` error (or FastAPI's default list) -> {field: message}."""
    if isinstance(details, dict):
        return {str(k): "; ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in details.items()}
    problems: dict[str, str] = {}
    if isinstance(details, list):  # FastAPI: [{"loc": [...], "msg": "..."}]
        for item in details:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body",))
                problems[loc or "request"] = str(item.get("msg", "invalid"))
    return problems
