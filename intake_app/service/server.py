"""Running the service with uvicorn: bind (port 0 = any free port), announce readiness, shut down cleanly.

When the socket listens and the app has started, one line goes to stdout::

    INTAKE_SERVICE_READY url=http://127.0.0.1:PORT

and the URL is written to ``--ready-file`` if given: the desktop client's demo
mode starts ``intake-app serve`` as a child process and waits for exactly this.
Logs go to stderr, so stdout carries nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from intake_app.paths import write_private
from intake_app.service.api.app import create_app
from intake_app.service.malloc_arenas import limit_arenas
from intake_app.service.runtime import ServiceRuntime

log = logging.getLogger(__name__)

READY_PREFIX = "INTAKE_SERVICE_READY"
TICK_SECONDS = 1.0  # `serve`: how often the idle server looks up (uvicorn's own loop: 10 times a second)


class _ReadyServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None], *, tick: float = 0.1) -> None:
        super().__init__(config)
        self._on_ready = on_ready
        self._tick = tick
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        """uvicorn's housekeeping loop, ticking every ``tick`` seconds instead of every 0.1 s: an idle
        service (the tray app's demo child on a laptop) then wakes once a second, not ten times. The
        Date header keeps its one-second resolution; a stop request (signal) ends the wait at once."""
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        steps = max(1, round(self._tick * 10))  # on_tick refreshes the Date header every 10th count
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + steps) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._tick)
            should_exit = await self.on_tick(counter)

    def handle_exit(self, sig: int, frame: object) -> None:
        super().handle_exit(sig, frame)  # type: ignore[arg-type]
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """SIGINT/SIGTERM ask for a graceful stop; unlike uvicorn's own, the signal is not re-raised
        afterwards, so the runtime closes (workers joined, database released) and the exit status is 0."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 lets the OS pick a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        from intake_app.errors import ConfigError

        raise ConfigError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_for(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _uvicorn_config(runtime: ServiceRuntime) -> uvicorn.Config:
    """The protocol stack is named, not ``auto``: the API has no WebSocket route, and uvicorn's ``auto``
    would otherwise load uvloop, httptools and a WebSocket library whenever one happens to be installed
    (``uvicorn[standard]``), several MB more in every service, the tray app's demo child included."""
    return uvicorn.Config(create_app(runtime), log_config=None, access_log=True, lifespan="off",
                          timeout_graceful_shutdown=5, server_header=False,
                          loop="asyncio", http="h11", ws="none", interface="asgi3")


def serve(runtime: ServiceRuntime, host: str, port: int, ready_file: Path | None = None) -> int:
    """Run until SIGINT/SIGTERM; returns the exit status."""
    sock = bind(host, port)
    url = url_for(sock)

    def announce() -> None:
        if ready_file is not None:
            write_private(ready_file, url.encode("utf-8"))
        print(f"{READY_PREFIX} url={url}", flush=True)
        log.info("Intake service ready at %s (connector: %s, data: %s)", url, runtime.connector.kind.value,
                 runtime.config.data_dir)

    if runtime.config.demo:  # one person's service: the threads started below share one malloc arena
        limit_arenas(1)
    runtime.start_workers()
    server = _ReadyServer(_uvicorn_config(runtime), announce, tick=TICK_SECONDS)
    try:
        server.run(sockets=[sock])
    finally:
        runtime.close()
        sock.close()
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)
    return 0 if server.started else 1


@dataclass
class RunningServer:
    """A service running in a thread of this process (tests, embedding)."""

    url: str
    runtime: ServiceRuntime
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(15)
        self.runtime.close()


def start_in_thread(runtime: ServiceRuntime, host: str = "127.0.0.1", workers: bool = True) -> RunningServer:
    """Start uvicorn on a free port in a daemon thread and return once it accepts connections."""
    sock = bind(host, 0)
    ready = threading.Event()
    server = _ReadyServer(_uvicorn_config(runtime), ready.set)
    if workers:
        runtime.start_workers()
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="intake-uvicorn", daemon=True)
    thread.start()
    if not ready.wait(30):
        server.should_exit = True
        raise RuntimeError("the Intake service did not start within 30 s")
    return RunningServer(url_for(sock), runtime, server, thread)


class _AccessPathOnly(logging.Filter):
    """uvicorn's access lines without the query string: it is the client's to choose, and may hold an
    e-mail address or a token sent there by mistake (``?access_token=…``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) >= 3 \
                and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])
        return True


def configure_logging(level: str) -> None:
    """Everything to stderr (stdout is reserved for the readiness line), scrubbed like the client's logs."""
    from intake_app.logsetup import ScrubFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_AccessPathOnly())
    handler.addFilter(ScrubFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    logging.getLogger("alembic").setLevel(logging.WARNING)
