"""Attachments for Submit: bytes made on the worker, then fitted to the size budget.

Runs on the outbox worker, never on the GUI thread: encoding a screenshot (with
its black boxes burned in) takes tens of milliseconds per screen, and fitting
the budget may recompress the largest screenshots (diagnostics' ``fit_to_budget``:
other files are never altered; when nothing fits, its BudgetError names the file
to remove, and the window shows that sentence with the draft intact).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from intake_app.core.ticket import Attachment
from intake_app.diagnostics.budget import fit_to_budget
from intake_app.ui.report.shots import AttachmentItem, to_attachment


def prepare_attachments(producers: Sequence[tuple[AttachmentItem, Callable[[], bytes]]],
                        budget: int) -> list[Attachment]:
    attachments = [to_attachment(item, produce()) for item, produce in producers]
    return list(fit_to_budget(attachments, budget).attachments)
