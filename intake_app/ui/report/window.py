"""The Report-a-problem window: compose the form, review and result pages and keep them in step.

Built by ``app.py`` with a :class:`ReportServices` and the screenshots taken
when the user asked for help. Work that can take time (system information,
policy and contact from the service, draft restore, capture, encoding,
submission) runs through the task runner; the window only shows results.

Building the widgets and their first layout costs more than a click may wait
(goal: painted ≤ 100 ms), so the window can be built ahead, hidden
(``ReportWindow(services, open_now=False)``), and opened later with
:meth:`ReportWindow.offer`: everything that may change in between (profile,
device name, policy, outbox, API, a saved draft) is read only then. A window is
offered once; each report gets a fresh one.

The background jobs an open starts (system information, policy, contact on file,
the monitor list, the draft read) are launched just after the window's first
paint, not before it: on two cores their Python competes with the GUI thread for
the interpreter lock and the CPU while the window draws. Everything they drive is
already in its waiting state at open ("Collecting system information…",
"Restoring your draft…", the form disabled), so nothing looks or acts differently.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from intake_app.core.policy import Policy
from intake_app.core.ticket import TicketDraft
from intake_app.core.validation import validate_draft
from intake_app.ui.report import draft_binding, sysinfo
from intake_app.ui.report.announcements import AnnouncementBanner
from intake_app.ui.report.attachments_controller import AttachmentsController
from intake_app.ui.report.autosave import Autosaver
from intake_app.ui.report.chrome import Footer, Header
from intake_app.ui.report.draft_store import DraftLoadError, PendingAttachment
from intake_app.ui.report.form_page import FormPage
from intake_app.ui.report.ports import ReportServices, contact_from_me
from intake_app.ui.report.prefill import as_pictures, load_draft, prefill
from intake_app.ui.report.result_page import ResultPage
from intake_app.ui.report.review_page import ReviewPage
from intake_app.ui.report.submit_flow import Outcome, SubmitFlow, SubmitResult, if_alive
from intake_app.ui.report.submit_prep import prepare_attachments
from intake_app.ui.report.ticket_text import render_ticket_text
from intake_app.ui.report.timefmt import format_local, local_zone_name

log = logging.getLogger(__name__)

FORM, REVIEW, RESULT = range(3)
LAUNCH_UNPAINTED_MS = 500  # offered but not painted by then (hidden, minimised): start the background jobs anyway


class ReportWindow(QWidget):
    """``submitted(SubmitResult)`` once the ticket is stored (sent, queued or refused); ``closed()``."""

    submitted = Signal(object)
    closed = Signal()
    draft_restored = Signal()
    system_info_ready = Signal()

    def __init__(self, services: ReportServices, shots: Sequence[Any] = (), parent: QWidget | None = None,
                 *, open_now: bool = True) -> None:
        """``open_now=False`` builds the widgets only (hidden, nothing read or started): :meth:`offer` opens it."""
        super().__init__(parent, Qt.WindowType.Window)
        self.services = services
        self.policy: Policy = services.policy
        self.base = TicketDraft(app_version=services.app_version)
        self.offered = False
        self.restoring = False
        self.show_all_problems = False
        self.problems: dict[str, str] = {}
        self.dirty = False
        self.finished_result: SubmitResult | None = None
        self._sysinfo_off: set[str] = set()
        self._filling = 0
        self._pending_jobs: list[Any] = []  # what the open starts after the first paint (see _launch_jobs)
        self._launch = QTimer(self)
        self._launch.setObjectName("report.launch-after-paint")
        self._launch.setSingleShot(True)
        self._launch.timeout.connect(self._launch_jobs)
        self._built_with = (services.runner, services.drafts, services.grabber)  # wired into helpers at build
        self._brand = (services.product_name, services.accent_color)
        self.setWindowTitle(self._title(services.product_name))
        self.setAccessibleName(self.tr("Report a problem"))
        self.system_info = sysinfo.SystemInfo(services.runner, services, self)
        self.system_info.ready.connect(self._system_info_collected)
        self.autosaver = Autosaver(services.runner, services.drafts, self._draft_snapshot, parent=self)
        self.flow = SubmitFlow(services.runner, services.outbox, lambda: self.services.api, services.drafts.discard,
                               self)
        self._build()
        self.flow.finished.connect(self._submit_finished)
        self.flow.helpdesk_number.connect(self.result.set_helpdesk_number)
        if open_now:
            self.offer(shots)
        else:
            self._ready_ahead()

    # -- opening ----------------------------------------------------------------------------

    def stale_reason(self, services: ReportServices) -> str:
        """Why this window cannot be offered with ``services`` ("" when it can): what was fixed when it was
        built and has changed since. The caller then builds a fresh window (correct first, fast second)."""
        if self.offered:
            return "already offered"
        runner, drafts, grabber = self._built_with
        if services.runner is not runner or services.drafts is not drafts or services.grabber is not grabber:
            return "other task runner, draft store or screen grabber"
        if local_zone_name() != self.form.availability.zone:
            return "the time zone changed"
        return ""

    def offer(self, shots: Sequence[Any] = (), services: ReportServices | None = None) -> None:
        """Open time: read what may have changed since the build (``services``, default the ones built with:
        profile, device name, policy, outbox, API, branding), restore a saved draft, add ``shots`` and start
        the background work. Once per window; raises ValueError when :meth:`stale_reason` says no."""
        services = services or self.services
        reason = self.stale_reason(services)
        if reason:
            raise ValueError(f"this report window cannot be offered: {reason}")
        self.offered = True
        self.services = services
        self.system_info.use(services)
        self.flow.use_outbox(services.outbox)
        self.base = TicketDraft(app_version=services.app_version)
        if (services.product_name, services.accent_color) != self._brand:
            self._brand = (services.product_name, services.accent_color)
            self.setWindowTitle(self._title(services.product_name))
            self.header.set_brand(services.product_name, services.accent_color)
            self.footer.set_accent(services.accent_color)
        if services.policy is not self.policy:  # /meta answered after the build
            self.policy = services.policy
            self.form.priority.set_policy(self.policy)
        self._fit_to_screen()
        self._prefill()
        self._start(list(shots))

    def _title(self, product_name: str) -> str:
        return self.tr("%1 – Report a problem").replace("%1", product_name)

    # -- building -------------------------------------------------------------------------

    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.header = Header(self.services.product_name, self.services.accent_color, self)
        self.banner = AnnouncementBanner(self)
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("Notice"))
        self.notice.hide()
        for widget in (self.header, self.banner, self.notice):
            root.addWidget(widget)
        body = QHBoxLayout()
        self.nav = QListWidget(self)
        self.nav.setAccessibleName(self.tr("Sections"))
        self.nav.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 14)
        self.stack = QStackedWidget(self)
        self.form = FormPage(self.policy, parent=self)
        self.review = ReviewPage(self)
        self.result = ResultPage(self)
        for page in (self.form, self.review, self.result):
            self.stack.addWidget(page)
        self.nav.addItems([title for title, _section in self.form.sections()] + [self.tr("Review and send")])
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        root.addLayout(body, 1)
        self.footer = Footer(self.services.accent_color, self)
        root.addWidget(self.footer)
        self.next_button, self.back_button = self.footer.next_button, self.footer.back_button
        self.submit_button, self.reason = self.footer.submit_button, self.footer.reason

        self.attachments = AttachmentsController(self.form.strip, self, self.services.runner,
                                                 self.services.grabber, self)
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.form.changed.connect(self._changed)
        self.form.touched_changed.connect(self._revalidate)
        self.review.parts_changed.connect(self._changed)
        self.footer.fix_requested.connect(self._go_to_problem)
        self.next_button.clicked.connect(self.go_to_review)
        self.back_button.clicked.connect(self.go_to_form)
        self.submit_button.clicked.connect(self.submit)
        self.footer.close_button.clicked.connect(self.close)
        self.footer.discard_button.clicked.connect(self._confirm_discard)
        self.result.close_requested.connect(self.close)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self._primary_action)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.close)
        self._fit_to_screen()
        self._show_page(FORM)

    def _ready_ahead(self) -> None:
        """Built ahead: do now what the open would otherwise do first while the user waits (read-only,
        nothing shown): make the native window (~10 ms at ``show()``) and take the code path the open's
        validation takes once (the first read of the text document builds its Python types, ~4 ms)."""
        self.winId()
        draft_binding.draft_from_form(self.form, self.base, None, "")

    def _fit_to_screen(self) -> None:
        """960×860, or 90 % of a smaller screen (at open again: the screens may have changed since the build)."""
        screen = self.screen().availableGeometry()
        size = (min(960, screen.width() * 9 // 10), min(860, screen.height() * 9 // 10))
        if (self.width(), self.height()) != size:
            self.resize(*size)

    def _prefill(self) -> None:
        self._filling += 1
        try:
            prefill(self.form, self.services)
            self.banner.set_announcements(self.policy.active_announcements())
        finally:
            self._filling -= 1
        self._revalidate()

    def _start(self, shots: list[Any]) -> None:
        """Show the open's starting state now; queue its background jobs for after the first paint."""
        runner, services = self.services.runner, self.services
        pictures = as_pictures(shots)
        jobs: list[Any] = [self.system_info.start]
        self.system_info.expect()
        if services.api is not None:
            api = services.api
            jobs.append(lambda: runner.run_task(api.policy, if_alive(self, self._policy_loaded), name="report.policy"))
            jobs.append(lambda: runner.run_task(api.me, if_alive(self, self._me_loaded), name="report.me"))
        jobs.append(self.attachments.load_monitors)
        if services.drafts.exists():
            self.form.setEnabled(False)
            self.restoring = True
            self._set_notice(self.tr("Restoring your draft…"))
            jobs.append(lambda: runner.run_task(lambda: load_draft(services),
                                                if_alive(self, lambda r, e: self._restored(r, e, pictures)),
                                                serial=True, name="report.restore"))
        else:
            self._add_asked(pictures)
            self.draft_restored.emit()
        self.form.problem.summary.setFocus()
        self._pending_jobs = jobs
        self._launch.start(LAUNCH_UNPAINTED_MS)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._pending_jobs and self._launch.interval() != 0:
            self._launch.start(0)  # right after this paint reaches the screen

    def _launch_jobs(self) -> None:
        """Start the open's background jobs (once), in the order the open queued them."""
        self._launch.stop()
        jobs, self._pending_jobs = self._pending_jobs, []
        for job in jobs:
            job()

    def _add_asked(self, pictures: list[Any]) -> None:
        """The shots taken when the user asked: shown, but not a reason to write a draft yet."""
        self._filling += 1
        try:
            self.attachments.add_pictures(pictures, "asked")
        finally:
            self._filling -= 1

    # -- the draft --------------------------------------------------------------------------

    def current_draft(self) -> TicketDraft:
        """The ticket as it stands, system information (minus what is switched off) included."""
        document, text = self.system_info.for_draft(self.review.switched_off())
        return draft_binding.draft_from_form(self.form, self.base, document, text)

    def _draft_snapshot(self) -> tuple[TicketDraft, list[PendingAttachment], dict[str, Any]]:
        draft = draft_binding.draft_from_form(self.form, self.base, None, "")
        attachments = [PendingAttachment(i.key, i.filename, i.kind, i.revision, i.producer(), i.meta())
                       for i in self.form.strip.items]
        return draft, attachments, draft_binding.ui_state(self.form, self.review.switched_off())

    def _restored(self, result: Any, error: BaseException | None, pictures: list[Any]) -> None:
        self.form.setEnabled(True)
        self.restoring = False
        if isinstance(error, DraftLoadError):
            self._set_notice(str(error))
        elif error is not None:
            self._set_notice(self.tr("Your saved draft could not be restored: %1").replace("%1", str(error)))
        elif result is not None:
            stored, items = result
            self._filling += 1
            try:
                self.base = draft_binding.apply(self.form, stored.draft, stored.ui_state)
                self._sysinfo_off = set(stored.ui_state.get("sysinfo_off") or [])
                for item in items:
                    self.form.strip.add_item(item, select=False)
            finally:
                self._filling -= 1
            self.dirty = True
            when = format_local(stored.saved_at)
            notes = [self.tr("Your draft from %1 was restored.").replace("%1", when), *stored.problems]
            self._set_notice("\n".join(notes))
        else:
            self._set_notice("")
        self._add_asked(pictures)
        self._revalidate()
        self.draft_restored.emit()

    def _changed(self) -> None:
        if self._filling:
            return
        self.dirty = True
        self.autosaver.schedule()
        self._revalidate()

    def _revalidate(self) -> None:
        draft = self.current_draft()
        problems = validate_draft(draft)
        problems.update(self.form.contact.local_problems())
        self.problems = problems
        self.form.show_problems(problems, self.show_all_problems)
        if self.stack.currentIndex() == REVIEW:
            self.review.set_text(self._ticket_text(draft))
        self._update_footer()

    def _ticket_text(self, draft: TicketDraft) -> str:
        infos = draft_binding.preview_infos(self.form.strip.items)
        return render_ticket_text(draft, self.policy, infos, draft.system_info_text)

    def submit_blocker(self) -> str:
        """Why Submit is disabled (empty when it is not)."""
        if self.flow.busy:
            return self.tr("Sending…")
        if self.problems:
            first = next(iter(self.problems.values()))
            more = len(self.problems) - 1
            return first + (self.tr(" (and %1 more)").replace("%1", str(more)) if more else "")
        if self.system_info.collecting:
            return self.tr("Collecting system information (a few seconds)…")
        return ""

    def _update_footer(self) -> None:
        page = self.stack.currentIndex()
        blocker = self.submit_blocker()
        fix_field = next(iter(self.problems), None) if self.problems and not self.flow.busy else None
        self.footer.update_state(on_form=page == FORM, on_review=page == REVIEW, blocker=blocker,
                                 fix_field=fix_field)

    # -- navigation ---------------------------------------------------------------------------

    def go_to_review(self) -> None:
        self.show_all_problems = True
        self._show_page(REVIEW)
        self._revalidate()
        self.review.text.setFocus()

    def go_to_form(self) -> None:
        self._show_page(FORM)
        self.form.problem.summary.setFocus()

    def _show_page(self, page: int) -> None:
        self.stack.setCurrentIndex(page)
        self.nav.setVisible(page != RESULT)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(self.nav.count() - 1 if page == REVIEW else (0 if page == FORM else -1))
        self.nav.blockSignals(False)
        self._update_footer()

    def _nav_changed(self, row: int) -> None:
        sections = self.form.sections()
        if row == len(sections):
            self.go_to_review()
        elif 0 <= row < len(sections):
            self._show_page(FORM)
            self.form.scroll_to(sections[row][1])

    def _go_to_problem(self, field: str) -> None:
        self.show_all_problems = True
        self._show_page(FORM)
        self._revalidate()
        self.form.focus_field(field)

    def _primary_action(self) -> None:
        page = self.stack.currentIndex()
        if page == FORM:
            self.go_to_review()
        elif page == REVIEW and self.submit_button.isEnabled():
            self.submit()

    # -- submit -------------------------------------------------------------------------------

    def submit(self) -> None:
        self.show_all_problems = True
        self._revalidate()
        if self.submit_blocker():
            return
        draft = self.current_draft().with_changes(created_at=datetime.now(timezone.utc))
        producers = [(item, item.producer()) for item in self.form.strip.items]
        budget = self.services.attachment_budget
        self.autosaver.stop()
        self.flow.submit(draft, lambda: prepare_attachments(producers, budget))
        self.form.setEnabled(False)
        self._update_footer()

    def _submit_finished(self, result: SubmitResult) -> None:
        self.form.setEnabled(True)
        if result.outcome is Outcome.FAILED:
            self.autosaver.enabled = True
            self.autosaver.schedule()
            self._set_notice(result.message)
            self._update_footer()
            return
        self.finished_result = result
        self.dirty = False
        self.result.show_result(result, self.policy)
        self._show_page(RESULT)
        self.submitted.emit(result)

    # -- background results -------------------------------------------------------------------

    def _system_info_collected(self) -> None:
        document = self.system_info.document
        if document is None:
            self.review.set_status(self.tr("System information could not be collected (%1); the ticket is sent "
                                           "without it.").replace("%1", self.system_info.error))
        else:
            self.review.set_status("")
            self.review.set_parts(sysinfo.present_parts(document), self._sysinfo_off)
        self._revalidate()
        self.system_info_ready.emit()

    def _policy_loaded(self, policy: Policy | None, error: BaseException | None) -> None:
        if error is not None or policy is None:
            log.info("policy not refreshed (%s); using the last known one", error)
            return
        self.policy = policy
        self.form.priority.set_policy(policy)
        self.banner.set_announcements(policy.active_announcements())
        self._revalidate()

    def _me_loaded(self, me: Any, error: BaseException | None) -> None:
        if error is not None:
            log.info("contact on file not available (%s)", error)
            return
        self._filling += 1
        try:
            self.form.contact.set_contact_on_file(contact_from_me(me))
        finally:
            self._filling -= 1
        self._revalidate()

    # -- closing ------------------------------------------------------------------------------

    def _confirm_discard(self) -> None:
        answer = QMessageBox.question(self, self.tr("Discard draft"),
                                      self.tr("Delete this report and its screenshots? This cannot be undone."))
        if answer == QMessageBox.StandardButton.Yes:
            self.discard_draft()

    def discard_draft(self) -> None:
        self.autosaver.stop()
        self.dirty = False
        drafts = self.services.drafts
        self.services.runner.run_task(drafts.discard, None, serial=True, name="report.discard")
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._pending_jobs:  # closed before its first paint (or at quit): start none of them; the saved
            self._launch.stop()  # draft stays on disk untouched, and no HTTP call delays the app's exit
            self._pending_jobs = []
        if self.dirty and self.finished_result is None and self.autosaver.enabled:
            self.autosaver.save_now()
        self.autosaver.stop()
        self.attachments.stop()
        self.flow.stop()
        super().closeEvent(event)
        self.closed.emit()

    def _set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
