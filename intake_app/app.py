"""GUI composition root: builds every service once, wires the signals, runs the event loop.

Nothing here is global: :func:`main` builds the paths, the admin settings, the
message bridge, the task runner and the crash handler, and :class:`IntakeApp`
receives them and builds the UI from them.

Start-up is ordered for speed (SPEC §8): QApplication → single-instance check
(Qt-free) → tray icon shown → log rotation → then, from a 0-ms timer, the
single-instance server, the hotkey, the "identify my PC" facts, and the service
connection (which starts the demo service in demo mode) on workers. Windows are built on
first use. ``requests``, the client and diagnostics are imported lazily,
FastAPI/SQLAlchemy never.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from intake_app import APP_ID, APP_NAME, __version__
from intake_app.config.admin import AdminConfig, load_admin_config
from intake_app.errors import ConfigError
from intake_app.logsetup import enable_rotation, setup_logging
from intake_app.messages import Level, MessageBridge
from intake_app.paths import AppPaths, user_paths, write_private
from intake_app.ui.actions import AppActions
from intake_app.ui.crash import CrashHandler
from intake_app.ui.hotkey import DEFAULT_HOTKEY, GlobalHotkey, HotkeyStatus
from intake_app.ui.icons import Badge, app_icon, badged
from intake_app.ui.instance_client import send_command, server_name
from intake_app.ui.notifier import Notifier
from intake_app.ui.qt_compat import protect_bool_singletons
from intake_app.ui.os_signals import QuitOnSignals
from intake_app.ui.service_link import ServiceLink
from intake_app.ui.tasks import TaskRunner
from intake_app.ui.tray import TrayIcon, demo_title, tooltip_text
from intake_app.ui.windows import WindowKeeper

if TYPE_CHECKING:
    from intake_app.core.policy import Policy
    from intake_app.ui.fallback_window import FallbackWindow
    from intake_app.ui.single_instance import SingleInstance

log = logging.getLogger(__name__)

MENU_SETTLE_MS = 200  # after a tray-menu click, let the menu vanish from the screen before the grab
WARM_UP_MS = 3000  # after start: load what the first "Report a problem" needs, while the user is not waiting
HOTKEY_STATUS_FILE = "hotkey-status.json"  # in the runtime dir; `config check` reads it


@dataclass(frozen=True)
class AppOptions:
    demo: bool = False
    dialogs: bool = True  # False: --no-dialogs (tests, smoke runs): no modal dialogs at all
    command: str = "tray"  # what to open once started: tray (nothing), report, tickets-window
    tray: bool | None = None  # None: ask QSystemTrayIcon; False: force the no-tray window


class IntakeApp(QObject):
    """The running tray app. Public signals are for tests, screenshots and later issues."""

    started = Signal()  # the icon (or the no-tray window) is showing
    report_opened = Signal(int)  # the report window was shown, with this many screenshots offered
    quitting = Signal()  # shutdown has begun
    stopped = Signal()  # shutdown is complete: main() leaves the event loop on this

    def __init__(self, *, paths: AppPaths, admin: AdminConfig, options: AppOptions, messages: MessageBridge,
                 tasks: TaskRunner, crash: CrashHandler | None = None, instance: SingleInstance | None = None,
                 windows: WindowKeeper | None = None, parent: QObject | None = None,
                 instance_name: str | None = None) -> None:
        """``instance``: already the single instance (listening). ``instance_name``: become it right after
        the icon shows (:func:`main` checked before that no instance answers on it); when another launch
        got there first, hand this start's command over to it and quit."""
        super().__init__(parent)
        self.paths, self.admin, self.options = paths, admin, options
        self.messages, self.tasks, self.crash, self.instance = messages, tasks, crash, instance
        self._instance_name = instance_name
        self.demo = options.demo
        self.product = admin.branding.product_name or APP_NAME
        self.icon = app_icon(icon_path=admin.branding.icon, accent=admin.branding.accent_color)
        self.actions = AppActions(self)
        self.notifier = Notifier(self.product, self)
        self.hotkey = GlobalHotkey(messages, self)
        self.link = ServiceLink(paths, admin, tasks, messages, demo=self.demo, parent=self)
        self.windows = windows or WindowKeeper(self)
        self.tray: TrayIcon | None = None
        self.window: FallbackWindow | None = None
        self.facts: Any = None  # about.ComputerFacts once gathered
        self.tickets: Any = None  # ui.tickets.feature.TicketsFeature, built right after the icon shows
        self._needs_you = 0
        self._outbox_attention = 0
        self._report_services: Any = None
        self._capturing = False
        self._quitting = False
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(MENU_SETTLE_MS)
        self._settle.timeout.connect(self._capture_then_report)
        self._deferred = QTimer(self)
        self._deferred.setSingleShot(True)
        self._deferred.setInterval(0)
        self._deferred.timeout.connect(self._after_icon)
        self._warm = QTimer(self)
        self._warm.setSingleShot(True)
        self._warm.setInterval(WARM_UP_MS)
        self._warm.timeout.connect(self._warm_up)
        self._wire()

    # --- start ----------------------------------------------------------------------------------
    def _wire(self) -> None:
        a = self.actions
        a.report.triggered.connect(lambda: self.request_report(from_menu=True))
        a.tickets.triggered.connect(self.show_tickets)
        a.about.triggered.connect(self.show_about)
        a.support.triggered.connect(self.show_support)
        a.settings.triggered.connect(self.show_settings)
        a.quit.triggered.connect(self.quit)
        a.link_activated.connect(self.open_link)
        a.set_support_phone("")  # deployed: the MSP's, from /meta; demo: the built-in policy's, once the icon shows
        self.hotkey.activated.connect(self.request_report)
        self.link.connected.connect(self._connected)
        self.link.policy_changed.connect(self._apply_policy)
        self.link.outbox_changed.connect(self._outbox_counts)
        self.link.ticket_sent.connect(self._ticket_sent)
        if self.instance is not None:
            self.instance.command_received.connect(self.handle_command)
        if self.crash is not None:
            self.crash.crashed.connect(self._crashed)
        self.windows.attach(self)
        self.windows.report_shown.connect(self.report_opened)

    def title(self, what: str = "") -> str:
        """A window title; in demo mode it says where tickets go."""
        what = what or self.product
        return demo_title(what) if self.demo else what

    def start(self) -> None:
        """Show the icon now; everything slow follows from a 0-ms timer."""
        use_tray = self.options.tray if self.options.tray is not None else QSystemTrayIcon.isSystemTrayAvailable()
        icon = badged(self.icon, Badge.DEMO) if self.demo else self.icon
        if use_tray:
            self.tray = TrayIcon(self.actions, self.icon, self)
            self.tray.set_state(demo=self.demo)
            self.tray.set_tooltip(tooltip_text(self.product, "", (), demo=self.demo))
            self.tray.report_requested.connect(self.request_report)
            self.tray.show()
            # after show(): the icon's own X window would otherwise get every size of the window icon
            # (up to 256 px, converted for _NET_WM_ICON) before it can dock; our windows come later anyway
            QApplication.setWindowIcon(icon)
            self.notifier.use_tray(self.tray.tray)
        else:
            from intake_app.ui.fallback_window import FallbackWindow

            QApplication.setWindowIcon(icon)
            self.actions.add_shortcuts()  # a window's buttons: Ctrl+Q works from the first moment
            log.info("no system tray available: showing the app window instead")
            self.window = FallbackWindow(self.actions, self.title(), icon)
            self.window.close_requested.connect(self.quit)
            self.window.show()
            self.notifier.use_surface(self.window)
        self.notifier.attach(self.messages)
        self.started.emit()
        self._deferred.start()

    def _after_icon(self) -> None:
        """The 0-ms step once the icon shows: become the single instance, then start the slow parts."""
        if self._instance_name is not None and not self._become_instance(self._instance_name):
            return
        # logged once this is the instance (as before the server moved here): "started" = ready for commands
        log.info("started with %s%s", "the tray icon" if self.tray is not None else "the app window",
                 " (demo)" if self.demo else "")
        self.actions.add_shortcuts()
        self._start_background()

    def _become_instance(self, name: str) -> bool:
        """Listen on ``name``; False when another launch listened first (both saw no instance before
        their icons showed): this start's command was handed to it and this app quits (exit status 0)."""
        from intake_app.ui.single_instance import SingleInstance

        self._instance_name = None
        instance = SingleInstance(name, self)
        command = self.options.command
        if not instance.listen() and instance.send(command):
            log.info("handed %r to the running instance", command)
            instance.close()
            self.quit()
            return False
        self.instance = instance  # also when even the hand-over failed: keep running, as before
        instance.command_received.connect(self.handle_command)
        return True

    def _start_background(self) -> None:
        if self.demo:  # deployed: the MSP's number comes from /meta (or the cached policy below)
            from intake_app.core.policy import Policy

            self.actions.set_support_phone(Policy().support_phone)
        hotkey = self.admin.hotkey if self.admin.path is not None else DEFAULT_HOTKEY
        self._record_hotkey(self.hotkey.register(hotkey))
        self.tasks.run_task(_gather_facts, self._facts_ready, name="identify")
        if not self.options.demo:
            admin = self.admin
            self.tasks.run_task(lambda: _apply_autostart_policy(admin), None, name="autostart")
        self.link.load_cached_policy()  # the MSP's phone and links even when offline at start
        self.tickets_feature()
        self.link.start()
        if self.options.command != "tray":
            self.handle_command(self.options.command, [])
        self._warm.start()

    def _warm_up(self) -> None:
        """Load, ahead of the first click, what opening the report needs: the screen grab (Qt-free: on a
        worker) and the report window's modules, fonts and time zone (Qt: on the GUI thread, ~100-200 ms
        once, while nobody waits), then the report window itself, built and rendered hidden
        (``WindowKeeper.prebuild``): the click then only fills it in. Costs ~7-13 MB at rest for the
        modules and ~6 MB for the hidden window; saves ~150-250 ms of the first click."""
        if self._quitting or self.windows.report is not None:
            return
        self.tasks.run_task(_warm_capture, None, name="warm-up.capture")
        import intake_app.ui.report.window  # noqa: F401
        from PySide6.QtCore import QTimeZone
        from PySide6.QtGui import QFontMetrics

        QFontMetrics(QApplication.font()).height()  # the font database (fontconfig): ~15 ms the first time
        QTimeZone.systemTimeZoneId()  # the availability editor's time zone: ~10 ms the first time
        self.windows.prebuild()

    def tickets_feature(self) -> Any:
        """My tickets (issue 7): polling, one notification per change, the needs-you count, its window."""
        if self.tickets is not None:
            return self.tickets
        from intake_app.ui.report.grabber import DiagnosticsGrabber
        from intake_app.ui.tickets.feature import TicketsFeature

        link = self.link
        self.tickets = TicketsFeature(self.tasks, lambda: link.api, lambda: link.outbox, policy=link.policy,
                                      grabber=DiagnosticsGrabber(), attachments_root=self.paths.cache / "opened",
                                      title=self.title(self.tr("My tickets")), parent=self)
        self.tickets.needs_user_changed.connect(self._needs_you_changed)
        self.tickets.outbox_send_requested.connect(link.drain)
        self.tickets.connect_notifier(self.notifier)
        link.connected.connect(lambda _context: self.tickets.start())
        if link.context is not None:
            self.tickets.start()
        return self.tickets

    def _record_hotkey(self, status: HotkeyStatus) -> None:
        """Leave the hotkey's state where ``config check`` can show it."""
        data = {"hotkey": status.text, "active": status.active, "reason": status.reason, "pid": os.getpid()}
        try:
            write_private(self.paths.runtime / HOTKEY_STATUS_FILE, json.dumps(data).encode("utf-8"))
        except OSError:
            log.warning("could not record the hotkey status", exc_info=True)

    def _facts_ready(self, facts: Any, error: BaseException | None) -> None:
        if error is not None:
            log.warning("identify-my-PC facts failed", exc_info=error)
            return
        self.facts = facts
        if self.tray is not None:
            self.tray.set_tooltip(tooltip_text(self.product, facts.computer, facts.addresses, demo=self.demo))

    # --- commands ---------------------------------------------------------------------------------
    def handle_command(self, command: str, _args: list[str]) -> None:
        """A command from the command line or from a second launch."""
        if command == "report":
            self.request_report()
        elif command == "tickets-window":
            self.show_tickets()
        elif self.window is not None:
            self.windows.present(self.window)
        else:
            self.notifier.notify(self.product, self.tr("{0} is already running: use its icon in the "
                                                       "system tray.").format(self.product))

    def request_report(self, *, from_menu: bool = False) -> None:
        """Grab the screens first (our window is not up yet), then show the report window."""
        if self._quitting or self._capturing:
            return
        existing = self.windows.report
        if existing is not None and existing.isVisible():
            self.windows.present(existing)  # already open: a new grab would show our own window
            return
        self._capturing = True
        if from_menu:
            self._settle.start()
        else:
            self._capture_then_report()

    def _capture_then_report(self) -> None:
        self.tasks.run_task(self.windows.capture, self._captured, name="capture-now")

    def _captured(self, shots: list[Any] | None, error: BaseException | None) -> None:
        self._capturing = False
        if self._quitting:
            return
        if error is not None:
            log.warning("screens could not be captured", exc_info=error)
            self.messages.warning(self.tr("The screen could not be captured ({0}); you can add screenshots "
                                          "in the report window.").format(error), source="capture")
        self.windows.open_report(list(shots or []))

    def show_tickets(self) -> None:
        self.windows.open_tickets()

    def show_about(self) -> None:
        self.windows.open_about()

    def show_support(self) -> None:
        self.windows.open_support(self.actions.support_phone, self.link.policy.company)

    def show_settings(self) -> None:
        self.windows.open_settings()

    def open_link(self, url: str) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if not QDesktopServices.openUrl(QUrl(url)):
            self.messages.warning(self.tr("No program could open {0}.").format(url), source="links")

    def report_services(self) -> Any:
        """What a new report window needs (``ui.report.ports.ReportServices``): built once, kept current."""
        from intake_app.config.profile import load_profile

        if self._report_services is None:
            from intake_app.ui.report.draft_store import DraftStore
            from intake_app.ui.report.grabber import DiagnosticsGrabber
            from intake_app.ui.report.ports import ReportServices

            self._report_services = ReportServices(
                runner=self.tasks, outbox=self.link.outbox, drafts=DraftStore(self.paths.drafts),
                grabber=DiagnosticsGrabber(), product_name=self.product,
                accent_color=self.admin.branding.accent_color, app_version=__version__,
                probe_settings=self.admin.probes, attachment_budget=self.admin.screenshot_budget_mib * 1024 * 1024,
                computer_name=self._computer_name)
        services = self._report_services
        services.outbox, services.api, services.policy = self.link.outbox, self.link.api, self.link.policy
        services.profile = load_profile(self.paths)  # Settings may have changed it since the last report
        return services

    def _computer_name(self) -> str:
        """The device name a new report starts with: what "identify my PC" found on a worker at start
        (the same diagnostics probe), so opening the window runs no probe on the GUI thread."""
        if self.facts is not None:
            return str(self.facts.computer)
        import socket

        return socket.gethostname()

    # --- what the service tells us ----------------------------------------------------------------
    def _connected(self, context: Any) -> None:
        if self._report_services is not None:
            self._report_services.api = context.api  # the window was opened before the service answered

    def _apply_policy(self, policy: Policy) -> None:
        self.actions.set_support_phone(policy.support_phone)
        self.actions.set_links(policy.tray_links)
        if self._report_services is not None:
            self._report_services.policy = policy
        if not self._quitting:  # each refresh also renews "identify my PC" (laptops change networks)
            self.tasks.run_task(_gather_facts, self._facts_ready, name="identify")

    def _needs_you_changed(self, count: int) -> None:
        self._needs_you = count
        self.actions.set_needs_you(count)
        self._update_attention()

    def _outbox_counts(self, _pending: int, attention: int) -> None:
        self._outbox_attention = attention
        self._update_attention()

    def _update_attention(self) -> None:
        attention = bool(self._needs_you or self._outbox_attention)
        if self.tray is not None:
            self.tray.set_state(attention=attention)

    def _ticket_sent(self, summary: str, reference: str) -> None:
        self.notifier.notify(self.tr("Ticket sent"), self.tr("“{0}” reached the helpdesk ({1}).").format(
            summary, reference), self.show_tickets)

    def _crashed(self, _text: str, path: str) -> None:
        if self.crash is not None and not self.crash.dialogs:  # with dialogs, the crash dialog says it
            self.notifier.notify(self.tr("Something went wrong"), self.tr("The app hit an unexpected error; "
                                                                          "the details are in {0}.").format(path),
                                 level=Level.ERROR)

    # --- quit -------------------------------------------------------------------------------------
    def quit(self) -> None:
        """The Quit action: stop everything in order; ``stopped`` then ends the event loop."""
        self.shutdown()

    def shutdown(self) -> None:
        """Idempotent: timers, hotkey, windows, workers (waited for), service + demo child, IPC, icon."""
        if self._quitting:
            return
        self._quitting = True
        self.quitting.emit()
        self._settle.stop()
        self._deferred.stop()
        self._warm.stop()
        self.hotkey.unregister()
        self.link.stop()
        if self.tickets is not None:
            self.tickets.stop()  # its timer and window, before the workers are waited for
        self.notifier.detach()
        self.windows.close_all()
        if self.window is not None:
            self.window.hide()
            self.window.deleteLater()
        self.tasks.shutdown()
        self.link.close()
        if self.instance is not None:
            self.instance.close()
        if self.tray is not None:
            self.tray.dispose()
        log.info("%s stopped", APP_ID)
        self.stopped.emit()


