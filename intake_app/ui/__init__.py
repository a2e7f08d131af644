"""PySide6 only: the tray, the windows, workers and notifications (STYLE habit 1).

Nothing outside ``ui/`` and ``intake_app.app`` imports Qt. ``app.py`` builds the
services once and passes them in: ``tasks.TaskRunner`` (the one way to run
background work), ``notifier.Notifier`` (tray messages, and the UI end of the
Qt-free ``intake_app.messages`` bridge), ``service_link.ServiceLink`` (connect,
policy, outbox), ``actions.AppActions`` (shared by ``tray.TrayIcon`` and
``fallback_window.FallbackWindow``), ``windows.WindowKeeper``,
``single_instance``, ``hotkey``, ``crash`` and ``icons``.
"""
