"""A pre-imported parent that forks ``intake-app serve`` processes on request (the kill tests' launcher).

Starting ``intake-app serve`` costs 2–5 s on this machine, almost all of it
importing FastAPI, SQLAlchemy, Alembic and uvicorn. The kill tests restart the
service dozens of times, so this process imports all of that once and then
forks: each child runs ``intake_app.cli.main(["serve", ...])``, exactly what the
``intake-app`` command runs, and is a separate process the test SIGKILLs.

Protocol (one JSON object per line on stdin, one answer line on stdout):

* ``{"spawn": [...args], "log": PATH, "env": {...}}`` -> ``{"pid": N}``
* ``{"wait": N, "timeout": S}`` -> ``{"status": <waitpid status or null>}`` (SIGKILL after ``timeout``)

It has no threads when it forks (it only reads stdin), so the child inherits no held lock.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def preload() -> None:
    import uvicorn.lifespan.off  # noqa: F401
    import uvicorn.loops.auto  # noqa: F401
    import uvicorn.protocols.http.h11_impl  # noqa: F401
    import uvicorn.protocols.websockets.auto  # noqa: F401

    import intake_app.cli  # noqa: F401
    import intake_app.cli.serve_cmd  # noqa: F401
    import intake_app.service.api.app  # noqa: F401
    import intake_app.service.config  # noqa: F401
    import intake_app.service.connectors.local  # noqa: F401
    import intake_app.service.connectors.rt  # noqa: F401
    import intake_app.service.runtime  # noqa: F401
    import intake_app.service.server  # noqa: F401


def spawn(args: list[str], log: str, env: dict[str, str]) -> int:
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: becomes the service
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", closefd=False, buffering=1)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False, buffering=1)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(env)
        from intake_app.cli import main

        code = main(args)
    except BaseException:  # noqa: BLE001 - report and leave with a status, never return into the loop
        import traceback

        traceback.print_exc()
        code = 70
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def wait(pid: int, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 30
        time.sleep(0.01)


def main() -> None:
    preload()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "spawn" in request:
            answer: dict[str, object] = {"pid": spawn(request["spawn"], request["log"], request["env"])}
        else:
            answer = {"status": wait(int(request["wait"]), float(request.get("timeout", 30)))}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