def _warm_capture() -> None:
    """Worker: the screen grab's modules, and the screen grabber's X connection opened on its own
    thread (its X libraries loaded: mss finds them with ctypes.util.find_library, which runs
    ``ldconfig -p``). No grab: a first grab maps an 8 MB shared buffer (at 1080p) that would stay
    for the grabber's 10 idle minutes; the first click pays that fill (~20 ms) instead."""
    from intake_app.diagnostics.errors import CaptureError
    from intake_app.diagnostics.screen_grabber import shared_grabber

    try:
        shared_grabber().warm_up()
    except CaptureError as exc:  # no X display (a Wayland-only session, a headless run): the click says so
        log.info("screen grabber not warmed up: %s", exc)


def _gather_facts() -> Any:
    from intake_app.ui.about import gather_facts

    return gather_facts()


def _apply_autostart_policy(admin: AdminConfig) -> None:
    """The admin file's ``[app] autostart`` wins over the user's choice (it never raises)."""
    from intake_app.platform import autostart

    autostart.apply_at_startup(admin)


# --- process entry ------------------------------------------------------------------------------
def show_config_error(error: ConfigError, *, dialogs: bool) -> None:
    """A bad admin file: one clear message to stderr (the admin) and a dialog (the user)."""
    print(f"{APP_ID}: {error}", file=sys.stderr)
    log.error("configuration error: %s", error)
    if dialogs:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, QApplication.translate("app", "Helpdesk app: configuration problem"),
                             QApplication.translate("app", "The helpdesk app cannot start because its "
                                                    "configuration has a problem. Please tell your IT helpdesk:"
                                                    "\n\n{0}").format(error))


