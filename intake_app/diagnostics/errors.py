"""Errors raised by diagnostics, screenshots and image handling.

Every one carries a sentence the end user can read as-is (the report window shows
it verbatim); none of them ever includes file contents or pixel data.
"""

from __future__ import annotations

from intake_app.errors import IntakeError


class DiagnosticsError(IntakeError):
    """Base for everything this package raises on purpose."""


class CaptureError(DiagnosticsError):
    """The screen could not be captured (no display, no such monitor, empty region)."""


class AttachmentError(DiagnosticsError):
    """A file or clipboard content cannot become an attachment.

    ``reason`` is a short machine-readable tag (``empty``, ``too_large``, ``not_a_file``,
    ``directory``, ``unreadable``, ``not_an_image``, ``corrupt``, ``bomb``, ``missing``)
    so the UI and tests can branch without parsing the sentence.
    """

    def __init__(self, message: str, *, reason: str, filename: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.filename = filename

    def __reduce__(self) -> tuple[object, ...]:  # picklable across processes despite keyword-only fields
        return (_rebuild, (type(self), str(self), {"reason": self.reason, "filename": self.filename}))


class BudgetError(DiagnosticsError):
    """The attachments cannot fit the size budget even after compression.

    ``offender`` names the file that is over (empty when only the sum is), ``excess``
    is by how many bytes the budget is exceeded.
    """

    def __init__(self, message: str, *, offender: str = "", excess: int = 0) -> None:
        super().__init__(message)
        self.offender = offender
        self.excess = excess

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), str(self), {"offender": self.offender, "excess": self.excess}))


def _rebuild(cls: type[Exception], message: str, fields: dict[str, object]) -> Exception:
    return cls(message, **fields)
