"""The app's windows, each built on first use and kept (one of each), shown non-modal.

Split out of ``app.py`` so the composition root stays small: this module knows
how to build the Report window (from the colleague's ``ReportWindow`` and the
services ``app.py`` owns), the tickets window (issue 7), About, Call support and
Settings, and how to bring one to the front. Tests replace ``capture`` or the
report/tickets factories through the constructor.

The Report window is built ahead, hidden, while the app is idle (:meth:`WindowKeeper.prebuild`,
from the app's warm-up and again a few seconds after a report closes), so a click only
fills it in and shows it (goal: painted ≤ 100 ms). With an injected ``report_factory``
nothing is built ahead: the factory is called at each open, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from intake_app import __version__

if TYPE_CHECKING:
    from intake_app.app import IntakeApp

log = logging.getLogger(__name__)

Capture = Callable[[], list[Any]]  # runs on a worker; returns diagnostics Screenshots (or labelled pictures)
ReportFactory = Callable[["IntakeApp", list[Any]], QWidget]  # (app, shots) -> a new report window
TicketsFactory = Callable[["IntakeApp"], QWidget]  # returns the (kept) My tickets window

PREBUILD_AFTER_CLOSE_MS = 3000  # a report closed (or the outbox opened late): build the next one ahead, once


def default_capture() -> list[Any]:
    """Every screen, in memory, as the labelled pictures the report window shows: grabbed over the
    screen grabber's open connection (``diagnostics.screen_grabber``) and converted to pictures here,
    on the worker, so the GUI thread gets them ready."""
    from intake_app.ui.report.grabber import capture_labelled

    return capture_labelled()


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
        self.prebuilt: QWidget | None = None  # a hidden ReportWindow, built ahead and not offered yet
        self._pending_shots: list[Any] | None = None
        self._prebuild_wanted = False  # asked before the outbox was open: build once it is
        self._report_open = False  # the report window is open (between open_report and its ``closed``)
        self._quitting = False
        self._prebuild_timer = QTimer(self)
        self._prebuild_timer.setSingleShot(True)
        self._prebuild_timer.setInterval(PREBUILD_AFTER_CLOSE_MS)
        self._prebuild_timer.timeout.connect(self.prebuild)

    def attach(self, app: IntakeApp) -> None:
        self.app = app
        app.link.outbox_ready.connect(self._outbox_ready)
        app.quitting.connect(self._stop_prebuilding)

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
        """Show the Report window with ``shots``: the one built ahead when there is one (filled in now with
        the current profile, policy, outbox and draft), else a new one from the factory."""
        app = self._app()
        if self._report_factory is None and app.link.outbox is None:
            self._pending_shots = shots  # the outbox opens in a moment (start-up); then we show
            return
        self._prebuild_timer.stop()
        if self.report is not None:  # the last report was closed (a visible one is only raised)
            self.report.deleteLater()
        window = self._offer_prebuilt(app, shots)
        if window is None:
            factory = self._report_factory or _build_report_window
            window = factory(app, shots)
        self.report = window
        closed = getattr(window, "closed", None)  # a ReportWindow; an injected factory's window may have none
        if closed is not None and self._report_factory is None:
            closed.connect(self._report_closed)
            self._report_open = True
        window.setWindowTitle(app.title(window.windowTitle() or self.tr("Report a problem")))
        self.present(window)
        log.info("report window shown with %d screenshot(s) offered", len(shots))
        self.report_shown.emit(len(shots))

    def prebuild(self) -> bool:
        """Build the next Report window now, hidden, and render it once off-screen (polish, layout, paint),
        so a click only fills it in. Called while idle: by the app's warm-up, and from a single-shot timer
        after a report closes. Does nothing (returns False) with an injected factory, while quitting,
        while a report is open, when one is already built, or before the outbox is open (then it builds
        a few seconds after the outbox opens)."""
        app = self.app
        if app is None or self._quitting or self._report_factory is not None or self.prebuilt is not None:
            return False
        if app.link.outbox is None:
            self._prebuild_wanted = True
            return False
        if self.report is not None:
            if self.report.isVisible() or self._report_open:  # in use (hidden only while it grabs a screen)
                return False
            if not getattr(getattr(self.report, "flow", None), "busy", False):  # still sending: keep it
                self.report.deleteLater()  # closed: its screenshots need not stay in memory at rest
                self.report = None
        self._prebuild_wanted = False
        window = _build_report_window(app, [], open_now=False)
        window.ensurePolished()
        layout = window.layout()
        if layout is not None:
            layout.activate()
        window.grab()  # the first paint: styles, fonts, glyphs and the widgets' caches, off-screen
        self.prebuilt = window
        log.info("report window built ahead (hidden)")
        return True

    def _offer_prebuilt(self, app: IntakeApp, shots: list[Any]) -> QWidget | None:
        """The window built ahead, filled in with the current services and ``shots``; None to build anew."""
        window, self.prebuilt = self.prebuilt, None
        if window is None:
            return None
        services = app.report_services()  # the current profile, policy, outbox and API
        reason = window.stale_reason(services)  # type: ignore[attr-defined]
        if reason:
            log.info("the report window built ahead is out of date (%s): building a new one", reason)
            window.deleteLater()
            return None
        window.offer(shots, services)  # type: ignore[attr-defined]
        return window

    def _report_closed(self) -> None:
        self._report_open = False
        if not self._quitting and self._report_factory is None:
            self._prebuild_timer.start()

    def _stop_prebuilding(self) -> None:
        self._quitting = True
        self._prebuild_timer.stop()

    def _outbox_ready(self) -> None:
        if self._pending_shots is not None:
            shots, self._pending_shots = self._pending_shots, None
            self.open_report(shots)
        elif self._prebuild_wanted and not self._quitting:
            self._prebuild_timer.start()

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
        """At quit: every window closed and deleted; nothing more is built ahead."""
        self._stop_prebuilding()
        for name in ("report", "prebuilt", "about", "support", "settings"):
            window = getattr(self, name)
            if window is not None:
                window.close()
                window.deleteLater()
                setattr(self, name, None)


def _build_report_window(app: IntakeApp, shots: list[Any], *, open_now: bool = True) -> QWidget:
    """The Report-a-problem window with the screens grabbed before it appeared, offered to keep or drop
    (``open_now=False``: built ahead, hidden; :meth:`ReportWindow.offer` opens it)."""
    from intake_app.ui.report.window import ReportWindow

    return ReportWindow(app.report_services(), shots, open_now=open_now)


def _diagnostics_text(app: IntakeApp) -> Callable[[], str]:
    probes = app.admin.probes

    def collect() -> str:
        from intake_app.diagnostics.snapshot import collect_snapshot

        return collect_snapshot(probes).text

    return collect