def main(command: str, args: argparse.Namespace) -> int:
    """``intake-app`` (tray), ``intake-app report`` and ``intake-app tickets-window``."""
    paths = user_paths(args.basedir).ensure()
    setup_logging(paths, "INFO", rotate=False)  # rotation (logging.handlers) once the icon shows
    dialogs = not getattr(args, "no_dialogs", False)
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    protect_bool_singletons()  # before the first of many signal emits (PySide6 6.12.0 on Python 3.11)
    qapp.setApplicationName(APP_ID)
    qapp.setApplicationVersion(__version__)
    qapp.setQuitOnLastWindowClosed(False)
    # Is an instance running? Asked without Qt where the name is a socket path; this app's own server
    # listens right after the icon shows (IntakeApp._become_instance: a launch that lost the race then
    # hands its command over and quits).
    name = server_name(paths.runtime)
    handed = send_command(name, command)
    instance: SingleInstance | None = None
    if handed is None:  # only Qt can tell here (Windows pipes, short names): check and listen as before
        from intake_app.ui.single_instance import SingleInstance

        instance = SingleInstance(name)
        handed = instance.send(command)
        if not handed and not instance.listen() and instance.send(command):
            return 0
    if handed:
        log.info("handed %r to the running instance", command)
        return 0
    try:
        admin = load_admin_config(getattr(args, "config_file", None), paths=paths)
    except ConfigError as exc:
        show_config_error(exc, dialogs=dialogs)
        if instance is not None:
            instance.close()
        return 2
    setup_logging(paths, admin.log_level, rotate=False)
    crash = CrashHandler(paths.log, dialogs=dialogs)
    crash.install()
    tasks = TaskRunner()
    options = AppOptions(demo=bool(getattr(args, "demo", False)) or admin.is_demo, dialogs=dialogs, command=command)
    app = IntakeApp(paths=paths, admin=admin, options=options, messages=MessageBridge(), tasks=tasks, crash=crash,
                    instance=instance, instance_name=name if instance is None else None)
    qapp.setApplicationDisplayName(app.product)
    # from a 0-ms timer: a signal that arrives before exec() must still end the loop once it runs
    signals = QuitOnSignals(lambda: QTimer.singleShot(0, app.quit))
    app.stopped.connect(qapp.quit)
    qapp.aboutToQuit.connect(app.shutdown)  # session logout ends the loop without our Quit
    app.start()
    enable_rotation()  # the icon is shown (and docked): now load the rotating handler
    try:
        return qapp.exec()
    finally:
        app.shutdown()
        signals.restore()
        crash.uninstall()
