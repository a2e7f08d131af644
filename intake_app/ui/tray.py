"""The system tray icon: branded icon, "identify my PC" tooltip, the shared action menu.

Left click asks for the Report window (``report_requested``); right click opens
the menu built from :class:`~intake_app.ui.actions.AppActions`. The icon shows
the app's state with badges (demo, needs attention). The tray never decides
anything itself: the app wires its signals.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from intake_app.ui.actions import AppActions
from intake_app.ui.icons import Badge, badged

TOOLTIP_MAX_ADDRESSES = 3


def tooltip_text(product: str, computer: str, addresses: Sequence[str], *, demo: bool = False) -> str:
    """``Intake`` / ``Computer: PC-042`` / ``IP: 10.0.0.5, fe80::1`` (what the helpdesk asks for)."""
    tr = QCoreApplication.translate
    lines = [product + (tr("tray", " (demo)") if demo else "")]
    if computer:
        lines.append(tr("tray", "Computer: {0}").format(computer))
    if addresses:
        shown = ", ".join(addresses[:TOOLTIP_MAX_ADDRESSES])
        more = len(addresses) - TOOLTIP_MAX_ADDRESSES
        lines.append(tr("tray", "IP: {0}").format(shown) + (f" (+{more})" if more > 0 else ""))
    return "\n".join(lines)


def demo_title(product: str) -> str:
    """Window titles in demo mode say where tickets go."""
    return QCoreApplication.translate("tray", "{0} — Demo: tickets stay on this computer").format(product)


class TrayIcon(QObject):
    """Wraps ``QSystemTrayIcon``; ``report_requested`` on a left click."""

    report_requested = Signal()

    def __init__(self, actions: AppActions, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.actions = actions
        self._base_icon = icon
        self._demo = False
        self._attention = False
        self.menu = QMenu()
        self.menu.setObjectName("tray_menu")
        self.menu.setAccessibleName(self.tr("Helpdesk menu"))
        actions.populate(self.menu)
        actions.links_changed.connect(lambda: actions.populate(self.menu))
        self.menu.aboutToShow.connect(actions.add_shortcuts)  # Quit's Ctrl+Q, if the app has not yet
        self.tray = QSystemTrayIcon(icon, self)
        self.tray.setContextMenu(self.menu)
        self.tray.activated.connect(self._on_activated)

    def show(self) -> None:
        self.tray.show()

    def hide(self) -> None:
        self.tray.hide()

    def set_tooltip(self, text: str) -> None:
        self.tray.setToolTip(text)

    def set_base_icon(self, icon: QIcon) -> None:
        self._base_icon = icon
        self._refresh_icon()

    def set_state(self, *, demo: bool | None = None, attention: bool | None = None) -> None:
        """Badges: an amber "D" in demo mode, a red dot while a ticket needs the user."""
        if demo is not None:
            self._demo = demo
        if attention is not None:
            self._attention = attention
        self._refresh_icon()

    @property
    def badges(self) -> tuple[Badge, ...]:
        return tuple(b for b, on in ((Badge.DEMO, self._demo), (Badge.ATTENTION, self._attention)) if on)

    def _refresh_icon(self) -> None:
        self.tray.setIcon(badged(self._base_icon, *self.badges))

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:  # a double click also starts with a Trigger
            self.report_requested.emit()

    def dispose(self) -> None:
        """Hide and drop the menu (it has no Qt parent: QMenu cannot be a child of a QObject)."""
        self.tray.hide()
        self.tray.setContextMenu(None)
        self.menu.deleteLater()
