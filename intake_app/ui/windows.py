"""The app's windows, each built on first use and kept (one of each), shown non-modal.

Split out of ``app.py`` so the composition root stays small: this module knows
how to build the Report window (from the colleague's ``ReportWindow`` and the
services ``app.py`` owns), the tickets window (issue 7), About, Call support and
Settings, and how to bring one to the front. Tests replace ``capture`` or the
report/tickets factories through the constructor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from intake_app import __version__

if TYPE_CHECKING:
    from intake_app.app import IntakeApp

log = logging.getLogger(__name__)

Capture = Callable[[], list[Any]]  # runs on a worker; returns diagnostics Screenshots (or labelled pictures)
ReportFactory = Callable[["IntakeApp", list[Any]], QWidget]  # (app, shots) -> a new report window
TicketsFactory = Callable[["IntakeApp"], QWidget]  # returns the (kept) My tickets window


def default_capture() -> list[Any]:
    """Every screen, in memory (diagnostics' mss ``capture_now``), as the labelled pictures the report
    window shows: the pixel conversion (~10 ms per screen) happens here, on the worker."""
    from intake_app.diagnostics.capture import capture_now
    from intake_app.ui.report.grabber import label_screenshots

    return label_screenshots(capture_now())


class WindowKeeper(QObject):
    """One of each window; ``report_shown(n)`` after a report window appears with ``n`` screenshots."""

    report_shown = Signal(int)

    def __init__(self, parent: QObject | None = None, *, capture: Capture | None = None,
                 report_factory: ReportFactory | None = None, tickets_factory: TicketsFactory | None = None) -> None:
        super().__init__(parent)
        self._capture = capture or default_capture
        self._report_factory = report_factory
        self._tickets_factory = tickets_factory
        self.app: IntakeApp | None = None
        self.report: QWidget | None = None
        self.about: QWidget | None = None
        self.support: QWidget | None = None
        self.settings: QWidget | None = None
        self._pending_shots: list[Any] | None = None

    def attach(self, app: IntakeApp) -> None:
        self.app = app
        app.link.outbox_ready.connect(self._outbox_ready)

    def _app(self) -> IntakeApp:
        assert self.app is not None, "WindowKeeper.attach(app) first"
        return self.app

    @staticmethod
    def present(window: QWidget) -> None:
        """Show, un-minimise, raise and focus ``window``."""
        from PySide6.QtCore import Qt  # not at import: the app imports this module before its icon shows

        if window.windowState() & Qt.WindowState.WindowMinimized:
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()

    # --- report -----------------------------------------------------------------------------------
    def capture(self) -> list[Any]:
        """Called on a worker by the app before the report window is shown."""
        return self._capture()

    def open_report(self, shots: list[Any]) -> None:
        app = self._app()
        if self._report_factory is None and app.link.outbox is None:
            self._pending_shots = shots  # the outbox opens in a moment (start-up); then we show
            return
        if self.report is not None:  # the last report was closed (a visible one is only raised)
            self.report.deleteLater()
        factory = self._report_factory or _build_report_window
        self.report = factory(app, shots)
        self.report.setWindowTitle(app.title(self.report.windowTitle() or self.tr("Report a problem")))
        self.present(self.report)
        log.info("report window shown with %d screenshot(s) offered", len(shots))
        self.report_shown.emit(len(shots))

    def _outbox_ready(self) -> None:
        if self._pending_shots is not None:
            shots, self._pending_shots = self._pending_shots, None
            self.open_report(shots)

    # --- tickets (issue 7: the window belongs to the tickets feature, which closes it at quit) ---------
    def open_tickets(self) -> None:
        app = self._app()
        if self._tickets_factory is not None:
            self.present(self._tickets_factory(app))
        else:
            self.present(app.tickets_feature().get_window())

    # --- small dialogs ----------------------------------------------------------------------------
    def open_about(self) -> None:
        app = self._app()
        if self.about is None and app.facts is None:
            from intake_app.ui.about import gather_facts

            app.tasks.run_task(gather_facts, self._about_facts, name="identify")
            return
        if self.about is not None and not self.about.isVisible() and getattr(self.about, "facts", None) != app.facts:
            self.about.deleteLater()  # the addresses changed since (another network): show the current ones
            self.about = None
        if self.about is None:
            from intake_app.ui.about import AboutDialog

            service = (self.tr("Demo service on this computer (tickets stay here)") if app.demo
                       else str(app.admin.service_url or ""))
            self.about = AboutDialog(app.facts, product_name=app.product, version=__version__,
                                     log_dir=app.paths.log, service_text=service, tasks=app.tasks,
                                     collect_diagnostics=_diagnostics_text(app))
            self.about.setWindowTitle(app.title(self.about.windowTitle()))
        self.present(self.about)

    def _about_facts(self, facts: Any, error: BaseException | None) -> None:
        app = self._app()
        if error is not None or facts is None:
            from intake_app.ui.about import ComputerFacts

            log.warning("identify-my-PC facts failed", exc_info=error)
            facts = ComputerFacts("?", "?", ())
        app.facts = facts
        self.open_about()

    def open_support(self, phone: str, company: str) -> None:
        from intake_app.ui.support import SupportDialog

        if self.support is not None and getattr(self.support, "phone", None) != phone:
            self.support.deleteLater()  # the number changed with the policy: rebuild
            self.support = None
        if self.support is None:
            self.support = SupportDialog(phone, company=company)
            self.support.setWindowTitle(self._app().title(self.support.windowTitle()))
        self.present(self.support)

    def open_settings(self) -> None:
        app = self._app()
        if self.settings is not None and self.settings.isVisible():
            self.present(self.settings)
            return
        from intake_app.config.profile import load_profile
        from intake_app.ui.settings_dialog import SettingsDialog

        if self.settings is not None:
            self.settings.deleteLater()
        dialog = SettingsDialog(load_profile(app.paths))
        dialog.setWindowTitle(app.title(dialog.windowTitle()))
        dialog.profile_saved.connect(self._save_profile)
        self.settings = dialog
        self.present(dialog)

    def _save_profile(self, profile: Any) -> None:
        from intake_app.config.profile import save_profile

        app = self._app()
        app.tasks.run_task(lambda: save_profile(app.paths, profile), self._profile_saved, name="profile.save")

    def _profile_saved(self, _result: object, error: BaseException | None) -> None:
        app = self._app()
        if error is not None:
            app.messages.error(self.tr("Your details could not be saved: {0}").format(error), source="settings")
        else:
            app.notifier.notify(self.tr("Settings"), self.tr("Your details were saved."))

    def close_all(self) -> None:
        for name in ("report", "about", "support", "settings"):
            window = getattr(self, name)
            if window is not None:
                window.close()
                window.deleteLater()
                setattr(self, name, None)


def _build_report_window(app: IntakeApp, shots: list[Any]) -> QWidget:
    """The Report-a-problem window with the screens grabbed before it appeared, offered to keep or drop."""
    from intake_app.ui.report.window import ReportWindow

    return ReportWindow(app.report_services(), shots)


def _diagnostics_text(app: IntakeApp) -> Callable[[], str]:
    probes = app.admin.probes

    def collect() -> str:
        from intake_app.diagnostics.snapshot import collect_snapshot

        return collect_snapshot(probes).text

    return collect
