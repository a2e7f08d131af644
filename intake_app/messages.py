"""One Qt-free bridge for messages meant for the user (STYLE habit 6).

Code that runs before the UI exists (config, client, hotkey registration,
background workers) still has things to tell the user: "the hotkey Ctrl+F12 is
taken by another program", "saved, it will be sent when you are back online".
They post here; the bridge logs each message and keeps it until the UI
subscribes, then hands the backlog over in order. Subscribers are called in
the *posting* thread: the Qt side re-emits through a signal to reach the GUI
thread (see ``intake_app.ui.notifier``).

No globals: ``app.py`` builds one bridge and passes it to whoever needs it.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)

DEFAULT_BACKLOG = 200


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_LOG_LEVEL = {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING, Level.ERROR: logging.ERROR}


@dataclass(frozen=True)
class Message:
    """A sentence for the user; ``title`` is optional (the product name is used)."""

    level: Level
    text: str
    title: str = ""
    source: str = ""  # what posted it, e.g. "hotkey": for logs and tests, never shown alone


Subscriber = Callable[[Message], None]


class MessageBridge:
    """Buffers messages until a subscriber exists; thread-safe."""

    def __init__(self, backlog: int = DEFAULT_BACKLOG) -> None:
        self._lock = threading.Lock()
        self._backlog: deque[Message] = deque(maxlen=backlog)
        self._subscribers: list[Subscriber] = []

    def post(self, message: Message) -> None:
        log.log(_LOG_LEVEL[message.level], "message for the user [%s]: %s", message.source or "-", message.text)
        with self._lock:
            subscribers = list(self._subscribers)
            if not subscribers:
                self._backlog.append(message)
                return
        for subscriber in subscribers:
            _deliver(subscriber, message)

    def info(self, text: str, *, title: str = "", source: str = "") -> None:
        self.post(Message(Level.INFO, text, title, source))

    def warning(self, text: str, *, title: str = "", source: str = "") -> None:
        self.post(Message(Level.WARNING, text, title, source))

    def error(self, text: str, *, title: str = "", source: str = "") -> None:
        self.post(Message(Level.ERROR, text, title, source))

    def subscribe(self, subscriber: Subscriber) -> None:
        """Add a subscriber; the backlog (if any) is delivered to it first, in order."""
        with self._lock:
            backlog = list(self._backlog)
            self._backlog.clear()
            self._subscribers.append(subscriber)
        for message in backlog:
            _deliver(subscriber, message)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Remove a subscriber; later messages are buffered again once none is left."""
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

    def pending(self) -> list[Message]:
        """What is waiting for a subscriber (for ``config check`` and tests)."""
        with self._lock:
            return list(self._backlog)


def _deliver(subscriber: Subscriber, message: Message) -> None:
    # a broken subscriber must not lose the message for the others, nor kill the poster
    try:
        subscriber(message)
    except Exception:
        log.exception("message subscriber %r failed for: %s", subscriber, message.text)
