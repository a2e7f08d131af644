"""``python benchmarks/_inapp.py [intake-app options]``: the real app, with a trace for the benchmarks.

Runs exactly ``intake_app.cli.main()`` (what ``python -m intake_app`` runs). It
adds no behaviour; it only wraps a few functions, *when their module is first
imported by the app itself* (so the app's import order, start-up and memory
stay its own), to append lines ``<time.monotonic()> <event> <detail>`` to the
file named by ``$INTAKE_BENCH_TRACE``:

* ``tray-show cpu=<ms>``: the tray icon is shown (``TrayIcon.show``), with the CPU time the
  process has used so far (before that moment no worker thread of ours runs);
* ``capture-start`` / ``capture-end``: the screen grab the app does when the
  user asks for help (``ui.windows.default_capture``: grab, pictures and thumbnails
  ready for the window), with the thread name; ``grab-end``: the pixels themselves
  are in (``ScreenGrabber.capture_now`` returned);
* ``report-open`` / ``report-shown``: ``WindowKeeper.open_report`` entered and
  returned (the window exists and was shown);
* ``diagnostics <function> <thread>``: every call of the diagnostics entry
  points (full snapshot, computer name, identify-my-PC facts), so a benchmark
  can prove none of them runs on the GUI thread;
* on SIGUSR1: ``timer <interval ms> <single|repeat> <active> <parent class> <name>``
  for every QTimer the Python side created, then ``timers-done``.

The start-up benchmark runs the app through this script as well (for the CPU-time figure); the
script therefore imports nothing at run time that the app does not import itself.
"""

from __future__ import annotations

import functools
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # not at run time: importlib.abc loads importlib.resources, which the app does not
    import importlib.abc
    import importlib.machinery

TRACE = os.environ.get("INTAKE_BENCH_TRACE", "")
_lock = threading.Lock()


def trace(event: str, detail: str = "") -> None:
    if not TRACE:
        return
    line = f"{time.monotonic():.6f} {event} {detail}".rstrip() + "\n"
    with _lock, open(TRACE, "a", encoding="utf-8") as fh:
        fh.write(line)


def _thread() -> str:
    return "gui" if threading.current_thread() is threading.main_thread() else "worker"


# --- post-import hooks ----------------------------------------------------------------------------
_HOOKS: dict[str, list[Callable[[Any], None]]] = {}


class _Loader:
    """Duck-typed (no importlib.abc base class): the runner must import nothing the app does not."""

    def __init__(self, inner: importlib.abc.Loader, hooks: list[Callable[[Any], None]]) -> None:
        self.inner, self.hooks = inner, hooks

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.inner.exec_module(module)
        for hook in self.hooks:
            hook(module)


class _Finder:
    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        hooks = _HOOKS.pop(name, None)
        if hooks is None:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, hooks)
                return spec
        return None


def on_import(name: str, hook: Callable[[Any], None]) -> None:
    if name in sys.modules:
        hook(sys.modules[name])
    else:
        _HOOKS.setdefault(name, []).append(hook)


def _wrap(owner: Any, attr: str, before: Callable[..., None], after: Callable[..., None] | None = None) -> None:
    original = getattr(owner, attr)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        before(*args)
        try:
            return original(*args, **kwargs)
        finally:
            if after is not None:
                after(*args)

    setattr(owner, attr, wrapper)


def _windows(module: Any) -> None:
    _wrap(module, "default_capture", lambda: trace("capture-start", _thread()),
          lambda: trace("capture-end", _thread()))
    _wrap(module.WindowKeeper, "open_report", lambda *_: trace("report-open"), lambda *_: trace("report-shown"))


def _grabber(module: Any) -> None:
    _wrap(module.ScreenGrabber, "capture_now", lambda *_: None, lambda *_: trace("grab-end", _thread()))


def _tray(module: Any) -> None:
    _wrap(module.TrayIcon, "show", lambda *_: None,
          lambda *_: trace("tray-show", f"cpu={time.process_time() * 1000:.1f}"))


def _diagnostics(function: str) -> Callable[[Any], None]:
    def hook(module: Any) -> None:
        _wrap(module, function, lambda *_: trace("diagnostics", f"{module.__name__}.{function} {_thread()}"))
    return hook


def dump_timers(*_: Any) -> None:
    from PySide6.QtCore import QTimer

    for obj in gc.get_objects():
        if isinstance(obj, QTimer):
            try:
                parent = obj.parent()
                trace("timer", f"{obj.interval()} {'single' if obj.isSingleShot() else 'repeat'} "
                               f"{'active' if obj.isActive() else 'idle'} "
                               f"{type(parent).__name__ if parent is not None else '-'} {obj.objectName() or '-'}")
            except RuntimeError:  # the C++ object is already gone
                continue
    trace("timers-done")


def main() -> int:
    sys.meta_path.insert(0, _Finder())
    on_import("intake_app.ui.tray", _tray)
    on_import("intake_app.ui.windows", _windows)
    on_import("intake_app.diagnostics.screen_grabber", _grabber)
    on_import("intake_app.diagnostics.snapshot", _diagnostics("collect_snapshot"))
    on_import("intake_app.diagnostics.snapshot", _diagnostics("computer_name"))
    on_import("intake_app.ui.about", _diagnostics("gather_facts"))
    signal.signal(signal.SIGUSR1, dump_timers)  # the app's wakeup fd makes Qt's loop run it promptly
    trace("main")
    from intake_app.cli import main as cli_main

    sys.argv[0] = "intake-app"
    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
